"""Raising and topping up purchase orders from projected stock, set-based in SQL."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from models import moment

# The rules of medstock.rules.order_quantity, written once as SQL so that a whole
# catalogue is handled by three statements, whatever its size.
_NEEDS = """
WITH on_order AS (
    SELECT product_id, SUM(quantity) AS units
    FROM purchase_orders
    WHERE status IN ('PENDING', 'ORDERED')
    GROUP BY product_id
), needs AS (
    SELECT
        p.id AS product_id,
        p.unit_cost AS unit_cost,
        (
            COALESCE(p.max_stock, 2 * p.min_stock) - p.stock
            - COALESCE(o.units, 0) + p.pack_size - 1
        ) / p.pack_size * p.pack_size AS quantity
    FROM products AS p
    LEFT JOIN on_order AS o ON o.product_id = p.id
    WHERE p.stock + COALESCE(o.units, 0) < p.min_stock
)
"""

_TOP_UP = (
    _NEEDS
    + """
UPDATE purchase_orders
SET quantity = purchase_orders.quantity + needs.quantity, updated_at = :now
FROM needs
WHERE purchase_orders.product_id = needs.product_id
  AND purchase_orders.status = 'PENDING'
"""
)

_RAISE = (
    """
INSERT INTO purchase_orders
    (product_id, quantity, unit_cost, status, flow_run_id, created_at, updated_at)
"""
    + _NEEDS
    + """
SELECT needs.product_id, needs.quantity, needs.unit_cost, 'PENDING', :run, :now, :now
FROM needs
WHERE NOT EXISTS (
    SELECT 1 FROM purchase_orders AS x
    WHERE x.product_id = needs.product_id AND x.status = 'PENDING'
)
"""
)

_TOUCHED = """
SELECT po.id, p.sku, po.quantity, po.created_at = :now AS raised
FROM purchase_orders AS po
JOIN products AS p ON p.id = po.product_id
WHERE po.status = 'PENDING' AND po.updated_at = :now
ORDER BY p.sku
"""


@dataclass(frozen=True)
class OrderLine:
    """One order that a stock check raised or topped up."""

    order_id: int
    sku: str
    quantity: int
    raised: bool


def reorder(session: Session, *, now: datetime, run_id: str | None) -> list[OrderLine]:
    """Top up PENDING orders, then raise one for every other product still short."""
    params = {"now": now, "run": run_id}
    session.execute(text(_TOP_UP).bindparams(moment("now")), params)
    session.execute(text(_RAISE).bindparams(moment("now")), params)

    touched = text(_TOUCHED).bindparams(moment("now"))
    rows = session.execute(touched, {"now": now}).all()
    return [OrderLine(row[0], row[1], row[2], bool(row[3])) for row in rows]
