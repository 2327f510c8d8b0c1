"""The dashboard payload and page."""

import re
from datetime import timedelta
from decimal import Decimal
from importlib import resources

from medstock.expiry import local_today
from models import TaskLog, utcnow
from tests.factories import add_lot, add_order, add_product


def test_the_dashboard_payload_sums_the_catalogue(client, session):
    short = add_product(
        session, "SYR-5", stock=2, min_stock=10, unit_cost=Decimal("0.5")
    )
    add_product(session, "GLV-M", stock=50, min_stock=20, unit_cost=Decimal("6.80"))
    order = add_order(session, short, quantity=18)
    add_order(session, short, quantity=3, status="CANCELLED")
    today = local_today()
    vials = add_product(session, "MED-HEP", stock=0, min_stock=0, tracks_expiry=True)
    add_lot(session, vials, "EXPIRED-TODAY", 1, today)
    add_lot(session, vials, "IN-30-DAYS", 1, today + timedelta(days=30))
    add_lot(session, vials, "IN-91-DAYS", 1, today + timedelta(days=91))
    add_lot(session, vials, "EMPTY", 0, today)
    session.commit()

    body = client.get("/api/dashboard").json()

    assert body["kpis"] == {
        "products": 3,
        "units": 52,
        "inventory_value": "341.00",
        "critical_products": 1,
        "open_orders": 1,
        "expiring_lots": 2,
    }
    assert [p["sku"] for p in body["critical_products"]] == ["SYR-5"]
    assert [o["id"] for o in body["open_orders"]] == [order.id]
    assert [a["agent"] for a in body["agents"]] == [
        "stock-check",
        "inventory-report",
        "expiry-check",
    ]


def test_runs_are_counted_per_hour_agent_and_status(client, session):
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    earlier = hour - timedelta(hours=2)
    runs = [
        ("a", hour, "SUCCESS"),
        ("b", hour + timedelta(seconds=1), "SUCCESS"),
        ("c", hour + timedelta(seconds=2), "ERROR"),
        ("d", earlier, "SUCCESS"),
        ("e", hour - timedelta(hours=30), "SUCCESS"),
    ]
    for run_id, started, status in runs:
        session.add(
            TaskLog(
                agent="stock-check",
                flow_run_id=run_id,
                status=status,
                started_at=started,
                finished_at=started,
            )
        )
    session.commit()

    body = client.get("/api/dashboard").json()

    stamp = "%Y-%m-%dT%H:00:00Z"
    assert body["runs_per_hour"] == [
        {
            "hour": earlier.strftime(stamp),
            "agent": "stock-check",
            "status": "SUCCESS",
            "runs": 1,
        },
        {
            "hour": hour.strftime(stamp),
            "agent": "stock-check",
            "status": "ERROR",
            "runs": 1,
        },
        {
            "hour": hour.strftime(stamp),
            "agent": "stock-check",
            "status": "SUCCESS",
            "runs": 2,
        },
    ]
    assert [log["flow_run_id"] for log in body["task_logs"]] == [
        "c",
        "b",
        "a",
        "d",
        "e",
    ]


def test_the_page_and_its_assets_come_from_the_app_itself(client, session):
    page = client.get("/")
    script = client.get("/static/dashboard.js")
    style = client.get("/static/dashboard.css")

    assert (page.status_code, script.status_code, style.status_code) == (200, 200, 200)
    assert page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources == ["/static/dashboard.css", "/docs", "/static/dashboard.js"]
    packaged = resources.files("api.static")
    for asset in ("dashboard.js", "dashboard.css"):
        assert "//" not in re.sub(
            r"https?://www\.w3\.org/2000/svg|//[^\n]*",
            "",
            packaged.joinpath(asset).read_text(),
        )
