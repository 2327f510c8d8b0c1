from datetime import date

import pytest
from sqlmodel import select

from medstock.errors import InsufficientStockError, NotFoundError, ValidationError
from medstock.ledger import LedgerDifference, check_ledger, record_movement
from models import Lot, MovementKind, StockMovement
from tests.factories import add_lot, add_movement, add_product


def _lots(session, product):
    session.expire_all()
    return [
        (lot.lot_number, lot.expiry_date, lot.quantity)
        for lot in session.exec(
            select(Lot).where(Lot.product_id == product.id).order_by(Lot.lot_number)
        )
    ]


def _tracked(session, stock=0, **fields):
    return add_product(session, "MED-HEP-5K", stock=stock, tracks_expiry=True, **fields)


def test_an_in_movement_creates_the_lot_and_adds_to_stock(session):
    heparin = _tracked(session)

    movement = record_movement(
        session,
        product_id=heparin.id,
        kind=MovementKind.IN,
        quantity=30,
        reason="delivery",
        lot_number="H2207",
        expiry_date=date(2027, 5, 31),
    )
    session.commit()

    assert (movement.kind, movement.quantity, movement.reason) == ("IN", 30, "delivery")
    assert heparin.stock == 30
    assert _lots(session, heparin) == [("H2207", date(2027, 5, 31), 30)]


def test_a_second_in_of_the_same_lot_tops_it_up(session):
    heparin = _tracked(session, stock=30)
    add_lot(session, heparin, "H2207", 30, date(2027, 5, 31))

    record_movement(
        session,
        product_id=heparin.id,
        kind=MovementKind.IN,
        quantity=12,
        reason="delivery",
        lot_number="H2207",
    )
    session.commit()

    assert heparin.stock == 42
    assert _lots(session, heparin) == [("H2207", date(2027, 5, 31), 42)]


def test_an_out_takes_first_expiry_first_across_two_lots(session):
    heparin = _tracked(session, stock=50)
    add_lot(session, heparin, "LATE", 30, date(2027, 9, 30))
    add_lot(session, heparin, "EARLY", 20, date(2027, 1, 31))

    record_movement(
        session,
        product_id=heparin.id,
        kind=MovementKind.OUT,
        quantity=26,
        reason="ward consumption",
    )
    session.commit()

    assert heparin.stock == 24
    assert _lots(session, heparin) == [
        ("EARLY", date(2027, 1, 31), 0),
        ("LATE", date(2027, 9, 30), 24),
    ]


def test_lots_without_an_expiry_date_are_taken_last(session):
    heparin = _tracked(session, stock=15)
    add_lot(session, heparin, "UNDATED", 10, None)
    add_lot(session, heparin, "DATED", 5, date(2030, 1, 1))

    record_movement(
        session, product_id=heparin.id, kind=MovementKind.OUT, quantity=7, reason="use"
    )

    assert _lots(session, heparin) == [
        ("DATED", date(2030, 1, 1), 0),
        ("UNDATED", None, 8),
    ]


def test_an_out_larger_than_the_stock_is_refused_and_changes_nothing(session):
    gloves = add_product(session, "GLV-NIT-M", stock=18)
    session.commit()

    with pytest.raises(InsufficientStockError) as caught:
        record_movement(
            session,
            product_id=gloves.id,
            kind=MovementKind.OUT,
            quantity=19,
            reason="ward consumption",
        )
    session.rollback()

    assert str(caught.value) == (
        "cannot take 19 units from GLV-NIT-M: only 18 on hand; book a smaller "
        "quantity or receive stock first"
    )
    session.expire_all()
    assert gloves.stock == 18
    assert session.exec(select(StockMovement)).all() == []


