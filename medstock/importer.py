"""Importing the catalogue and its lots from CSV files, all or nothing."""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, select, update
from sqlmodel import Session, col

from medstock.csvfile import CellChecks, read_table, spreadsheet_row
from medstock.errors import Problem, ValidationError
from medstock.limits import MAX_WHOLE
from medstock.text import plural
from medstock.upsert import insert_for
from models import Lot, MovementKind, Product, StockMovement, table_of, utcnow

logger = logging.getLogger(__name__)

PRODUCT_COLUMNS = ("sku", "name", "category", "unit", "min_stock", "unit_cost")
PRODUCT_OPTIONAL = ("stock", "max_stock", "pack_size", "tracks_expiry")
LOT_COLUMNS = ("sku", "lot_number", "quantity")
LOT_OPTIONAL = ("expiry_date",)


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: rows created and updated, stock adjustments booked."""

    file: str
    created: int
    updated: int
    adjustments: int
    ignored: tuple[str, ...] = ()

    def __str__(self) -> str:
        ignored = (
            f"; ignored columns: {', '.join(self.ignored)}" if self.ignored else ""
        )
        return (
            f"{self.file}: {self.created} created, {self.updated} updated, "
            f"{plural(self.adjustments, 'stock adjustment')}{ignored}"
        )


def _flag_duplicates(checks: CellChecks, keys: pd.Series, column: str) -> None:
    first_row: dict[Any, int] = {}
    for index, key in keys[keys.notna()].items():
        if key in first_row:
            checks.problems.append(
                Problem(
                    spreadsheet_row(int(index)),
                    column,
                    f"{checks.cells(column)[index]!r} already appears in row "
                    f"{first_row[key]}; keep one row for it",
                )
            )
        else:
            first_row[key] = spreadsheet_row(int(index))


def _plain(value: Any) -> Any:
    # pandas' missing values and numpy scalars, as the database driver takes them.
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _book_adjustments(
    session: Session, deltas: dict[int, int], reason: str, now: Any
) -> int:
    moves = [
        {
            "product_id": product_id,
            "kind": MovementKind.ADJUST.value,
            "quantity": delta,
            "reason": reason,
            "created_at": now,
        }
        for product_id, delta in deltas.items()
        if delta != 0
    ]
    if moves:
        session.execute(table_of(StockMovement).insert(), moves)
    return len(moves)


def import_products(session: Session, path: Path | str) -> ImportResult:
    """Create or update products by SKU; stock changes are booked as ADJUST."""
    path = Path(path)
    checks = CellChecks(read_table(path))
    if not checks.columns(PRODUCT_COLUMNS, PRODUCT_OPTIONAL):
        checks.raise_if_any(path)
    present = set(checks.frame.columns)

    sku = checks.text("sku", max_length=64)
    values = {
        "name": checks.text("name", max_length=200),
        "category": checks.text("category", max_length=80),
        "unit": checks.text("unit", max_length=40),
        "min_stock": checks.whole("min_stock", minimum=0),
        "max_stock": checks.whole("max_stock", minimum=0, required=False),
        "pack_size": checks.whole("pack_size", minimum=1, required=False).fillna(1),
        "unit_cost": checks.amount("unit_cost"),
        "tracks_expiry": checks.flag_bool("tracks_expiry"),
    }
    stock = checks.whole("stock", minimum=0, required=False)
    checks.flag(
        values["max_stock"] < values["min_stock"],
        "max_stock",
        "{value!r} is below min_stock; raise it or leave it empty",
    )
    _flag_duplicates(checks, sku.where(sku.ne("")), "sku")
    # The stock check computes its target plus pack_size - 1 in database integers.
    rounding = values["pack_size"] - 1
    checks.flag(
        values["max_stock"].isna() & (2 * values["min_stock"] + rounding > MAX_WHOLE),
        "min_stock",
        "{value!r} is too large: orders fill up to 2 * min_stock, rounded up to "
        f"whole packs, which must stay within {MAX_WHOLE}; lower it or set max_stock",
    )
    checks.flag(
        values["max_stock"] + rounding > MAX_WHOLE,
        "max_stock",
        "{value!r} is too large: orders fill up to it, rounded up to whole packs, "
        f"which must stay within {MAX_WHOLE}; lower it",
    )

    current = pd.DataFrame(
        session.execute(
            select(
                col(Product.sku),
                col(Product.id),
                col(Product.stock),
                col(Product.tracks_expiry),
            )
        ).all(),
        columns=["sku", "id", "stock", "tracks_expiry"],
    ).set_index("sku")
    known = sku.isin(current.index)
    current_stock = sku.map(current["stock"]).fillna(0).astype("int64")
    current_tracks = sku.map(current["tracks_expiry"]).eq(True)
    if "tracks_expiry" in present:
        checks.flag(
            known & (values["tracks_expiry"] != current_tracks) & (current_stock > 0),
            "tracks_expiry",
            "{value!r} cannot change while the product holds stock; "
            "book its stock out first",
        )
    tracked = values["tracks_expiry"] if "tracks_expiry" in present else current_tracks
    checks.flag(
        tracked & stock.notna() & (stock != current_stock),
        "stock",
        "{value!r} cannot be set for a product that tracks expiry: its stock is "
        "the sum of its lots; leave it empty and use `medstock import lots`",
    )
    checks.raise_if_any(path)

    now = utcnow()
    new_stock = stock.fillna(current_stock).astype("int64")
    frame = pd.DataFrame({"sku": sku, **values, "stock": new_stock})
    rows = [
        {key: _plain(value) for key, value in record.items()}
        | {"created_at": now, "updated_at": now}
        for record in frame.astype(object).to_dict("records")
    ]
    table = table_of(Product)
    insert = insert_for(session, table)
    # Optional columns left out of the file keep each product's current value.
    updated_columns = [
        name
        for name in [*PRODUCT_COLUMNS[1:], *PRODUCT_OPTIONAL]
        if name in present or name not in PRODUCT_OPTIONAL
    ]
    upsert = insert.on_conflict_do_update(
        index_elements=["sku"],
        set_={name: insert.excluded[name] for name in [*updated_columns, "updated_at"]},
    )
    if rows:
        session.execute(upsert, rows)

    ids = {
        code: pid
        for code, pid in session.execute(select(col(Product.sku), col(Product.id)))
    }
    deltas = {
        ids[code]: int(after - before)
        for code, after, before in zip(sku, new_stock, current_stock, strict=True)
    }
    adjustments = _book_adjustments(session, deltas, f"import {path.name}", now)
    result = ImportResult(
        path.name,
        int((~known).sum()),
        int(known.sum()),
        adjustments,
        tuple(checks.ignored),
    )
    logger.info("imported products from %s", result)
    return result


def import_lots(session: Session, path: Path | str) -> ImportResult:
    """Create or update lots by SKU and lot number; stock follows as ADJUST."""
    path = Path(path)
    checks = CellChecks(read_table(path))
    if not checks.columns(LOT_COLUMNS, LOT_OPTIONAL):
        checks.raise_if_any(path)

    sku = checks.text("sku", max_length=64)
    lot_number = checks.text("lot_number", max_length=64)
    quantity = checks.whole("quantity", minimum=0)
    expiry = checks.iso_date("expiry_date")

    products = pd.DataFrame(
        session.execute(
            select(
                col(Product.sku),
                col(Product.id),
                col(Product.tracks_expiry),
                col(Product.stock),
            )
        ).all(),
        columns=["sku", "id", "tracks_expiry", "stock"],
    ).set_index("sku")
    product_id = sku.map(products["id"])
    checks.flag(
        sku.ne("") & product_id.isna(),
        "sku",
        "{value!r} is not a known SKU; import it with `medstock import products` first",
    )
    checks.flag(
        product_id.notna() & sku.map(products["tracks_expiry"]).eq(False),
        "sku",
        "{value!r} does not track expiry, so it has no lots; set tracks_expiry "
        "to true in its products row first",
    )
    keys = (sku + "\n" + lot_number).where(sku.ne("") & lot_number.ne(""))
    _flag_duplicates(checks, keys, "lot_number")
    checks.raise_if_any(path)

    existing = {
        (pid, number): units
        for pid, number, units in session.execute(
            select(col(Lot.product_id), col(Lot.lot_number), col(Lot.quantity))
        )
    }
    now = utcnow()
    rows = []
    deltas: dict[int, int] = {}
    for pid, number, units, expires in zip(
        product_id.astype(int), lot_number, quantity.astype(int), expiry, strict=True
    ):
        before = existing.get((pid, number), 0)
        deltas[pid] = deltas.get(pid, 0) + units - before
        rows.append(
            {
                "product_id": pid,
                "lot_number": number,
                "quantity": units,
                "expiry_date": expires,
                "received_at": now,
                "updated_at": now,
            }
        )
    stock_of = dict(zip(products["id"], products["stock"], strict=True))
    too_much = sorted(
        (int(stock_of[pid] + delta), pid)
        for pid, delta in deltas.items()
        if stock_of[pid] + delta > MAX_WHOLE
    )
    if too_much:
        total, pid = too_much[-1]
        sku_of = {v: k for k, v in products["id"].items()}
        raise ValidationError(
            f"{path.name} would bring the stock of {sku_of[pid]} to {total}, above "
            f"{MAX_WHOLE}, the largest whole number MedStock stores; nothing was "
            "imported; check the quantities"
        )
    table = table_of(Lot)
    insert = insert_for(session, table)
    updated_columns = ["quantity", "updated_at"]
    if "expiry_date" in checks.frame.columns:
        updated_columns.append("expiry_date")
    upsert = insert.on_conflict_do_update(
        index_elements=["product_id", "lot_number"],
        set_={name: insert.excluded[name] for name in updated_columns},
    )
    if rows:
        session.execute(upsert, rows)

    changes = [{"pid": pid, "delta": d} for pid, d in deltas.items() if d]
    if changes:
        products_table = table_of(Product)
        session.execute(
            update(products_table)
            .where(products_table.c.id == bindparam("pid"))
            .values(stock=products_table.c.stock + bindparam("delta"), updated_at=now),
            changes,
        )
    adjustments = _book_adjustments(session, deltas, f"import {path.name}", now)
    created = sum(
        1 for row in rows if (row["product_id"], row["lot_number"]) not in existing
    )
    result = ImportResult(
        path.name, created, len(rows) - created, adjustments, tuple(checks.ignored)
    )
    logger.info("imported lots from %s", result)
    return result
