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
from models import MovementKind, Product, StockMovement

logger = logging.getLogger(__name__)

SAMPLE_FILE = "sample_products.csv"


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


def load_sample(session: Session, *, now: datetime) -> int:
    """Add the sample products that are missing, with their movements; return count."""
    frame = read_sample()
    rows = _product_rows(frame, now)
    table = Product.__table__
    inserted = session.execute(
        insert_for(session, table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["sku"])
        .returning(table.c.id, table.c.sku, table.c.stock)
    ).all()

    moves = [
        move
        for product_id, sku, stock in inserted
        for move in _day_of_movements(product_id, sku, stock, now)
    ]
    if moves:
        session.execute(StockMovement.__table__.insert(), moves)

    total = session.execute(select(table.c.id)).all()
    logger.info(
        "sample catalogue loaded: %d new products, %d in all", len(inserted), len(total)
    )
    return len(inserted)
