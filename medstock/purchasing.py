"""Raising and topping up purchase orders from projected stock, set-based in SQL."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from models import moment

# The rules of medstock.rules.order_quantity, written once as SQL so that a whole
# catalogue is handled by three statements, whatever its size.
_ON_ORDER = """
WITH on_order AS (
    SELECT product_id, SUM(quantity) AS units,
           MAX(CASE WHEN status = 'PENDING' THEN 1 ELSE 0 END) AS pending
    FROM purchase_orders
    WHERE status IN ('PENDING', 'ORDERED')
    GROUP BY product_id
)"""

_QUANTITY = """(
            COALESCE(p.max_stock, 2 * p.min_stock) - p.stock
            - COALESCE(o.units, 0) + p.pack_size - 1
        ) / p.pack_size * p.pack_size"""

# NOTE: driven by the PENDING orders (a partial index), not by the catalogue, so a
# run with nothing to top up costs nothing however many products there are.
_NEEDS = (
    _ON_ORDER
    + """, needs AS (
    SELECT p.id AS product_id, pending.id AS order_id, p.sku,
           pending.quantity AS ordered, """
    + _QUANTITY
    + """ AS quantity
    FROM purchase_orders AS pending
    JOIN products AS p ON p.id = pending.product_id
    JOIN on_order AS o ON o.product_id = p.id
    WHERE pending.status = 'PENDING' AND p.stock + o.units < p.min_stock
)"""
)

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

# Read before the UPDATE: it cannot return the old quantity on both backends.
_TOPPED_UP = (
    _NEEDS
    + """
SELECT order_id, sku, ordered + quantity, quantity
FROM needs
ORDER BY sku
LIMIT :limit
"""
)

# Open orders only add stock (their quantity is positive), so `stock < min_stock`
# is implied and lets the database skip the join for most of the catalogue.
# NOTE: "has a PENDING order" comes from the on_order snapshot, not from a NOT
# EXISTS on the table being inserted into: PostgreSQL planned that as a nested
# loop over the new rows, quadratic in the number of orders raised.
_RAISE = (
    """
INSERT INTO purchase_orders
    (product_id, quantity, unit_cost, status, flow_run_id, created_at, updated_at)
"""
    + _ON_ORDER
    + """
SELECT p.id, """
    + _QUANTITY
    + """, p.unit_cost, 'PENDING', :run, :now, :now
FROM products AS p
LEFT JOIN on_order AS o ON o.product_id = p.id
WHERE p.stock < p.min_stock
  AND p.stock + COALESCE(o.units, 0) < p.min_stock
  AND COALESCE(o.pending, 0) = 0
"""
)

_RAISED = """
SELECT po.id, p.sku, po.quantity, po.quantity
FROM purchase_orders AS po
JOIN products AS p ON p.id = po.product_id
WHERE po.status = 'PENDING' AND po.created_at = :now
ORDER BY p.sku
LIMIT :limit
"""

_COUNTS = """
SELECT COALESCE(SUM(CASE WHEN created_at = :now THEN 1 ELSE 0 END), 0), COUNT(*)
FROM purchase_orders
WHERE status = 'PENDING' AND updated_at = :now
"""


@dataclass(frozen=True)
class OrderLine:
    """One order that a stock check raised or topped up."""

    order_id: int
    sku: str
    quantity: int
    raised: bool
    added: int


def reorder(
    session: Session, *, now: datetime, run_id: str | None, limit: int | None = None
) -> list[OrderLine]:
    """Top up PENDING orders, then raise one for every other product still short.

    Returns the orders touched, by SKU, at most `limit` of them when given.
    """
    # -1 is "no limit" to SQLite; PostgreSQL takes NULL for the same.
    no_limit = -1 if session.get_bind().dialect.name == "sqlite" else None
    params = {"now": now, "run": run_id, "limit": no_limit if limit is None else limit}
    topped_up = session.execute(text(_TOPPED_UP), params).all()
    session.execute(text(_TOP_UP).bindparams(moment("now")), params)
    session.execute(text(_RAISE).bindparams(moment("now")), params)
    raised = session.execute(text(_RAISED).bindparams(moment("now")), params).all()

    lines = [
        OrderLine(order_id, sku, total, raised=False, added=added)
        for order_id, sku, total, added in topped_up
    ]
    lines += [
        OrderLine(order_id, sku, total, raised=True, added=added)
        for order_id, sku, total, added in raised
    ]
    # Each part holds its first `limit` SKUs, so together they hold the first.
    return sorted(lines, key=lambda line: line.sku)[:limit]


def count_reorders(session: Session, *, now: datetime) -> tuple[int, int]:
    """How many orders the stock check at `now` raised and topped up."""
    counts = text(_COUNTS).bindparams(moment("now"))
    raised, touched = session.execute(counts, {"now": now}).one()
    return int(raised), int(touched) - int(raised)
