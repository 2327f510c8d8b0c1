"""The agents run as real Prefect flows against the session's Prefect server."""

import asyncio
from datetime import timedelta

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import text
from sqlmodel import select

from flows.expiry_check import expiry_check
from flows.inventory_report import inventory_report
from flows.stock_check import raise_purchase_orders, stock_check
from models import AgentStatus, ExpiryAlert, PurchaseOrder, Report, TaskLog, utcnow
from tests.factories import add_lot, add_product

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _server(prefect_server):
    return prefect_server


@pytest.fixture
def no_retry_wait(monkeypatch):
    monkeypatch.setattr(raise_purchase_orders, "retry_delay_seconds", [0, 0, 0])


def _arrange_catalogue(session):
    add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    add_product(session, "SYR-LL-3", stock=300, min_stock=600)
    add_product(session, "GLV-NIT-L", stock=55, min_stock=30)
    session.commit()


def _task_log(session, flow_run_id):
    session.expire_all()
    return session.exec(
        select(TaskLog).where(TaskLog.flow_run_id == str(flow_run_id))
    ).one()


def test_a_stock_check_run_is_mirrored_as_one_success_row(session):
    _arrange_catalogue(session)

    state = asyncio.run(stock_check(return_state=True))

    assert state.is_completed()
    assert state.result() == {
        "raised": 2,
        "topped_up": 0,
        "message": "raised 2 purchase orders, topped up 0",
    }
    log = _task_log(session, state.state_details.flow_run_id)
    assert log.model_dump(
        include={"agent", "status", "message", "attempts", "trigger"}
    ) == {
        "agent": "stock-check",
        "status": "SUCCESS",
        "message": "raised 2 purchase orders, topped up 0",
        "attempts": 1,
        "trigger": "manual",
    }
    assert log.started_at <= log.finished_at
    assert log.duration_ms == round(
        (log.finished_at - log.started_at).total_seconds() * 1000
    )
    status = session.get(AgentStatus, "stock-check")
    assert (status.last_status, status.last_run_id, status.total_runs) == (
        "SUCCESS",
        log.flow_run_id,
        1,
    )
    assert (status.failures, status.consecutive_failures, status.cron) == (
        0,
        0,
        "*/1 * * * *",
    )
    assert status.last_success_at == log.finished_at


def test_a_re_run_raises_no_duplicate_order(session):
    _arrange_catalogue(session)

    first = asyncio.run(stock_check())
    second = asyncio.run(stock_check())

    orders = session.exec(select(PurchaseOrder)).all()
    assert (first["raised"], second["raised"], second["topped_up"]) == (2, 0, 0)
    assert sorted(order.quantity for order in orders) == [62, 900]


def test_exhausted_retries_end_the_run_as_error_with_the_attempts(
    session, database_url, no_retry_wait
):
    _arrange_catalogue(session)
    session.execute(text("DROP TABLE purchase_orders"))
    session.commit()

    state = asyncio.run(stock_check(return_state=True))

    assert state.is_failed()
    log = _task_log(session, state.state_details.flow_run_id)
    if database_url.startswith("sqlite"):
        message = (
            "OperationalError: (sqlite3.OperationalError) "
            "no such table: purchase_orders"
        )
    else:
        message = (
            "ProgrammingError: (psycopg.errors.UndefinedTable) "
            'relation "purchase_orders" does not exist'
        )
    assert (log.agent, log.status, log.message, log.attempts) == (
        "stock-check",
        "ERROR",
        message,
        4,
    )
    assert log.finished_at is not None
    status = session.get(AgentStatus, "stock-check")
    assert (status.last_status, status.failures, status.consecutive_failures) == (
        "ERROR",
        1,
        1,
    )
    assert status.last_error == message


def test_an_expiry_check_run_alerts_once_and_is_mirrored(session):
    today = utcnow().date()
    heparin = add_product(session, "MED-HEP-5K", stock=30, tracks_expiry=True)
    add_lot(session, heparin, "H-OLD", 10, today - timedelta(days=2))
    add_lot(session, heparin, "H-SOON", 20, today + timedelta(days=45))
    session.commit()

    first = asyncio.run(expiry_check(return_state=True))
    second = asyncio.run(expiry_check())

    assert first.result() == {
        "alerts": 2,
        "by_bucket": {"EXPIRED": 1, "30": 0, "60": 1, "90": 0},
        "message": "raised 2 expiry alerts: EXPIRED 1, 60 1",
    }
    assert second["message"] == "raised 0 expiry alerts"
    log = _task_log(session, first.state_details.flow_run_id)
    assert (log.agent, log.status, log.message) == (
        "expiry-check",
        "SUCCESS",
        "raised 2 expiry alerts: EXPIRED 1, 60 1",
    )
    alerts = session.exec(select(ExpiryAlert).order_by(ExpiryAlert.bucket)).all()
    assert [(a.bucket, a.quantity, a.flow_run_id) for a in alerts] == [
        ("60", 20, log.flow_run_id),
        ("EXPIRED", 10, log.flow_run_id),
    ]
    status = session.get(AgentStatus, "expiry-check")
    assert (status.last_status, status.total_runs, status.cron) == (
        "SUCCESS",
        2,
        "0 7 * * *",
    )


async def _latest_markdown(key):
    async with get_client() as client:
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            limit=1,
        )
    return artifacts[0]


def test_a_report_run_stores_the_report_and_publishes_artifacts(session):
    _arrange_catalogue(session)

    result = asyncio.run(inventory_report())

    [report] = session.exec(select(Report)).all()
    assert result == {
        "report_id": report.id,
        "message": f"report {report.id} for {report.report_date}: "
        "3 products, 2 critical",
    }
    assert report.metrics["critical_count"] == 2
    assert report.metrics["total_units"] == 373
    markdown = _run(_latest_markdown("inventory-report"))
    assert markdown.data.startswith(f"# Inventory report {report.report_date}")
    assert "| critical products | 2 |" in markdown.data
    table = _run(_latest_markdown("inventory-report-critical"))
    assert table.type == "table"
    assert "GLV-NIT-M" in str(table.data)


def _run(coroutine):
    return asyncio.run(coroutine)
