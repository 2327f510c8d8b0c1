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

    lines = reorder(session, now=now, run_id="run-1").lines
    session.commit()

    [order] = _orders(session)
    assert (order.product_id, order.quantity, order.status) == (
        gloves.id,
        62,
        OrderStatus.PENDING,
    )
    assert order.flow_run_id == "run-1"
    assert order.unit_cost == gloves.unit_cost
    assert lines == [OrderLine(order.id, "GLV-NIT-M", 62, raised=True, added=62)]


def test_a_second_run_with_no_stock_change_raises_and_changes_nothing(session):
    add_product(session, "SYR-LL-3", stock=300, min_stock=600)
    reorder(session, now=utcnow(), run_id="run-1")
    session.commit()

    lines = reorder(session, now=utcnow() + timedelta(seconds=1), run_id="run-2").lines
    session.commit()

    assert lines == []
    assert [(o.quantity, o.flow_run_id) for o in _orders(session)] == [(900, "run-1")]


def test_a_short_pending_order_is_topped_up_instead_of_a_second_one(session):
    product = add_product(session, "CAN-IV-20G", stock=100, min_stock=150)
    manual = add_order(session, product, quantity=20, status=OrderStatus.PENDING)
    session.commit()

    lines = reorder(session, now=utcnow(), run_id="run-1").lines
    session.commit()

    [order] = _orders(session)
    # projected 100 + 20 = 120 < 150; the target 300 needs 180 more units.
    assert (order.id, order.quantity) == (manual.id, 200)
    assert lines == [OrderLine(manual.id, "CAN-IV-20G", 200, raised=False, added=180)]


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

    [line] = reorder(session, now=utcnow(), run_id="run-1").lines

    assert line.quantity == 420


@pytest.mark.parametrize(
    ("stock", "min_stock", "max_stock", "pack_size", "on_order", "quantity"),
    [
        # 2 * 40 - 18
        (18, 40, None, 1, 0, 62),
        # 100 - 18
        (18, 40, 100, 1, 0, 82),
        # 62 rounded up to packs of 25
        (18, 40, None, 25, 0, 75),
        # 97 - 3 = 94, rounded up to packs of 12
        (3, 40, 97, 12, 0, 96),
        # projected 10 + 20 ordered = 30; 80 - 30
        (10, 40, None, 1, 20, 50),
        (0, 1, None, 1, 0, 2),
        # 7 rounded up to packs of 5 passes the maximum: whole packs win
        (0, 7, 7, 5, 0, 10),
    ],
)
def test_the_sql_orders_exactly_what_the_rule_says(
    session, stock, min_stock, max_stock, pack_size, on_order, quantity
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

    lines = reorder(session, now=utcnow(), run_id="run-1").lines

    rule = order_quantity(
        stock,
        min_stock,
        on_order=on_order,
        max_stock=max_stock,
        pack_size=pack_size,
    )
    assert ([line.quantity for line in lines], rule) == ([quantity], quantity)


def test_a_top_up_is_rounded_to_whole_packs(session):
    product = add_product(session, "CAN-IV-20G", stock=100, min_stock=150, pack_size=25)
    manual = add_order(session, product, quantity=20, status=OrderStatus.PENDING)
    session.commit()

    lines = reorder(session, now=utcnow(), run_id="run-1").lines

    # projected 120; 300 - 120 = 180 rounds up to 200, on top of the 20 ordered.
    assert lines == [OrderLine(manual.id, "CAN-IV-20G", 220, raised=False, added=200)]


def test_a_re_run_leaves_every_order_row_untouched(session):
    add_product(session, "SYR-LL-3", stock=300, min_stock=600)
    add_product(session, "NDL-HYP-23G", stock=260, min_stock=400, pack_size=100)
    reorder(session, now=utcnow(), run_id="run-1")
    session.commit()
    before = [o.model_dump() for o in _orders(session)]

    reorder(session, now=utcnow() + timedelta(seconds=1), run_id="run-2")
    session.commit()

    assert [o.model_dump() for o in _orders(session)] == before
    assert [row["quantity"] for row in before] == [900, 600]


def test_a_limit_returns_the_first_lines_and_the_counts_cover_them_all(session):
    add_product(session, "B-2", stock=1, min_stock=5)
    add_product(session, "A-1", stock=2, min_stock=5)
    topped = add_product(session, "C-3", stock=0, min_stock=5)
    add_order(session, topped, quantity=1, status=OrderStatus.PENDING)
    session.commit()
    now = utcnow()

    done = reorder(session, now=now, run_id="run-1", limit=1)

    assert [(line.sku, line.quantity, line.raised) for line in done.lines] == [
        ("A-1", 8, True)
    ]
    assert (done.raised, done.topped_up) == (2, 1)
