"""The expiry rule, written once, and the alerts the expiry-check agent raises."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, literal, select, true
from sqlmodel import Session, col

from medstock.settings import get_settings
from medstock.upsert import insert_for
from models import EXPIRED_BUCKET, ExpiryAlert, Lot, Product, moment, table_of

logger = logging.getLogger(__name__)


def bucket_bounds(today: date, horizons: Sequence[int]) -> list[tuple[str, date]]:
    """Each bucket with the last expiry date it holds, nearest first.

    NOTE: the one definition of "expired": a lot is expired on its expiry date,
    so a lot expiring today is EXPIRED, never "expiring within 30 days".
    """
    bounds = [(EXPIRED_BUCKET, today)]
    bounds += [(str(days), today + timedelta(days=days)) for days in sorted(horizons)]
    return bounds


def is_expired(expiry_date: date | None, today: date) -> bool:
    """True for a lot whose expiry date is today or earlier (the bucket rule)."""
    return expiry_date is not None and expiry_date <= bucket_bounds(today, [])[0][1]


def local_today() -> date:
    """Today's date in the configured timezone, as every agent counts days."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def expiry_bucket(
    expiry_date: date | None, today: date, horizons: Sequence[int]
) -> str | None:
    """The bucket of a lot expiring on `expiry_date`, or None when beyond them all."""
    if expiry_date is None:
        return None
    for bucket, last_day in bucket_bounds(today, horizons):
        if expiry_date <= last_day:
            return bucket
    return None


def bucket_case(expiry: Any, today: date, horizons: Sequence[int]) -> Any:
    """The same rule as `expiry_bucket`, as a SQL expression over a date column."""
    bounds = bucket_bounds(today, horizons)
    return case(*[(expiry <= last_day, bucket) for bucket, last_day in bounds])


def bucket_order(horizons: Sequence[int]) -> list[str]:
    """The bucket names, nearest first, as reports list them."""
    return [bucket for bucket, _ in bucket_bounds(date.min, horizons)]


def alerting_lots(today: date, horizons: Sequence[int]) -> Any:
    """Lots with stock, of products that track expiry, inside the last bucket."""
    last_day = bucket_bounds(today, horizons)[-1][1]
    return (
        select(Lot, Product)
        .join(Product, col(Product.id) == col(Lot.product_id))
        .where(
            col(Product.tracks_expiry) == true(),
            col(Lot.quantity) > 0,
            col(Lot.expiry_date).is_not(None),
            col(Lot.expiry_date) <= last_day,
        )
    )


@dataclass(frozen=True)
class AlertLine:
    """One alert that an expiry check raised."""

    alert_id: int
    sku: str
    lot_number: str
    bucket: str
    expiry_date: date
    quantity: int


def raise_expiry_alerts(
    session: Session,
    *,
    today: date,
    horizons: Sequence[int],
    now: datetime,
    run_id: str | None,
) -> list[AlertLine]:
    """Alert each lot once per bucket it has reached; return the new alerts."""
    bucket = bucket_case(Lot.expiry_date, today, horizons)
    source = (
        alerting_lots(today, horizons)
        .with_only_columns(
            Lot.id,
            Lot.product_id,
            bucket,
            Lot.expiry_date,
            Lot.quantity,
            literal(run_id),
            moment("now"),
        )
        .order_by(Lot.id)
    )
    table = table_of(ExpiryAlert)
    columns = [
        "lot_id",
        "product_id",
        "bucket",
        "expiry_date",
        "quantity",
        "flow_run_id",
        "created_at",
    ]
    insert = (
        insert_for(session, table)
        .from_select(columns, source)
        .on_conflict_do_nothing(index_elements=["lot_id", "bucket"])
    )
    session.execute(insert, {"now": now})

    order = {name: rank for rank, name in enumerate(bucket_order(horizons))}
    created = session.execute(
        select(ExpiryAlert, col(Product.sku), col(Lot.lot_number))
        .join(Lot, col(Lot.id) == col(ExpiryAlert.lot_id))
        .join(Product, col(Product.id) == col(ExpiryAlert.product_id))
        .where(col(ExpiryAlert.created_at) == moment("now"))
        .order_by(col(Product.sku), col(Lot.lot_number)),
        {"now": now},
    ).all()
    lines = [
        AlertLine(
            alert.id, sku, lot_number, alert.bucket, alert.expiry_date, alert.quantity
        )
        for alert, sku, lot_number in created
    ]
    lines.sort(key=lambda line: (order.get(line.bucket, len(order)), line.sku))
    logger.info("expiry check for %s raised %d alerts", today, len(lines))
    return lines
