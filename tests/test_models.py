import pytest
from sqlalchemy.exc import IntegrityError

from models import OrderStatus
from tests.factories import add_movement, add_order, add_product


def test_a_sku_is_unique(session):
    add_product(session, "GLV-NIT-M")

    with pytest.raises(IntegrityError):
        add_product(session, "GLV-NIT-M")


@pytest.mark.parametrize(
    "fields",
    [
        {"min_stock": -1},
        {"unit_cost": -1},
        {"stock": -1},
        {"pack_size": 0},
        {"min_stock": 10, "max_stock": 9},
    ],
)
def test_the_database_refuses_impossible_product_numbers(session, fields):
    with pytest.raises(IntegrityError):
        add_product(session, "BAD-1", **fields)


def test_an_order_quantity_must_be_positive(session):
    product = add_product(session, "SYR-LL-3")

    with pytest.raises(IntegrityError):
        add_order(session, product, quantity=0)


def test_a_product_has_at_most_one_pending_order(session):
    product = add_product(session, "SYR-LL-3")
    add_order(session, product, status=OrderStatus.PENDING)
    add_order(session, product, status=OrderStatus.ORDERED)
    add_order(session, product, status=OrderStatus.RECEIVED)

    with pytest.raises(IntegrityError):
        add_order(session, product, status=OrderStatus.PENDING)


def test_an_unknown_order_status_is_refused(session):
    product = add_product(session, "SYR-LL-3")

    with pytest.raises(IntegrityError):
        add_order(session, product, status="LOST")


def test_an_out_movement_must_be_positive(session):
    product = add_product(session, "SYR-LL-3")

    with pytest.raises(IntegrityError):
        add_movement(session, product, "OUT", -3, product.created_at)
