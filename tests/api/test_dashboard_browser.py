"""The dashboard in a real browser: Debian's chromium driven by Playwright."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from models import AgentStatus, PurchaseOrder
from tests.api.server import serving
from tests.factories import add_order, add_product
from tests.test_reconciler import deployed  # noqa: F401  (fixture)

CHROMIUM = Path("/usr/bin/chromium")
# Offline and quiet: no updates, sync, first-run pages or background requests.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# CI installs chromium (.ci/run), so there a missing browser fails the test.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's chromium: apt-get install chromium",
)


@pytest.fixture
def page():
    """A chromium page; the browser is the system's, never a download."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield browser.new_page(viewport={"width": 1440, "height": 1000})
        finally:
            browser.close()


def _kpis_in_database(session) -> dict[str, str]:
    products, units, value, critical = session.execute(
        text(
            "SELECT COUNT(*), SUM(stock), SUM(stock * unit_cost), "
            "SUM(CASE WHEN stock < min_stock THEN 1 ELSE 0 END) FROM products"
        )
    ).one()
    orders = session.execute(
        text(
            "SELECT COUNT(*) FROM purchase_orders "
            "WHERE status IN ('PENDING', 'ORDERED')"
        )
    ).scalar_one()
    return {
        "products": f"{products:,}",
        "units": f"{units:,}",
        "inventory_value": f"{float(value):,.2f}",
        "critical_products": f"{critical:,}",
        "open_orders": f"{orders:,}",
    }


def test_the_dashboard_shows_the_database_kpis_and_orders_from_a_row(
    page, client, session
):
    short = add_product(session, "SYR-5", stock=2, min_stock=10)
    add_product(session, "GLV-M", stock=1250, min_stock=20, unit_cost=6.8)
    add_product(session, "GLV-S", stock=4, min_stock=20)
    order = add_order(session, short, quantity=18)
    session.commit()
    expected = _kpis_in_database(session)

    page.goto(f"{client.base_url}/")
    page.wait_for_function(
        "document.querySelector('[data-kpi=products]').textContent !== '–'"
    )
    shown = {name: page.locator(f"[data-kpi={name}]").inner_text() for name in expected}
    row = page.locator(f"tr[data-order='{order.id}']")
    row.get_by_role("button", name="mark ordered").click()

    assert shown == expected
    expect(row.locator(".badge")).to_have_text("ORDERED")
    expect(page.locator("#action-message")).to_have_text(
        f"order {order.id} ordered: done"
    )
    session.rollback()  # ends the read that began before the click
    assert session.get(PurchaseOrder, order.id).status == "ORDERED"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)


@pytest.fixture
def live_url(deployed) -> Iterator[str]:  # noqa: F811
    """An API server that talks to the session's Prefect server and its agents."""
    with serving() as url:
        yield url


@pytest.mark.integration
def test_an_agent_paused_from_its_card_is_shown_paused(live_url, page, session):
    # live_url first: Prefect's sync calls in its set-up return coroutines once
    # Playwright's event loop runs in this thread.
    page.goto(f"{live_url}/")
    card = page.locator("article[data-agent='stock-check']")
    expect(card.locator("[data-field=health]")).not_to_have_text("PAUSED")
    card.get_by_role("button", name="pause").click()

    expect(page.locator("#action-message")).to_have_text("pause stock-check: done")
    expect(card.locator("[data-field=health]")).to_have_text("PAUSED")
    expect(card.get_by_role("button", name="resume")).to_be_visible()
    session.rollback()
    assert session.get(AgentStatus, "stock-check").is_active is False
