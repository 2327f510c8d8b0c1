"""Inventory report metrics as SQL aggregates, and their rendering."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from medstock.expiry import alerting_lots, bucket_case, bucket_order
from models import Lot, Product, moment

CRITICAL_LIST_LIMIT = 100

_TOTALS = """
SELECT COUNT(*), COALESCE(SUM(stock), 0), COALESCE(SUM(stock * unit_cost), 0),
       COALESCE(SUM(CASE WHEN stock < min_stock THEN 1 ELSE 0 END), 0)
FROM products
"""

_CRITICAL = """
SELECT sku, name, stock, min_stock
FROM products
WHERE stock < min_stock
ORDER BY CAST(stock AS FLOAT) / min_stock, sku
LIMIT :limit
"""

_MOVEMENTS = """
SELECT COUNT(*),
       COALESCE(SUM(CASE WHEN kind = 'IN' THEN quantity ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN kind = 'OUT' THEN quantity ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN kind = 'ADJUST' THEN quantity ELSE 0 END), 0)
FROM stock_movements
WHERE created_at >= :start AND created_at < :end
"""

_OPEN_ORDERS = """
SELECT COUNT(*), COALESCE(SUM(quantity), 0), COALESCE(SUM(quantity * unit_cost), 0)
FROM purchase_orders
WHERE status IN ('PENDING', 'ORDERED')
"""


_BY_CATEGORY = """
SELECT category, COUNT(*), COALESCE(SUM(stock), 0),
       COALESCE(SUM(stock * unit_cost), 0)
FROM products
GROUP BY category
ORDER BY category
"""

DEFAULT_HORIZONS = (30, 60, 90)


def _money(value: Any) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The start and end, in UTC, of `day` as lived in `timezone`."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def stock_value_by_category(session: Session) -> list[dict[str, Any]]:
    """Products, units and stock value of each category, by category name."""
    return [
        {
            "category": category,
            "products": int(products),
            "units": int(units),
            "value": _money(value),
        }
        for category, products, units, value in session.execute(text(_BY_CATEGORY))
    ]


def expiring_by_bucket(
    session: Session, *, day: date, horizons: Sequence[int]
) -> list[dict[str, Any]]:
    """Lots, units and value expired or expiring in each bucket, nearest first."""
    # Grouped outside the subquery: PostgreSQL does not see two bound CASEs as equal.
    lots = (
        alerting_lots(day, horizons)
        .with_only_columns(
            bucket_case(Lot.expiry_date, day, horizons).label("bucket"),
            col(Lot.quantity).label("units"),
            (col(Lot.quantity) * col(Product.unit_cost)).label("value"),
        )
        .subquery()
    )
    totals = {
        bucket: (count, units, value)
        for bucket, count, units, value in session.execute(
            select(
                lots.c.bucket,
                func.count(),
                func.sum(lots.c.units),
                func.sum(lots.c.value),
            ).group_by(lots.c.bucket)
        )
    }
    return [
        {
            "bucket": bucket,
            "lots": int(totals.get(bucket, (0, 0, 0))[0]),
            "units": int(totals.get(bucket, (0, 0, 0))[1]),
            "value": _money(totals.get(bucket, (0, 0, 0))[2]),
        }
        for bucket in bucket_order(horizons)
    ]


def compute_metrics(
    session: Session,
    *,
    day: date,
    timezone: str,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
) -> dict[str, Any]:
    """Every metric of the inventory report for `day`, computed in the database."""
    products, units, value, critical_count = session.execute(text(_TOTALS)).one()
    critical = session.execute(text(_CRITICAL), {"limit": CRITICAL_LIST_LIMIT}).all()

    start, end = day_bounds(day, timezone)
    movements = text(_MOVEMENTS).bindparams(moment("start"), moment("end"))
    moves, units_in, units_out, adjusted = session.execute(
        movements, {"start": start, "end": end}
    ).one()
    open_count, open_units, open_value = session.execute(text(_OPEN_ORDERS)).one()

    return {
        "report_date": day.isoformat(),
        "total_products": int(products),
        "total_units": int(units),
        "inventory_value": _money(value),
        "critical_count": int(critical_count),
        "critical_products": [
            {"sku": sku, "name": name, "stock": int(stock), "min_stock": int(minimum)}
            for sku, name, stock, minimum in critical
        ],
        "movements_today": {
            "count": int(moves),
            "units_in": int(units_in),
            "units_out": int(units_out),
            "units_adjusted": int(adjusted),
        },
        "open_orders": {
            "count": int(open_count),
            "units": int(open_units),
            "value": _money(open_value),
        },
        "stock_value_by_category": stock_value_by_category(session),
        "expiring": expiring_by_bucket(session, day=day, horizons=horizons),
    }


def render_markdown(metrics: dict[str, Any]) -> str:
    """The report as the markdown shown in the Prefect UI."""
    moves = metrics["movements_today"]
    orders = metrics["open_orders"]
    lines = [
        f"# Inventory report {metrics['report_date']}",
        "",
        "| metric | value |",
        "| --- | --- |",
        f"| products | {metrics['total_products']} |",
        f"| units in stock | {metrics['total_units']} |",
        f"| inventory value | {metrics['inventory_value']} |",
        f"| critical products | {metrics['critical_count']} |",
        f"| movements today | {moves['count']} |",
        f"| units in / out today | {moves['units_in']} / {moves['units_out']} |",
        f"| open purchase orders | {orders['count']} |",
        f"| units / value on order | {orders['units']} / {orders['value']} |",
    ]
    categories = metrics.get("stock_value_by_category", [])
    if categories:
        lines += ["", "## Stock value by category", ""]
        lines += [
            "| category | products | units | value |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| {c['category']} | {c['products']} | {c['units']} | {c['value']} |"
            for c in categories
        ]
    expiring = metrics.get("expiring", [])
    if expiring:
        lines += ["", "## Expired and expiring lots", ""]
        lines += ["| bucket | lots | units | value |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {e['bucket']} | {e['lots']} | {e['units']} | {e['value']} |"
            for e in expiring
        ]
    if metrics["critical_products"]:
        lines += ["", "## Critical products", "", "| sku | name | stock | minimum |"]
        lines.append("| --- | --- | --- | --- |")
        lines += [
            f"| {p['sku']} | {p['name']} | {p['stock']} | {p['min_stock']} |"
            for p in metrics["critical_products"]
        ]
    return "\n".join(lines)
