from datetime import UTC, date, datetime
from decimal import Decimal

from medstock.reporting import compute_metrics, day_bounds, render_markdown
from models import OrderStatus
from tests.factories import add_movement, add_order, add_product

DAY = date(2026, 3, 10)


def _arrange(session):
    gloves = add_product(
        session, "GLV-M", stock=18, min_stock=40, unit_cost=Decimal("6.80")
    )
    saline = add_product(
        session, "NACL-500", stock=220, min_stock=150, unit_cost=Decimal("1.05")
    )
    heparin = add_product(
        session, "HEP-5K", stock=22, min_stock=30, unit_cost=Decimal("4.75")
    )
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
    }


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
    assert markdown.splitlines()[-2:] == [
        "| GLV-M | Product GLV-M | 18 | 40 |",
        "| HEP-5K | Product HEP-5K | 22 | 30 |",
    ]
