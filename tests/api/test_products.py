"""Products over HTTP: list, detail, create and update."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from models import Product
from tests.factories import add_lot, add_movement, add_order, add_product

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
WHEN = {"created_at": T0, "updated_at": T0}


def _json(product: Product) -> dict:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "category": product.category,
        "unit": product.unit,
        "stock": product.stock,
        "min_stock": product.min_stock,
        "max_stock": product.max_stock,
        "pack_size": product.pack_size,
        "unit_cost": f"{product.unit_cost:.2f}",
        "tracks_expiry": product.tracks_expiry,
        "created_at": "2026-03-10T09:00:00Z",
        "updated_at": "2026-03-10T09:00:00Z",
    }


def _catalogue(session):
    products = [
        add_product(
            session,
            "SYR-5",
            name="Syringe 5 mL",
            category="Syringes",
            stock=3,
            min_stock=10,
            **WHEN,
        ),
        add_product(
            session,
            "GLV-M",
            name="Nitrile gloves M",
            category="Gloves",
            stock=50,
            min_stock=20,
            unit_cost=Decimal("6.8"),
            **WHEN,
        ),
        add_product(
            session,
            "GLV-S",
            name="Nitrile gloves S",
            category="Gloves",
            stock=5,
            min_stock=20,
            **WHEN,
        ),
        add_product(
            session, "PCT_100%", name="Paracetamol 500 mg", category="Medicines", **WHEN
        ),
    ]
    session.commit()
    return {p.sku: p for p in products}


def test_products_are_listed_by_sku_with_the_count_of_all(client, session):
    products = _catalogue(session)

    response = client.get("/api/products", params={"limit": 2})

    assert response.status_code == 200
    assert response.json() == {
        "items": [_json(products["GLV-M"]), _json(products["GLV-S"])],
        "total": 4,
        "limit": 2,
        "offset": 0,
    }


def test_the_second_page_continues_where_the_first_ended(client, session):
    products = _catalogue(session)

    response = client.get("/api/products", params={"limit": 2, "offset": 2})

    assert [item["sku"] for item in response.json()["items"]] == ["PCT_100%", "SYR-5"]
    assert response.json()["total"] == 4
    assert products


def test_search_matches_sku_or_name_ignoring_case(client, session):
    _catalogue(session)

    by_name = client.get("/api/products", params={"search": "NITRILE"}).json()
    by_sku = client.get("/api/products", params={"search": "syr"}).json()

    assert [p["sku"] for p in by_name["items"]] == ["GLV-M", "GLV-S"]
    assert [p["sku"] for p in by_sku["items"]] == ["SYR-5"]


def test_search_treats_percent_and_underscore_as_plain_characters(client, session):
    _catalogue(session)

    response = client.get("/api/products", params={"search": "_100%"})

    assert [p["sku"] for p in response.json()["items"]] == ["PCT_100%"]


def test_category_and_critical_filters_combine(client, session):
    _catalogue(session)

    response = client.get(
        "/api/products", params={"category": "Gloves", "critical": "true"}
    )

    assert [p["sku"] for p in response.json()["items"]] == ["GLV-S"]
    assert response.json()["total"] == 1


def test_a_limit_above_200_is_refused(client, session):
    response = client.get("/api/products", params={"limit": 201})

    assert response.status_code == 422
    assert response.json() == {
        "detail": "invalid request",
        "errors": [
            {
                "loc": ["query", "limit"],
                "msg": "Input should be less than or equal to 200",
            }
        ],
    }


def test_detail_shows_open_orders_and_the_latest_movements_first(client, session):
    product = add_product(
        session, "SYR-5", stock=3, min_stock=10, tracks_expiry=True, **WHEN
    )
    later = add_lot(session, product, "L-2", 2, date(2027, 5, 1))
    sooner = add_lot(session, product, "L-1", 1, date(2027, 1, 1))
    add_lot(session, product, "L-0", 0, date(2026, 1, 1))
    pending = add_order(session, product, quantity=17, created_at=T0, updated_at=T0)
    add_order(session, product, quantity=5, status="RECEIVED", **WHEN)
    first = add_movement(session, product, "IN", 8, T0)
    second = add_movement(session, product, "OUT", 5, T0 + timedelta(hours=1))
    session.commit()

    response = client.get(f"/api/products/{product.id}")

    assert response.status_code == 200
    lot = {"received_at": sooner.received_at.isoformat().replace("+00:00", "Z")}
    assert response.json() == {
        **_json(product),
        "lots": [
            {
                "id": sooner.id,
                "lot_number": "L-1",
                "expiry_date": "2027-01-01",
                "quantity": 1,
                **lot,
            },
            {
                "id": later.id,
                "lot_number": "L-2",
                "expiry_date": "2027-05-01",
                "quantity": 2,
                "received_at": later.received_at.isoformat().replace("+00:00", "Z"),
            },
        ],
        "open_orders": [
            {
                "id": pending.id,
                "product_id": product.id,
                "sku": "SYR-5",
                "product_name": "Product SYR-5",
                "tracks_expiry": True,
                "quantity": 17,
                "unit_cost": "1.00",
                "status": "PENDING",
                "flow_run_id": None,
                "created_at": "2026-03-10T09:00:00Z",
                "updated_at": "2026-03-10T09:00:00Z",
            }
        ],
        "recent_movements": [
            {
                "id": second.id,
                "product_id": product.id,
                "kind": "OUT",
                "quantity": 5,
                "reason": "",
                "created_at": "2026-03-10T10:00:00Z",
            },
            {
                "id": first.id,
                "product_id": product.id,
                "kind": "IN",
                "quantity": 8,
                "reason": "",
                "created_at": "2026-03-10T09:00:00Z",
            },
        ],
    }


def test_an_unknown_product_is_404(client, session):
    response = client.get("/api/products/999")

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "product not found"},
    )


def test_a_new_product_starts_with_no_stock(client, session):
    body = {
        "sku": "DRS-10",
        "name": "Gauze swab 10 x 10 cm",
        "category": "Dressings",
        "unit": "pack of 100",
        "min_stock": 30,
        "max_stock": 90,
        "pack_size": 6,
        "unit_cost": "4.5",
        "tracks_expiry": True,
    }

    response = client.post("/api/products", json=body)

    assert response.status_code == 201
    created = response.json()
    stored = session.exec(select(Product).where(Product.sku == "DRS-10")).one()
    assert created == {
        **body,
        "id": stored.id,
        "stock": 0,
        "unit_cost": "4.50",
        "created_at": stored.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": stored.updated_at.isoformat().replace("+00:00", "Z"),
    }


def test_creating_with_stock_is_refused_and_writes_nothing(client, session):
    body = {"sku": "X", "name": "x", "category": "c", "unit": "u", "stock": 40}

    response = client.post("/api/products", json=body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["body", "stock"], "msg": "Extra inputs are not permitted"}
    ]
    assert session.exec(select(Product)).all() == []


def test_a_second_product_with_the_same_sku_is_409(client, session):
    _catalogue(session)
    body = {"sku": "GLV-M", "name": "other", "category": "c", "unit": "u"}

    response = client.post("/api/products", json=body)

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "sku already exists"},
    )
    session.expire_all()
    assert len(session.exec(select(Product)).all()) == 4


def test_a_maximum_below_the_minimum_is_refused(client, session):
    body = {
        "sku": "X",
        "name": "x",
        "category": "c",
        "unit": "u",
        "min_stock": 10,
        "max_stock": 5,
    }

    response = client.post("/api/products", json=body)

    assert response.json() == {
        "detail": "invalid request",
        "errors": [{"loc": ["body"], "msg": "max_stock must not be below min_stock"}],
    }


def test_an_update_changes_only_the_fields_sent(client, session):
    product = _catalogue(session)["GLV-M"]

    response = client.patch(
        f"/api/products/{product.id}", json={"min_stock": 25, "max_stock": None}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["min_stock"], body["max_stock"], body["stock"], body["name"]) == (
        25,
        None,
        50,
        "Nitrile gloves M",
    )
    assert body["updated_at"] != "2026-03-10T09:00:00Z"


def test_stock_cannot_be_set_by_an_update(client, session):
    product = _catalogue(session)["GLV-M"]

    response = client.patch(f"/api/products/{product.id}", json={"stock": 500})

    assert response.status_code == 422
    session.expire_all()
    assert session.get(Product, product.id).stock == 50


def test_an_update_below_the_current_minimum_changes_nothing(client, session):
    product = _catalogue(session)["GLV-M"]

    response = client.patch(
        f"/api/products/{product.id}", json={"max_stock": 10, "name": "renamed"}
    )

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "max_stock must not be below min_stock"},
    )
    session.expire_all()
    stored = session.get(Product, product.id)
    assert (stored.name, stored.max_stock) == ("Nitrile gloves M", None)


def test_a_null_name_is_refused(client, session):
    product = _catalogue(session)["GLV-M"]

    response = client.patch(f"/api/products/{product.id}", json={"name": None})

    assert response.json()["errors"] == [
        {"loc": ["body"], "msg": "name cannot be null"}
    ]


def test_updating_an_unknown_product_is_404(client, session):
    response = client.patch("/api/products/999", json={"name": "x"})

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "product not found"},
    )
