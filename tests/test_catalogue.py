from sqlalchemy import case
from sqlmodel import func, select

from medstock.catalogue import load_sample, read_sample
from models import MovementKind, Product, StockMovement, utcnow


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
