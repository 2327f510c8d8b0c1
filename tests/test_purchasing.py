from datetime import timedelta

import pytest
from sqlmodel import select

from medstock.purchasing import OrderLine, reorder
from medstock.rules import order_quantity
from models import OrderStatus, PurchaseOrder, utcnow
from tests.factories import add_order, add_product


def _orders(session):
    session.expire_all()
    return session.exec(select(PurchaseOrder).order_by(PurchaseOrder.product_id)).all()


def test_raises_one_pending_order_of_twice_the_minimum_less_stock(session):
    gloves = add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    add_product(session, "GLV-NIT-L", stock=55, min_stock=30)
    now = utcnow()

    lines = reorder(session, now=now, run_id="run-1")
    session.commit()

    [order] = _orders(session)
    assert (order.product_id, order.quantity, order.status) == (
        gloves.id,
        62,
        OrderStatus.PENDING,
    )
    assert order.flow_run_id == "run-1"
    assert order.unit_cost == gloves.unit_cost
    assert lines == [OrderLine(order.id, "GLV-NIT-M", 62, raised=True)]


def test_a_second_run_with_no_stock_change_raises_and_changes_nothing(session):
    add_product(session, "SYR-LL-3", stock=300, min_stock=600)
    reorder(session, now=utcnow(), run_id="run-1")
    session.commit()

    lines = reorder(session, now=utcnow() + timedelta(seconds=1), run_id="run-2")
    session.commit()

    assert lines == []
    assert [(o.quantity, o.flow_run_id) for o in _orders(session)] == [(900, "run-1")]


def test_a_short_pending_order_is_topped_up_instead_of_a_second_one(session):
    product = add_product(session, "CAN-IV-20G", stock=100, min_stock=150)
    manual = add_order(session, product, quantity=20, status=OrderStatus.PENDING)
    session.commit()

    lines = reorder(session, now=utcnow(), run_id="run-1")
    session.commit()

    [order] = _orders(session)
    # projected 100 + 20 = 120 < 150; the target 300 needs 180 more units.
    assert (order.id, order.quantity) == (manual.id, 200)
    assert lines == [OrderLine(manual.id, "CAN-IV-20G", 200, raised=False)]


def test_an_ordered_order_counts_and_a_new_pending_one_covers_the_rest(session):
    product = add_product(session, "IVF-RL-1000", stock=10, min_stock=100)
    add_order(session, product, quantity=40, status=OrderStatus.ORDERED)
    session.commit()

    reorder(session, now=utcnow(), run_id="run-1")
    session.commit()

    assert [(o.status, o.quantity) for o in _orders(session)] == [
        (OrderStatus.ORDERED, 40),
        (OrderStatus.PENDING, 150),
    ]


def test_received_and_cancelled_orders_do_not_count(session):
    product = add_product(session, "DRS-GAU-5", stock=180, min_stock=300)
    add_order(session, product, quantity=500, status=OrderStatus.RECEIVED)
    add_order(session, product, quantity=500, status=OrderStatus.CANCELLED)
    session.commit()

    [line] = reorder(session, now=utcnow(), run_id="run-1")

    assert line.quantity == 420


@pytest.mark.parametrize(
    ("stock", "min_stock", "max_stock", "pack_size", "on_order"),
    [
        (18, 40, None, 1, 0),
        (18, 40, 100, 1, 0),
        (18, 40, None, 25, 0),
        (3, 40, 97, 12, 0),
        (10, 40, None, 1, 20),
        (0, 1, None, 1, 0),
        (0, 7, 7, 5, 0),
    ],
)
def test_the_sql_orders_exactly_what_the_rule_says(
    session, stock, min_stock, max_stock, pack_size, on_order
):
    product = add_product(
        session,
        "RULE-1",
        stock=stock,
        min_stock=min_stock,
        max_stock=max_stock,
        pack_size=pack_size,
    )
    if on_order:
        add_order(session, product, quantity=on_order, status=OrderStatus.ORDERED)
    session.commit()

    lines = reorder(session, now=utcnow(), run_id="run-1")

    expected = order_quantity(
        stock,
        min_stock,
        on_order=on_order,
        max_stock=max_stock,
        pack_size=pack_size,
    )
    assert [line.quantity for line in lines] == [expected]
