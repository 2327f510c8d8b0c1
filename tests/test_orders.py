from datetime import date

import pytest
from sqlmodel import select

from medstock.errors import ConflictError, NotFoundError, ValidationError
from medstock.ledger import check_ledger
from medstock.orders import cancel_order, mark_ordered, receive_order
from medstock.purchasing import reorder
from models import Lot, OrderStatus, PurchaseOrder, StockMovement, utcnow
from tests.factories import add_movement, add_order, add_product


def _heparin(session, stock=22):
    heparin = add_product(
        session, "MED-HEP-5K", stock=stock, min_stock=30, tracks_expiry=True
    )
    add_movement(session, heparin, "ADJUST", stock, heparin.created_at)
    session.add(Lot(product_id=heparin.id, lot_number="H1", quantity=stock))
    session.flush()
    return heparin


def test_an_order_goes_pending_ordered_received(session):
    heparin = _heparin(session)
    order = add_order(session, heparin, quantity=38)

    assert mark_ordered(session, order.id).status == OrderStatus.ORDERED
    received = receive_order(
        session, order.id, lot_number="H2207", expiry_date=date(2027, 5, 31)
    )
    session.commit()

    assert received.status == OrderStatus.RECEIVED
    assert heparin.stock == 60


def test_receiving_books_the_in_movement_and_the_lot_together(session):
    heparin = _heparin(session)
    order = add_order(session, heparin, quantity=38, status=OrderStatus.ORDERED)

    receive_order(session, order.id, lot_number="H2207", expiry_date=date(2027, 5, 31))
    session.commit()

    movement = session.exec(
        select(StockMovement).where(StockMovement.kind == "IN")
    ).one()
    assert (movement.product_id, movement.quantity, movement.reason) == (
        heparin.id,
        38,
        f"purchase order {order.id} received",
    )
    lot = session.exec(select(Lot).where(Lot.lot_number == "H2207")).one()
    assert (lot.product_id, lot.quantity, lot.expiry_date) == (
        heparin.id,
        38,
        date(2027, 5, 31),
    )
    assert check_ledger(session) == []


def test_a_tracked_product_is_received_only_with_lot_and_expiry(session):
    heparin = _heparin(session)
    order = add_order(session, heparin, quantity=38, status=OrderStatus.ORDERED)

    with pytest.raises(ValidationError) as caught:
        receive_order(session, order.id, lot_number="H2207")

    assert str(caught.value) == (
        f"MED-HEP-5K tracks expiry, so receiving purchase order {order.id} needs "
        "lot_number and expiry_date from the delivery label; got "
        "lot_number='H2207', expiry_date=None"
    )
    assert order.status == OrderStatus.ORDERED
    assert (
        session.exec(select(StockMovement).where(StockMovement.kind == "IN")).all()
        == []
    )


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (
            OrderStatus.PENDING,
            lambda s, i: receive_order(s, i),
            "purchase order {id} is PENDING and cannot become RECEIVED; from "
            "PENDING it can become ORDERED or CANCELLED",
        ),
        (
            OrderStatus.ORDERED,
            mark_ordered,
            "purchase order {id} is ORDERED and cannot become ORDERED; from "
            "ORDERED it can become RECEIVED or CANCELLED",
        ),
        (
            OrderStatus.RECEIVED,
            cancel_order,
            "purchase order {id} is RECEIVED and cannot become CANCELLED; from "
            "RECEIVED it can become nothing",
        ),
        (
            OrderStatus.CANCELLED,
            mark_ordered,
            "purchase order {id} is CANCELLED and cannot become ORDERED; from "
            "CANCELLED it can become nothing",
        ),
    ],
)
def test_an_invalid_transition_names_the_order_its_status_and_the_next_ones(
    session, status, action, message
):
    gloves = add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    order = add_order(session, gloves, quantity=62, status=status)

    with pytest.raises(ConflictError) as caught:
        action(session, order.id)

    assert str(caught.value) == message.format(id=order.id)
    assert order.status == status


def test_an_unknown_order_is_not_found(session):
    with pytest.raises(NotFoundError) as caught:
        cancel_order(session, 999)

    assert str(caught.value) == (
        "purchase order 999 does not exist; use the id of a listed order"
    )


def test_an_untracked_product_is_received_without_a_lot(session):
    gloves = add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    order = add_order(session, gloves, quantity=62, status=OrderStatus.ORDERED)

    receive_order(session, order.id)

    assert (gloves.stock, order.status) == (80, OrderStatus.RECEIVED)
    assert session.exec(select(Lot)).all() == []


def test_a_cancelled_order_makes_the_need_reappear_once_not_doubled(session):
    add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    [first] = reorder(session, now=utcnow(), run_id="run-1").lines
    session.commit()

    cancel_order(session, first.order_id)
    after_cancel = reorder(session, now=utcnow(), run_id="run-2").lines
    again = reorder(session, now=utcnow(), run_id="run-3").lines
    session.commit()

    orders = session.exec(select(PurchaseOrder).order_by(PurchaseOrder.id)).all()
    assert [(o.status, o.quantity, o.flow_run_id) for o in orders] == [
        (OrderStatus.CANCELLED, 62, "run-1"),
        (OrderStatus.PENDING, 62, "run-2"),
    ]
    assert ([line.quantity for line in after_cancel], again) == ([62], [])


def test_an_ordered_order_still_counts_so_no_new_order_is_raised(session):
    add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    [first] = reorder(session, now=utcnow(), run_id="run-1").lines
    mark_ordered(session, first.order_id)

    assert reorder(session, now=utcnow(), run_id="run-2").lines == []