def test_an_adjust_is_signed_and_books_the_difference(session):
    gloves = add_product(session, "GLV-NIT-M", stock=18)

    record_movement(
        session,
        product_id=gloves.id,
        kind=MovementKind.ADJUST,
        quantity=-3,
        reason="count",
    )
    record_movement(
        session,
        product_id=gloves.id,
        kind=MovementKind.ADJUST,
        quantity=5,
        reason="found in store",
    )
    session.commit()

    assert gloves.stock == 20
    moves = session.exec(select(StockMovement).order_by(StockMovement.id)).all()
    assert [(m.kind, m.quantity) for m in moves] == [("ADJUST", -3), ("ADJUST", 5)]


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        (
            {"kind": MovementKind.IN, "quantity": 5, "reason": "delivery"},
            ValidationError,
            "MED-HEP-5K tracks expiry, so adding stock needs a lot number; give "
            "lot_number (and expiry_date for a new lot)",
        ),
        (
            {"kind": MovementKind.OUT, "quantity": 0, "reason": "use"},
            ValidationError,
            "quantity 0 of an OUT movement of MED-HEP-5K is not above 0; give the "
            "number of units moved",
        ),
        (
            {"kind": MovementKind.ADJUST, "quantity": 0, "reason": "count"},
            ValidationError,
            "quantity 0 of an ADJUST movement of MED-HEP-5K changes nothing; give "
            "the signed difference, such as -3 or 12",
        ),
        (
            {"kind": MovementKind.OUT, "quantity": 1, "reason": " "},
            ValidationError,
            "reason ' ' of a movement of MED-HEP-5K must be 1 to 200 characters; "
            "say why the stock changed",
        ),
        (
            {
                "kind": MovementKind.OUT,
                "quantity": 1,
                "reason": "disposal",
                "lot_number": "NOPE",
            },
            NotFoundError,
            "MED-HEP-5K has no lot 'NOPE'; name one of its lots or leave the lot "
            "out to take first-expiry-first-out",
        ),
    ],
)
def test_a_movement_that_breaks_a_rule_is_refused_naming_it(
    session, fields, error, message
):
    heparin = _tracked(session, stock=5)

    with pytest.raises(error) as caught:
        record_movement(session, product_id=heparin.id, **fields)

    assert str(caught.value) == message


def test_an_untracked_product_takes_no_lot(session):
    gloves = add_product(session, "GLV-NIT-M", stock=18)

    with pytest.raises(ValidationError) as caught:
        record_movement(
            session,
            product_id=gloves.id,
            kind=MovementKind.IN,
            quantity=5,
            reason="delivery",
            lot_number="X1",
        )

    assert str(caught.value) == (
        "GLV-NIT-M does not track expiry, so its stock has no lots; leave "
        "lot_number and expiry_date out"
    )


def test_an_unknown_product_is_not_found(session):
    with pytest.raises(NotFoundError) as caught:
        record_movement(
            session, product_id=404, kind=MovementKind.OUT, quantity=1, reason="use"
        )

    assert str(caught.value) == (
        "product 404 does not exist; use the id of a listed product"
    )


def test_the_ledger_check_reports_stock_that_disagrees_with_movements_or_lots(
    session,
):
    at = date(2026, 3, 10)
    gloves = add_product(session, "GLV-NIT-M", stock=18)
    add_movement(session, gloves, "ADJUST", 20, gloves.created_at)
    add_movement(session, gloves, "OUT", 2, gloves.created_at)
    heparin = _tracked(session, stock=10)
    add_movement(session, heparin, "IN", 10, heparin.created_at)
    add_lot(session, heparin, "H1", 7, at)
    masks = add_product(session, "PPE-MSK-SUR", stock=5)
    add_movement(session, masks, "IN", 4, masks.created_at)
    session.commit()

    differences = check_ledger(session)

    assert differences == [
        LedgerDifference(heparin.id, "MED-HEP-5K", 10, 10, 7),
        LedgerDifference(masks.id, "PPE-MSK-SUR", 5, 4, None),
    ]
    assert str(differences[0]) == "MED-HEP-5K: stock 10, ledger 10, lots 7"


def test_movements_booked_through_the_ledger_always_check_clean(session):
    heparin = _tracked(session)
    for kind, quantity, lot in [
        (MovementKind.IN, 40, "A"),
        (MovementKind.IN, 15, "B"),
        (MovementKind.OUT, 42, None),
        (MovementKind.ADJUST, -2, None),
    ]:
        record_movement(
            session,
            product_id=heparin.id,
            kind=kind,
            quantity=quantity,
            reason="test",
            lot_number=lot,
            expiry_date=date(2027, 1, 1) if lot else None,
        )
    session.commit()

    assert (heparin.stock, check_ledger(session)) == (11, [])


