from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from medstock.reporting import compute_metrics, day_bounds, render_markdown
from models import OrderStatus
from tests.factories import add_lot, add_movement, add_order, add_product

DAY = date(2026, 3, 10)


def _arrange(session):
    gloves = add_product(
        session, "GLV-M", stock=18, min_stock=40, unit_cost=Decimal("6.80")
    )
    saline = add_product(
        session,
        "NACL-500",
        category="IV solutions",
        stock=220,
        min_stock=150,
        unit_cost=Decimal("1.05"),
        tracks_expiry=True,
    )
    add_lot(session, saline, "N-20", 100, DAY + timedelta(days=20))
    add_lot(session, saline, "N-EMPTY", 0, DAY + timedelta(days=5))
    add_lot(session, saline, "N-UNDATED", 120, None)
    heparin = add_product(
        session,
        "HEP-5K",
        category="Medicines",
        stock=22,
        min_stock=30,
        unit_cost=Decimal("4.75"),
        tracks_expiry=True,
    )
    for number, quantity, days in [("H-GONE", 3, -1), ("H-TODAY", 2, 0)]:
        add_lot(session, heparin, number, quantity, DAY + timedelta(days=days))
    for number, quantity, days in [("H-12", 4, 12), ("H-75", 6, 75), ("H-300", 7, 300)]:
        add_lot(session, heparin, number, quantity, DAY + timedelta(days=days))
    add_order(session, gloves, quantity=62, status=OrderStatus.PENDING)
    add_order(session, heparin, quantity=38, status=OrderStatus.ORDERED)
    add_order(session, saline, quantity=500, status=OrderStatus.RECEIVED)
    add_order(session, saline, quantity=99, status=OrderStatus.CANCELLED)

    at = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    add_movement(session, saline, "IN", 40, at)
    add_movement(session, saline, "OUT", 25, at)
    add_movement(session, gloves, "OUT", 7, at)
    add_movement(session, heparin, "ADJUST", -2, at)
    add_movement(session, gloves, "OUT", 100, datetime(2026, 3, 9, 23, 59, tzinfo=UTC))
    add_movement(session, gloves, "IN", 100, datetime(2026, 3, 11, 0, 0, tzinfo=UTC))
    session.commit()


def test_every_metric_is_computed_exactly(session):
    _arrange(session)

    metrics = compute_metrics(session, day=DAY, timezone="UTC")

    assert metrics == {
        "report_date": "2026-03-10",
        "total_products": 3,
        "total_units": 260,
        # 18 * 6.80 + 220 * 1.05 + 22 * 4.75 = 122.40 + 231.00 + 104.50
        "inventory_value": "457.90",
        "critical_count": 2,
        "critical_products": [
            {"sku": "GLV-M", "name": "Product GLV-M", "stock": 18, "min_stock": 40},
            {"sku": "HEP-5K", "name": "Product HEP-5K", "stock": 22, "min_stock": 30},
        ],
        "movements_today": {
            "count": 4,
            "units_in": 40,
            "units_out": 32,
            "units_adjusted": -2,
        },
        # 62 * 6.80 + 38 * 4.75 = 421.60 + 180.50
        "open_orders": {"count": 2, "units": 100, "value": "602.10"},
        "stock_value_by_category": [
            {"category": "General", "products": 1, "units": 18, "value": "122.40"},
            {
                "category": "IV solutions",
                "products": 1,
                "units": 220,
                "value": "231.00",
            },
            {"category": "Medicines", "products": 1, "units": 22, "value": "104.50"},
        ],
        # A lot expiring on the report day is expired; empty and undated lots and
        # lots beyond 90 days are not counted.
        "expiring": [
            # 5 * 4.75
            {"bucket": "EXPIRED", "lots": 2, "units": 5, "value": "23.75"},
            # 4 * 4.75 + 100 * 1.05 = 19.00 + 105.00
            {"bucket": "30", "lots": 2, "units": 104, "value": "124.00"},
            {"bucket": "60", "lots": 0, "units": 0, "value": "0.00"},
            # 6 * 4.75
            {"bucket": "90", "lots": 1, "units": 6, "value": "28.50"},
        ],
    }


def test_expiring_buckets_follow_the_configured_horizons(session):
    _arrange(session)

    metrics = compute_metrics(session, day=DAY, timezone="UTC", horizons=[14, 365])

    assert metrics["expiring"] == [
        {"bucket": "EXPIRED", "lots": 2, "units": 5, "value": "23.75"},
        {"bucket": "14", "lots": 1, "units": 4, "value": "19.00"},
        # 100 * 1.05 + 6 * 4.75 + 7 * 4.75
        {"bucket": "365", "lots": 3, "units": 113, "value": "166.75"},
    ]


def test_an_empty_catalogue_reports_zeros(session):
    metrics = compute_metrics(session, day=DAY, timezone="UTC")

    assert metrics["total_products"] == 0
    assert metrics["inventory_value"] == "0.00"
    assert metrics["critical_products"] == []
    assert metrics["open_orders"] == {"count": 0, "units": 0, "value": "0.00"}


def test_today_is_the_day_in_the_configured_timezone():
    start, end = day_bounds(DAY, "Europe/Madrid")

    assert start == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 10, 23, 0, tzinfo=UTC)


def test_the_markdown_lists_the_metrics_and_the_critical_products(session):
    _arrange(session)

    markdown = render_markdown(compute_metrics(session, day=DAY, timezone="UTC"))

    assert markdown.splitlines()[:12] == [
        "# Inventory report 2026-03-10",
        "",
        "| metric | value |",
        "| --- | --- |",
        "| products | 3 |",
        "| units in stock | 260 |",
        "| inventory value | 457.90 |",
        "| critical products | 2 |",
        "| movements today | 4 |",
        "| units in / out today | 40 / 32 |",
        "| open purchase orders | 2 |",
        "| units / value on order | 100 / 602.10 |",
    ]
    assert markdown.splitlines()[12:28] == [
        "",
        "## Stock value by category",
        "",
        "| category | products | units | value |",
        "| --- | --- | --- | --- |",
        "| General | 1 | 18 | 122.40 |",
        "| IV solutions | 1 | 220 | 231.00 |",
        "| Medicines | 1 | 22 | 104.50 |",
        "",
        "## Expired and expiring lots",
        "",
        "| bucket | lots | units | value |",
        "| --- | --- | --- | --- |",
        "| EXPIRED | 2 | 5 | 23.75 |",
        "| 30 | 2 | 104 | 124.00 |",
        "| 60 | 0 | 0 | 0.00 |",
    ]
    assert markdown.splitlines()[-2:] == [
        "| GLV-M | Product GLV-M | 18 | 40 |",
        "| HEP-5K | Product HEP-5K | 22 | 30 |",
    ]
