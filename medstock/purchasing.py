"""Raising and topping up purchase orders from projected stock, set-based in SQL."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from models import moment

# The rules of medstock.rules.order_quantity, written once as SQL so that a whole
# catalogue is handled by a few statements, whatever its size.
# TODO: on hand is `products.stock`, expired lots included, until their disposal
# is booked; deducting expired units here (and in the critical list) would reorder
# them before anyone books it.
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

# NOTE: the CTE sits inside the FROM, so that the statement starts with UPDATE:
# Python's sqlite3 reports no row count for one that starts with WITH.
_TOP_UP = (
    """
UPDATE purchase_orders
SET quantity = purchase_orders.quantity + extra.quantity, updated_at = :now
FROM ("""
    + _NEEDS
    + """
SELECT product_id, quantity FROM needs) AS extra
WHERE purchase_orders.product_id = extra.product_id
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

# The orders this run raised have ids above the highest one before it; nothing
# else has that id and time. SQLite walks the SKU index and stops at the limit, at
# worst one pass over the catalogue, as the INSERT makes anyway. (A status test
# would make it sort every PENDING order instead.)
_LAST_ID = "SELECT COALESCE(MAX(id), 0) FROM purchase_orders"

_RAISED = """
SELECT po.id, p.sku, po.quantity, po.quantity
FROM purchase_orders AS po
JOIN products AS p ON p.id = po.product_id
WHERE po.id > :after AND po.created_at = :now
ORDER BY p.sku
LIMIT :limit
"""


@dataclass(frozen=True)
class OrderLine:
    """One order that a stock check raised or topped up."""

    order_id: int
    sku: str
    quantity: int
    raised: bool
    added: int


@dataclass(frozen=True)
class Reorder:
    """What one stock check did: the first orders by SKU and the counts of all."""

    lines: list[OrderLine]
    raised: int
    topped_up: int


def reorder(
    session: Session, *, now: datetime, run_id: str | None, limit: int | None = None
) -> Reorder:
    """Top up PENDING orders, then raise one for every other product still short.

    Its lines are the orders touched, by SKU, at most `limit` of them when given.
    """
    # -1 is "no limit" to SQLite; PostgreSQL takes NULL for the same.
    no_limit = -1 if session.get_bind().dialect.name == "sqlite" else None
    params = {"now": now, "run": run_id, "limit": no_limit if limit is None else limit}
    # Read and UPDATE see the same orders in this transaction: when the read finds
    # none, there is nothing to top up (and likewise nothing raised to read back).
    topped_up = session.execute(text(_TOPPED_UP), params).all()
    topped_up_count = 0
    if topped_up:
        top_up = session.execute(text(_TOP_UP).bindparams(moment("now")), params)
        topped_up_count = _row_count(top_up)
    params["after"] = session.execute(text(_LAST_ID)).scalar_one()
    raise_ = session.execute(text(_RAISE).bindparams(moment("now")), params)
    raised_count = _row_count(raise_)
    raised: Sequence[Any] = []
    if raised_count:
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
    return Reorder(
        lines=sorted(lines, key=lambda line: line.sku)[:limit],
        raised=raised_count,
        topped_up=topped_up_count,
    )


def _row_count(result: Any) -> int:
    """The rows a data-changing statement touched, as the driver reports them."""
    count = int(result.rowcount)
    if count < 0:
        raise RuntimeError("the database driver reported no row count")
    return count
