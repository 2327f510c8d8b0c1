from collections import Counter

from sqlalchemy import case
from sqlmodel import func, select

from medstock.catalogue import load_sample, read_sample
from medstock.expiry import expiry_bucket
from medstock.ledger import check_ledger
from models import Lot, MovementKind, Product, StockMovement, utcnow


def test_the_sample_has_realistic_supplies_with_a_fifth_below_minimum():
    frame = read_sample()

    assert len(frame) >= 60
    assert frame["sku"].is_unique
    assert set(frame["category"]) >= {
        "Gloves",
        "Syringes",
        "Needles",
        "Medicines",
        "IV solutions",
        "Dressings",
        "PPE",
    }
    below = int((frame["stock"] < frame["min_stock"]).sum())
    assert 0.15 <= below / len(frame) <= 0.25


def test_loading_twice_adds_the_catalogue_once(session):
    first = load_sample(session, now=utcnow())
    session.commit()
    second = load_sample(session, now=utcnow())
    session.commit()

    count = session.exec(select(func.count()).select_from(Product)).one()
    assert (first, second, count) == (len(read_sample()), 0, len(read_sample()))


def test_the_day_of_movements_adds_up_to_each_products_stock(session):
    load_sample(session, now=utcnow())
    session.commit()

    signed = func.sum(
        case(
            (StockMovement.kind == MovementKind.OUT, -StockMovement.quantity),
            else_=StockMovement.quantity,
        )
    )
    ledger = dict(
        session.exec(
            select(StockMovement.product_id, signed).group_by(StockMovement.product_id)
        ).all()
    )
    stock = dict(session.exec(select(Product.id, Product.stock)).all())
    assert ledger == stock
    today = session.exec(
        select(func.count()).where(StockMovement.kind == MovementKind.OUT)
    ).one()
    assert today == len(stock)


def test_every_tracked_sample_product_has_lots_that_sum_to_its_stock(session):
    load_sample(session, now=utcnow())
    session.commit()

    lot_units = dict(
        session.exec(
            select(Lot.product_id, func.sum(Lot.quantity)).group_by(Lot.product_id)
        ).all()
    )
    tracked = dict(
        session.exec(
            select(Product.id, Product.stock).where(Product.tracks_expiry)
        ).all()
    )
    assert lot_units == tracked
    assert check_ledger(session) == []


def test_the_sample_lots_fill_every_expiry_bucket(session):
    now = utcnow()
    load_sample(session, now=now)
    session.commit()

    dates = session.exec(select(Lot.expiry_date)).all()
    buckets = Counter(expiry_bucket(d, now.date(), [30, 60, 90]) for d in dates)
    assert {bucket: buckets[bucket] for bucket in ("EXPIRED", "30", "60", "90")} == {
        "EXPIRED": 2,
        "30": 2,
        "60": 2,
        "90": 2,
    }


def test_sample_products_below_minimum_order_twice_the_minimum_less_stock():
    # Single units and no maximum keep the demo's orders at 2 * min_stock - stock.
    frame = read_sample()
    short = frame[frame["stock"] < frame["min_stock"]]

    assert set(short["pack_size"]) == {1}
    assert short["max_stock"].isna().all()
