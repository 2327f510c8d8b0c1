import pytest

from medstock.rules import is_critical, needs_order, order_quantity, reorder_target


@pytest.mark.parametrize(
    ("stock", "min_stock", "critical"), [(4, 5, True), (5, 5, False), (0, 0, False)]
)
def test_a_product_is_critical_only_below_its_minimum(stock, min_stock, critical):
    assert is_critical(stock, min_stock) is critical


def test_open_orders_count_towards_projected_stock():
    assert needs_order(stock=3, on_order=0, min_stock=10) is True
    assert needs_order(stock=3, on_order=7, min_stock=10) is False
    assert needs_order(stock=3, on_order=6, min_stock=10) is True


def test_the_target_is_the_maximum_when_set_else_twice_the_minimum():
    assert reorder_target(min_stock=40, max_stock=None) == 80
    assert reorder_target(min_stock=40, max_stock=100) == 100


@pytest.mark.parametrize(
    ("kwargs", "quantity"),
    [
        # The source rule: 2 * min_stock - stock.
        ({"stock": 18, "min_stock": 40}, 62),
        ({"stock": 0, "min_stock": 40}, 80),
        # At or above the minimum nothing is ordered.
        ({"stock": 40, "min_stock": 40}, 0),
        ({"stock": 90, "min_stock": 40}, 0),
        # A maximum replaces twice the minimum as the target.
        ({"stock": 18, "min_stock": 40, "max_stock": 100}, 82),
        # Whole packs, rounded up.
        ({"stock": 18, "min_stock": 40, "pack_size": 25}, 75),
        ({"stock": 15, "min_stock": 40, "pack_size": 25}, 75),
        ({"stock": 18, "min_stock": 40, "max_stock": 100, "pack_size": 50}, 100),
        # Open orders are part of the projection.
        ({"stock": 10, "min_stock": 40, "on_order": 20}, 50),
        ({"stock": 10, "min_stock": 40, "on_order": 30}, 0),
    ],
)
def test_order_quantity_fills_projected_stock_up_to_the_target(kwargs, quantity):
    assert order_quantity(**kwargs) == quantity
