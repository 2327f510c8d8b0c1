"""The app database goes away in the middle of a stock check."""

import asyncio
import time

import pytest
from prefect import get_client
from sqlmodel import select

from flows.stock_check import raise_purchase_orders, stock_check
from medstock.db import get_engine
from medstock.settings import get_settings
from medstock.supervisor.reconciler import reconcile
from models import PurchaseOrder, TaskLog
from tests.factories import add_product
from tests.outage import Outage

pytestmark = pytest.mark.integration

OUTAGE_S = 12
# The statement that raises the orders: the outage begins inside the task, after
# its first reads.
MARKER = "INSERT INTO purchase_orders"


@pytest.fixture(autouse=True)
def _server(prefect_server):
    return prefect_server


@pytest.fixture
def outage(database_url):
    outage = Outage(database_url, get_engine(database_url))
    yield outage
    outage.close()


def _arrange(session):
    add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    add_product(session, "SYR-LL-3", stock=300, min_stock=600)
    session.commit()
    session.close()


def _log(session, state):
    session.rollback()
    return session.exec(
        select(TaskLog).where(
            TaskLog.flow_run_id == str(state.state_details.flow_run_id)
        )
    ).one()


def test_a_12_s_outage_is_carried_through_by_the_retries(session, outage, monkeypatch):
    _arrange(session)
    monkeypatch.setattr(raise_purchase_orders, "retry_delay_seconds", [5, 10, 20])
    outage.on_statement(MARKER, lasting=OUTAGE_S)

    state = asyncio.run(stock_check(return_state=True))

    assert state.is_completed()
    log = _log(session, state)
    # Attempt 1 is cut off, attempt 2 (5 s) meets the outage, attempt 3 (15 s) works.
    assert (log.status, log.message, log.attempts) == (
        "SUCCESS",
        "raised 2 purchase orders, topped up 0",
        3,
    )
    orders = session.exec(select(PurchaseOrder).order_by(PurchaseOrder.quantity)).all()
    assert [(o.product_id, o.quantity, o.status) for o in orders] == [
        (1, 62, "PENDING"),
        (2, 900, "PENDING"),
    ]


def _unavailable_message(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        return (
            "OperationalError: (sqlite3.OperationalError) unable to open database file"
        )
    name = database_url.rsplit("/", 1)[1]
    return (
        "OperationalError: (psycopg.OperationalError) connection failed: connection "
        'to server at "127.0.0.1", port 5432 failed: FATAL:  database '
        f'"{name}" is not currently accepting connections'
    )


def _task_attempts(flow_run_id) -> int:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return max((t.run_count for t in task_runs), default=0)


def test_an_outage_past_every_retry_ends_error_and_the_next_run_works(
    session, database_url, outage, monkeypatch
):
    _arrange(session)
    monkeypatch.setattr(raise_purchase_orders, "retry_delay_seconds", [1, 1, 1])
    outage.on_statement(MARKER, lasting=None)

    failed = asyncio.run(stock_check(return_state=True))
    outage.end()
    # The failure hook could not write either; the reconciler records the run
    # once Prefect holds its task runs.
    deadline = time.monotonic() + 30
    while _task_attempts(failed.state_details.flow_run_id) < 4:
        assert time.monotonic() < deadline, "Prefect never recorded 4 attempts"
        time.sleep(0.5)
    with get_client(sync_client=True) as client:
        reconcile(session, client, settings=get_settings(), settle_seconds=0)
    session.commit()
    again = asyncio.run(stock_check(return_state=True))

    assert failed.is_failed()
    log = _log(session, failed)
    assert (log.status, log.message, log.attempts) == (
        "ERROR",
        _unavailable_message(database_url),
        4,
    )
    assert again.is_completed()
    assert _log(session, again).message == "raised 2 purchase orders, topped up 0"
    assert len(session.exec(select(PurchaseOrder)).all()) == 2
