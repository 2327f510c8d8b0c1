from datetime import date, timedelta

import pytest
from sqlmodel import select

from medstock.expiry import bucket_bounds, expiry_bucket, raise_expiry_alerts
from models import ExpiryAlert, Lot, utcnow
from tests.factories import add_lot, add_product

TODAY = date(2026, 3, 10)
HORIZONS = [30, 60, 90]


def _days(n):
    return TODAY + timedelta(days=n)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-400, "EXPIRED"),
        (-1, "EXPIRED"),
        # The rule: a lot expiring today is expired.
        (0, "EXPIRED"),
        (1, "30"),
        (30, "30"),
        (31, "60"),
        (60, "60"),
        (61, "90"),
        (90, "90"),
        (91, None),
    ],
)
def test_a_lot_falls_in_the_nearest_bucket_that_holds_its_date(days, bucket):
    assert expiry_bucket(_days(days), TODAY, HORIZONS) == bucket


def test_a_lot_without_a_date_has_no_bucket():
    assert expiry_bucket(None, TODAY, HORIZONS) is None


def test_the_buckets_end_on_today_and_each_horizon():
    assert bucket_bounds(TODAY, [60, 30]) == [
        ("EXPIRED", TODAY),
        ("30", date(2026, 4, 9)),
        ("60", date(2026, 5, 9)),
    ]


def _check(session, today=TODAY, run_id="run-1"):
    lines = raise_expiry_alerts(
        session, today=today, horizons=HORIZONS, now=utcnow(), run_id=run_id
    )
    session.commit()
    return [(line.sku, line.lot_number, line.bucket, line.quantity) for line in lines]


def _arrange(session):
    heparin = add_product(session, "MED-HEP-5K", stock=60, tracks_expiry=True)
    add_lot(session, heparin, "H-OLD", 5, _days(-3))
    add_lot(session, heparin, "H-TODAY", 6, _days(0))
    add_lot(session, heparin, "H-20", 7, _days(20))
    add_lot(session, heparin, "H-45", 8, _days(45))
    add_lot(session, heparin, "H-90", 9, _days(90))
    add_lot(session, heparin, "H-200", 10, _days(200))
    add_lot(session, heparin, "H-EMPTY", 0, _days(-5))
    add_lot(session, heparin, "H-UNDATED", 15, None)
    # Untracked: a lot row left over from before tracking was switched off.
    crepe = add_product(session, "DRS-CRP-10", stock=4, tracks_expiry=False)
    add_lot(session, crepe, "C-1", 4, _days(-10))
    session.commit()
    return heparin


def test_each_lot_with_stock_gets_the_alert_of_its_bucket(session):
    _arrange(session)

    lines = _check(session)

    assert lines == [
        ("MED-HEP-5K", "H-OLD", "EXPIRED", 5),
        ("MED-HEP-5K", "H-TODAY", "EXPIRED", 6),
        ("MED-HEP-5K", "H-20", "30", 7),
        ("MED-HEP-5K", "H-45", "60", 8),
        ("MED-HEP-5K", "H-90", "90", 9),
    ]
    alert = session.exec(select(ExpiryAlert).where(ExpiryAlert.bucket == "60")).one()
    assert (alert.expiry_date, alert.quantity, alert.flow_run_id) == (
        _days(45),
        8,
        "run-1",
    )


def test_a_re_run_adds_no_alert(session):
    _arrange(session)
    _check(session)

    assert _check(session, run_id="run-2") == []
    assert len(session.exec(select(ExpiryAlert)).all()) == 5


def _alerted(session):
    session.expire_all()
    rows = session.exec(
        select(Lot.lot_number, ExpiryAlert.bucket)
        .join(Lot, Lot.id == ExpiryAlert.lot_id)
        .order_by(ExpiryAlert.id)
    ).all()
    return [tuple(row) for row in rows]


def test_a_lot_moving_to_a_nearer_bucket_gets_that_buckets_alert_once(session):
    _arrange(session)
    _check(session)

    # Day 11: every lot is still in the bucket it was alerted for.
    assert _check(session, today=_days(11), run_id="run-2") == []
    # Day 20: H-20 expires that day, H-45 is 25 days out, H-90 still 70.
    moved = _check(session, today=_days(20), run_id="run-3")
    again = _check(session, today=_days(20), run_id="run-4")

    assert moved == [
        ("MED-HEP-5K", "H-20", "EXPIRED", 7),
        ("MED-HEP-5K", "H-45", "30", 8),
    ]
    assert again == []
    assert [b for lot, b in _alerted(session) if lot == "H-20"] == ["30", "EXPIRED"]


def test_untracked_products_and_lots_without_dates_or_stock_never_alert(session):
    _arrange(session)

    _check(session, today=_days(10_000))

    assert {lot for lot, _bucket in _alerted(session)} == {
        "H-OLD",
        "H-TODAY",
        "H-20",
        "H-45",
        "H-90",
        "H-200",
    }