def test_consumption_skips_expired_lots(session):
    heparin = _tracked(session, stock=30)
    add_lot(session, heparin, "EXPIRED", 10, date(2027, 3, 1))
    add_lot(session, heparin, "GOOD", 20, date(2027, 9, 30))

    record_movement(
        session,
        product_id=heparin.id,
        kind=MovementKind.OUT,
        quantity=5,
        reason="ward consumption",
        today=date(2027, 3, 1),
    )
    session.commit()

    assert _lots(session, heparin) == [
        ("EXPIRED", date(2027, 3, 1), 10),
        ("GOOD", date(2027, 9, 30), 15),
    ]


def test_consumption_beyond_the_unexpired_stock_is_refused_naming_the_fix(session):
    heparin = _tracked(session, stock=30)
    add_lot(session, heparin, "EXPIRED", 10, date(2027, 2, 1))
    add_lot(session, heparin, "GOOD", 20, date(2027, 9, 30))
    session.commit()

    with pytest.raises(InsufficientStockError) as caught:
        record_movement(
            session,
            product_id=heparin.id,
            kind=MovementKind.OUT,
            quantity=25,
            reason="ward consumption",
            today=date(2027, 3, 1),
        )

    assert str(caught.value) == (
        "cannot take 25 units from MED-HEP-5K: only 20 of its 30 on hand are in "
        "lots that have not expired; book a smaller quantity, or name the expired "
        "lot to dispose of it"
    )


def test_an_expired_lot_is_disposed_of_by_naming_it(session):
    heparin = _tracked(session, stock=30)
    add_lot(session, heparin, "EXPIRED", 10, date(2027, 2, 1))
    add_lot(session, heparin, "GOOD", 20, date(2027, 9, 30))

    record_movement(
        session,
        product_id=heparin.id,
        kind=MovementKind.OUT,
        quantity=10,
        reason="disposal of expired lot",
        lot_number="EXPIRED",
        today=date(2027, 3, 1),
    )
    session.commit()

    assert heparin.stock == 20
    assert _lots(session, heparin)[0] == ("EXPIRED", date(2027, 2, 1), 0)


def test_an_in_to_a_new_lot_needs_its_expiry_date_and_books_nothing(session):
    heparin = _tracked(session)
    session.commit()

    with pytest.raises(ValidationError) as caught:
        record_movement(
            session,
            product_id=heparin.id,
            kind=MovementKind.IN,
            quantity=30,
            reason="delivery",
            lot_number="H2207",
        )
    session.rollback()

    assert str(caught.value) == (
        "lot 'H2207' of MED-HEP-5K is new, so it needs the expiry date from the "
        "delivery label; give expiry_date (YYYY-MM-DD), or name an existing lot"
    )
    assert _lots(session, heparin) == []
    assert session.exec(select(StockMovement)).all() == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"kind": MovementKind.IN, "quantity": 2_147_483_648},
            "quantity 2147483648 of a movement of GLV-NIT-M is beyond 2147483647, "
            "the largest whole number MedStock stores; check it",
        ),
        (
            {"kind": MovementKind.IN, "quantity": 2_147_483_630},
            "adding 2147483630 units to GLV-NIT-M would make its stock 2147483648, "
            "above 2147483647, the largest whole number MedStock stores; check the "
            "quantity",
        ),
        (
            {"kind": MovementKind.OUT, "quantity": 1, "stock": 0},
            "cannot take 1 unit from GLV-NIT-M: only 0 on hand; book a smaller "
            "quantity or receive stock first",
        ),
    ],
    ids=["quantity", "stock", "one-unit"],
)
def test_a_movement_past_the_stored_range_is_refused(session, fields, message):
    stock = fields.pop("stock", 18)
    gloves = add_product(session, "GLV-NIT-M", stock=stock)

    with pytest.raises((ValidationError, InsufficientStockError)) as caught:
        record_movement(
            session, product_id=gloves.id, **{"reason": "delivery", **fields}
        )

    assert str(caught.value) == message


def test_an_expiry_date_outside_2000_to_2099_is_refused(session):
    heparin = _tracked(session)

    with pytest.raises(ValidationError) as caught:
        record_movement(
            session,
            product_id=heparin.id,
            kind=MovementKind.IN,
            quantity=5,
            reason="delivery",
            lot_number="H1",
            expiry_date=date(2300, 1, 1),
        )

    assert str(caught.value) == (
        "expiry date '2300-01-01' is outside the years 2000 to 2099; check the year "
        "on the label and write YYYY-MM-DD, such as 2027-03-31"
    )
