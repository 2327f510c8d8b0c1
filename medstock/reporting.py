"""Inventory report metrics as SQL aggregates, and their rendering."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session

from models import moment

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


def _money(value: Any) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The start and end, in UTC, of `day` as lived in `timezone`."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def compute_metrics(session: Session, *, day: date, timezone: str) -> dict[str, Any]:
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
    if metrics["critical_products"]:
        lines += ["", "## Critical products", "", "| sku | name | stock | minimum |"]
        lines.append("| --- | --- | --- | --- |")
        lines += [
            f"| {p['sku']} | {p['name']} | {p['stock']} | {p['min_stock']} |"
            for p in metrics["critical_products"]
        ]
    return "\n".join(lines)
