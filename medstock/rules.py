"""Reorder rules as plain functions; the stock-check SQL applies the same ones."""


def is_critical(stock: int, min_stock: int) -> bool:
    """A product is critical when its stock on hand is below its minimum."""
    return stock < min_stock


def needs_order(stock: int, on_order: int, min_stock: int) -> bool:
    """An order is due when projected stock (on hand plus open orders) < minimum."""
    return stock + on_order < min_stock


def reorder_target(min_stock: int, max_stock: int | None) -> int:
    """The level an order fills up to: `max_stock` if set, else twice the minimum."""
    return max_stock if max_stock is not None else 2 * min_stock


def order_quantity(
    stock: int,
    min_stock: int,
    *,
    on_order: int = 0,
    max_stock: int | None = None,
    pack_size: int = 1,
) -> int:
    """Units that bring projected stock up to the target, in whole packs; 0 if none."""
    if not needs_order(stock, on_order, min_stock):
        return 0

    shortfall = reorder_target(min_stock, max_stock) - (stock + on_order)
    packs = -(-shortfall // pack_size)
    return packs * pack_size
