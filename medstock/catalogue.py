"""The sample catalogue: realistic medical supplies with a day of movements."""

import logging
import random
from datetime import datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from medstock.upsert import insert_for
from models import Lot, MovementKind, Product, StockMovement, table_of

logger = logging.getLogger(__name__)

SAMPLE_FILE = "sample_products.csv"

# Days from today to the expiry of the first lot of these products, so that the
# expiry check has lots to alert in every bucket: expired (one expires today),
# within 30, 60 and 90 days. Every other lot expires 4 to 24 months ahead.
NEAR_EXPIRY_DAYS = {
    "MED-ADR-1-AMP": -11,
    "IVF-G5-500": 0,
    "MED-PCM-500-TAB": 9,
    "SYR-LL-5": 21,
    "MED-ENX-40-PFS": 44,
    "DRS-FOA-10": 52,
    "IVF-NACL-09-500": 67,
    "MED-LID-2-VIA": 85,
}


def read_sample() -> pd.DataFrame:
    """The sample catalogue shipped with MedStock, one row per product."""
    source = resources.files("medstock.data").joinpath(SAMPLE_FILE)
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype={"sku": str}, keep_default_na=True)
    frame["max_stock"] = frame["max_stock"].astype("Int64")
    return frame


def _product_rows(frame: pd.DataFrame, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict("records"):
        max_stock = record["max_stock"]
        rows.append(
            {
                "sku": record["sku"],
                "name": record["name"],
                "category": record["category"],
                "unit": record["unit"],
                "stock": int(record["stock"]),
                "min_stock": int(record["min_stock"]),
                "max_stock": None if pd.isna(max_stock) else int(max_stock),
                "pack_size": int(record["pack_size"]),
                "unit_cost": Decimal(str(record["unit_cost"])),
                "tracks_expiry": bool(record["tracks_expiry"]),
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def _day_of_movements(
    product_id: int, sku: str, stock: int, now: datetime
) -> list[dict[str, Any]]:
    # Seeded by SKU so that every fresh database gets the same history.
    rng = random.Random(sku)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    seconds_today = max(1, int((now - day_start).total_seconds()))
    received = rng.choice([0, 0, 0, rng.randint(5, 40)])
    consumed = rng.randint(1, 25)
    opening = stock + consumed - received

    moves = [
        {
            "product_id": product_id,
            "kind": MovementKind.ADJUST.value,
            "quantity": opening,
            "reason": "opening balance",
            "created_at": day_start - timedelta(hours=12),
        }
    ]
    if received:
        moves.append(
            {
                "product_id": product_id,
                "kind": MovementKind.IN.value,
                "quantity": received,
                "reason": "delivery",
                "created_at": day_start
                + timedelta(seconds=rng.randrange(seconds_today)),
            }
        )
    moves.append(
        {
            "product_id": product_id,
            "kind": MovementKind.OUT.value,
            "quantity": consumed,
            "reason": "ward consumption",
            "created_at": day_start + timedelta(seconds=rng.randrange(seconds_today)),
        }
    )
    return [move for move in moves if move["quantity"] != 0]


def _lots_of(
    product_id: int, sku: str, stock: int, now: datetime
) -> list[dict[str, Any]]:
    # Seeded by SKU like the movements; the lots split the stock exactly.
    rng = random.Random(f"lots {sku}")
    count = min(stock, rng.choice([1, 2, 2, 3]))
    if count == 0:
        return []
    cuts = sorted(rng.sample(range(1, stock), count - 1)) if count > 1 else []
    bounds = [0, *cuts, stock]
    offsets = sorted(rng.randint(120, 720) for _ in range(count))
    if sku in NEAR_EXPIRY_DAYS:
        offsets[0] = NEAR_EXPIRY_DAYS[sku]
    today = now.date()
    return [
        {
            "product_id": product_id,
            "lot_number": f"L{rng.randrange(10**5):05d}{chr(ord('A') + i)}",
            "expiry_date": today + timedelta(days=offsets[i]),
            "quantity": bounds[i + 1] - bounds[i],
            "received_at": now - timedelta(days=rng.randint(30, 300)),
            "updated_at": now,
        }
        for i in range(count)
    ]


def load_sample(session: Session, *, now: datetime) -> int:
    """Add the sample products that are missing, with their movements; return count."""
    frame = read_sample()
    rows = _product_rows(frame, now)
    table = table_of(Product)
    inserted = session.execute(
        insert_for(session, table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["sku"])
        .returning(table.c.id, table.c.sku, table.c.stock, table.c.tracks_expiry)
    ).all()

    moves = [
        move
        for product_id, sku, stock, _tracked in inserted
        for move in _day_of_movements(product_id, sku, stock, now)
    ]
    if moves:
        session.execute(table_of(StockMovement).insert(), moves)
    lots = [
        lot
        for product_id, sku, stock, tracked in inserted
        if tracked
        for lot in _lots_of(product_id, sku, stock, now)
    ]
    if lots:
        session.execute(table_of(Lot).insert(), lots)

    total = session.execute(select(table.c.id)).all()
    logger.info(
        "sample catalogue loaded: %d new products, %d in all", len(inserted), len(total)
    )
    return len(inserted)
