"""`medstock stock` and `medstock orders`, through the command line, on a real db."""

from datetime import UTC, date, datetime

from sqlmodel import select
from typer.testing import CliRunner

from medstock.cli import app
from models import Lot, OrderStatus, StockMovement
from tests.factories import add_order, add_product

runner = CliRunner()


def test_stock_in_out_and_adjust_book_movements_and_print_the_stock(session):
    add_product(session, "GLV-NIT-M", stock=18)
    session.commit()

    outputs = [
        runner.invoke(app, args).output
        for args in (
            ["stock", "in", "GLV-NIT-M", "20", "--reason", "delivery"],
            ["stock", "out", "GLV-NIT-M", "5", "--reason", "ward 3"],
            ["stock", "adjust", "GLV-NIT-M", "-3", "--reason", "count"],
        )
    ]

    assert outputs == [
        "booked movement 1: IN 20 of GLV-NIT-M, stock now 38\n",
        "booked movement 2: OUT 5 of GLV-NIT-M, stock now 33\n",
        "booked movement 3: ADJUST -3 of GLV-NIT-M, stock now 30\n",
    ]
    assert [
        (m.kind, m.quantity, m.reason) for m in session.exec(select(StockMovement))
    ] == [("IN", 20, "delivery"), ("OUT", 5, "ward 3"), ("ADJUST", -3, "count")]


def test_stock_in_of_a_tracked_product_creates_its_lot(session):
    heparin = add_product(session, "MED-HEP-5K", stock=0, tracks_expiry=True)
    session.commit()

    result = runner.invoke(
        app,
        ["stock", "in", "MED-HEP-5K", "30", "--reason", "delivery"]
        + ["--lot", "H2207", "--expiry", "2027-05-31"],
    )

    assert result.output == "booked movement 1: IN 30 of MED-HEP-5K, stock now 30\n"
    lot = session.exec(select(Lot).where(Lot.product_id == heparin.id)).one()
    assert (lot.lot_number, lot.expiry_date, lot.quantity) == (
        "H2207",
        date(2027, 5, 31),
        30,
    )


def test_stock_in_of_a_new_lot_without_expiry_is_refused(session):
    add_product(session, "MED-HEP-5K", stock=0, tracks_expiry=True)
    session.commit()

    result = runner.invoke(
        app, ["stock", "in", "MED-HEP-5K", "30", "--reason", "x", "--lot", "H1"]
    )

    assert str(result.exception) == (
        "lot 'H1' of MED-HEP-5K is new, so it needs the expiry date from the "
        "delivery label; give expiry_date (YYYY-MM-DD), or name an existing lot"
    )
    assert session.exec(select(StockMovement)).all() == []


def test_a_negative_out_is_refused_by_the_ledger_rule_not_as_an_option(session):
    add_product(session, "GLV-NIT-M", stock=18)
    session.commit()

    result = runner.invoke(app, ["stock", "out", "GLV-NIT-M", "-5", "--reason", "x"])

    assert str(result.exception) == (
        "quantity -5 of an OUT movement of GLV-NIT-M is not above 0; give the "
        "number of units moved"
    )
    assert session.exec(select(StockMovement)).all() == []


def test_an_unknown_sku_is_refused_saying_how_to_add_it(database_url):
    result = runner.invoke(app, ["stock", "out", "GLV-NIT-Q", "1", "--reason", "x"])

    assert str(result.exception) == (
        "no product has the SKU 'GLV-NIT-Q'; check the spelling (SKUs are case "
        "sensitive), or add it with `medstock import products`"
    )


def _orders(session):
    gloves = add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    syringes = add_product(session, "SYR-LL-3", stock=300, min_stock=600)
    moment = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    first = add_order(session, gloves, quantity=62, created_at=moment)
    second = add_order(
        session,
        syringes,
        quantity=900,
        status=OrderStatus.ORDERED,
        created_at=moment,
    )
    session.commit()
    return first, second


def test_orders_list_shows_the_newest_first_and_filters_by_status(session):
    _orders(session)

    every = runner.invoke(app, ["orders", "list"])
    ordered = runner.invoke(app, ["orders", "list", "--status", "ordered"])
    limited = runner.invoke(app, ["orders", "list", "--limit", "1"])

    assert every.output.splitlines() == [
        "   id  status     sku        quantity  created",
        "    2  ORDERED    SYR-LL-3        900  2026-03-10",
        "    1  PENDING    GLV-NIT-M        62  2026-03-10",
        "2 purchase orders",
    ]
    assert ordered.output.splitlines()[1:] == [
        "    2  ORDERED    SYR-LL-3       900  2026-03-10",
        "1 purchase order",
    ]
    assert limited.output.splitlines()[-1] == (
        "1 of 2 purchase orders; narrow with --status or raise --limit"
    )


def test_orders_list_refuses_an_unknown_status(database_url):
    result = runner.invoke(app, ["orders", "list", "--status", "LOST"])

    assert result.exit_code == 2
    assert (
        "'LOST' is not an order status; use one of PENDING, ORDERED, RECEIVED, "
        "CANCELLED" in " ".join(result.output.replace("│", " ").split())
    )


def test_an_order_is_marked_ordered_received_and_another_cancelled(session):
    first, second = _orders(session)

    outputs = [
        runner.invoke(app, ["orders", *args]).output
        for args in (
            ["mark-ordered", str(first.id)],
            ["receive", str(first.id)],
            ["cancel", str(second.id)],
        )
    ]

    assert outputs == [
        "purchase order 1 for GLV-NIT-M is now ORDERED\n",
        "purchase order 1 for GLV-NIT-M is now RECEIVED: 62 units in, stock now 80\n",
        "purchase order 2 for SYR-LL-3 is now CANCELLED\n",
    ]


def test_receiving_a_tracked_order_takes_lot_and_expiry(session):
    heparin = add_product(session, "MED-HEP-5K", stock=0, tracks_expiry=True)
    order = add_order(session, heparin, quantity=1, status=OrderStatus.ORDERED)
    session.commit()

    refused = runner.invoke(app, ["orders", "receive", str(order.id)])
    received = runner.invoke(
        app,
        ["orders", "receive", str(order.id), "--lot", "H1", "--expiry", "2027-05-31"],
    )

    assert str(refused.exception) == (
        "MED-HEP-5K tracks expiry, so receiving purchase order 1 needs lot_number "
        "and expiry_date from the delivery label; got lot_number=None, "
        "expiry_date=None"
    )
    assert received.output == (
        "purchase order 1 for MED-HEP-5K is now RECEIVED: 1 unit in, stock now 1\n"
    )


def test_a_closed_order_cannot_be_cancelled(session):
    first, _second = _orders(session)
    runner.invoke(app, ["orders", "cancel", str(first.id)])

    result = runner.invoke(app, ["orders", "cancel", str(first.id)])

    assert str(result.exception) == (
        "purchase order 1 is CANCELLED and cannot become CANCELLED; from CANCELLED "
        "it can become nothing"
    )
