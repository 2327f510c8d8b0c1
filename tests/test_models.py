import pytest
from sqlalchemy.exc import IntegrityError

from models import OrderStatus, PurchaseOrder, RunStatus, TaskLog
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


@pytest.mark.parametrize(
    ("kind", "quantity"),
    [("OUT", -3), ("IN", -3), ("IN", 0), ("ADJUST", 0), ("LOST", 3)],
)
def test_the_database_refuses_an_impossible_movement(session, kind, quantity):
    product = add_product(session, "SYR-LL-3")

    with pytest.raises(IntegrityError):
        add_movement(session, product, kind, quantity, product.created_at)


def test_a_negative_adjustment_is_accepted(session):
    product = add_product(session, "SYR-LL-3")

    movement = add_movement(session, product, "ADJUST", -3, product.created_at)

    assert (movement.kind, movement.quantity) == ("ADJUST", -3)


def test_an_order_unit_cost_must_not_be_negative(session):
    product = add_product(session, "SYR-LL-3")

    with pytest.raises(IntegrityError):
        add_order(session, product, unit_cost=-1)


def test_an_order_must_name_an_existing_product(session):
    session.add(PurchaseOrder(product_id=999, quantity=10))

    with pytest.raises(IntegrityError):
        session.flush()


def test_a_flow_run_has_at_most_one_task_log(session):
    session.add(
        TaskLog(agent="stock-check", flow_run_id="r1", status=RunStatus.RUNNING)
    )
    session.flush()
    session.add(
        TaskLog(agent="stock-check", flow_run_id="r1", status=RunStatus.SUCCESS)
    )

    with pytest.raises(IntegrityError):
        session.flush()
