"""Movements and the order lifecycle over HTTP; a refused call changes nothing."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from models import ExpiryAlert, Lot, Product, PurchaseOrder, StockMovement
from tests.factories import add_lot, add_order, add_product

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _stock(session, product_id: int) -> int:
    session.expire_all()
    return session.get(Product, product_id).stock


def test_an_out_movement_lowers_stock_and_is_booked(client, session):
    product = add_product(session, "SYR-5", stock=10)
    session.commit()

    response = client.post(
        f"/api/products/{product.id}/movements",
        json={"kind": "OUT", "quantity": 4, "reason": "ward 3"},
    )

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("product_id", "kind", "quantity", "reason")} == {
        "product_id": product.id,
        "kind": "OUT",
        "quantity": 4,
        "reason": "ward 3",
    }
    assert _stock(session, product.id) == 6


def test_an_out_beyond_the_stock_is_409_and_books_nothing(client, session):
    product = add_product(session, "SYR-5", stock=3)
    session.commit()

    response = client.post(
        f"/api/products/{product.id}/movements",
        json={"kind": "OUT", "quantity": 4, "reason": "ward 3"},
    )

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "insufficient stock"},
    )
    assert _stock(session, product.id) == 3
    assert session.exec(select(StockMovement)).all() == []


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        (
            {"kind": "IN", "quantity": 0, "reason": "x"},
            "an IN or OUT quantity must be above 0",
        ),
        (
            {"kind": "ADJUST", "quantity": 0, "reason": "x"},
            "an ADJUST quantity must not be 0",
        ),
    ],
)
def test_a_movement_of_nothing_is_refused(client, session, body, msg):
    product = add_product(session, "SYR-5")
    session.commit()

    response = client.post(f"/api/products/{product.id}/movements", json=body)

    assert response.json() == {
        "detail": "invalid request",
        "errors": [{"loc": ["body"], "msg": msg}],
    }


def test_an_in_of_a_tracked_product_without_a_lot_is_422(client, session):
    product = add_product(session, "MED-HEP", stock=0, tracks_expiry=True)
    session.commit()

    response = client.post(
        f"/api/products/{product.id}/movements",
        json={"kind": "IN", "quantity": 5, "reason": "delivery"},
    )

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "lot details do not fit the product"},
    )
    assert _stock(session, product.id) == 0


def test_an_in_that_would_overflow_the_stock_is_422_out_of_range(client, session):
    product = add_product(session, "GLV-NIT-S", stock=2_000_000_048)
    session.commit()

    response = client.post(
        f"/api/products/{product.id}/movements",
        json={"kind": "IN", "quantity": 1_000_000_000, "reason": "delivery"},
    )

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "quantity out of range"},
    )
    assert _stock(session, product.id) == 2_000_000_048


def test_an_out_from_a_lot_the_product_lacks_is_404(client, session):
    product = add_product(session, "MED-HEP", stock=5, tracks_expiry=True)
    add_lot(session, product, "L-1", 5, date(2030, 1, 1))
    session.commit()

    response = client.post(
        f"/api/products/{product.id}/movements",
        json={"kind": "OUT", "quantity": 1, "reason": "ward", "lot_number": "L-9"},
    )

    assert (response.status_code, response.json()) == (404, {"detail": "lot not found"})


def test_a_movement_of_an_unknown_product_is_404(client, session):
    response = client.post(
        "/api/products/999/movements",
        json={"kind": "IN", "quantity": 1, "reason": "x"},
    )

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "product not found"},
    )


def test_an_order_goes_from_pending_to_received_with_its_lot(client, session):
    product = add_product(session, "MED-HEP", stock=0, tracks_expiry=True)
    order = add_order(session, product, quantity=12)
    session.commit()

    ordered = client.post(f"/api/orders/{order.id}/mark-ordered")
    received = client.post(
        f"/api/orders/{order.id}/receive",
        json={"lot_number": "HEP-77", "expiry_date": "2028-02-29"},
    )

    assert (ordered.status_code, ordered.json()["status"]) == (200, "ORDERED")
    assert (received.status_code, received.json()["status"]) == (200, "RECEIVED")
    session.expire_all()
    lot = session.exec(select(Lot)).one()
    assert (lot.lot_number, lot.expiry_date, lot.quantity) == (
        "HEP-77",
        date(2028, 2, 29),
        12,
    )
    assert _stock(session, product.id) == 12


def test_receiving_a_pending_order_is_409_and_books_nothing(client, session):
    product = add_product(session, "SYR-5", stock=1)
    order = add_order(session, product, quantity=12)
    session.commit()

    response = client.post(f"/api/orders/{order.id}/receive")

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "order status does not allow this"},
    )
    assert _stock(session, product.id) == 1
    assert session.get(PurchaseOrder, order.id).status == "PENDING"


def test_receiving_a_tracked_product_without_its_lot_is_422(client, session):
    product = add_product(session, "MED-HEP", stock=0, tracks_expiry=True)
    order = add_order(session, product, quantity=12, status="ORDERED")
    session.commit()

    response = client.post(f"/api/orders/{order.id}/receive", json={})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "lot details do not fit the product"},
    )
    session.expire_all()
    assert session.get(PurchaseOrder, order.id).status == "ORDERED"


def test_a_cancelled_order_cannot_be_cancelled_again(client, session):
    product = add_product(session, "SYR-5")
    order = add_order(session, product)
    session.commit()

    first = client.post(f"/api/orders/{order.id}/cancel")
    second = client.post(f"/api/orders/{order.id}/cancel")

    assert (first.status_code, first.json()["status"]) == (200, "CANCELLED")
    assert (second.status_code, second.json()) == (
        409,
        {"detail": "order status does not allow this"},
    )


def test_an_unknown_order_is_404(client, session):
    response = client.post("/api/orders/999/cancel")

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "order not found"},
    )


def test_expiry_alerts_are_listed_newest_first_by_bucket(client, session):
    product = add_product(session, "MED-HEP", name="Heparin", tracks_expiry=True)
    lot = add_lot(session, product, "HEP-1", 4, date(2026, 3, 20))
    for bucket, minute in (("30", 0), ("EXPIRED", 1)):
        session.add(
            ExpiryAlert(
                lot_id=lot.id,
                product_id=product.id,
                bucket=bucket,
                expiry_date=date(2026, 3, 20),
                quantity=4,
                created_at=T0.replace(minute=minute),
            )
        )
    session.commit()

    every = client.get("/api/expiry-alerts").json()
    expired = client.get("/api/expiry-alerts", params={"bucket": "EXPIRED"}).json()

    assert [a["bucket"] for a in every["items"]] == ["EXPIRED", "30"]
    first = expired["items"][0]
    assert (
        expired["total"],
        first["sku"],
        first["lot_number"],
        first["product_name"],
    ) == (
        1,
        "MED-HEP",
        "HEP-1",
        "Heparin",
    )


@pytest.mark.parametrize("quantity", [True, "5", 5.0])
def test_a_quantity_that_is_not_a_json_integer_is_refused(client, session, quantity):
    product = add_product(session, "GLV-NIT-S", stock=10)
    session.commit()

    response = client.post(
        f"/api/products/{product.id}/movements",
        json={"kind": "IN", "quantity": quantity, "reason": "delivery"},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == "invalid request"
    assert _stock(session, product.id) == 10
