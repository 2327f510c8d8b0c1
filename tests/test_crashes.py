"""Runs killed mid-run end CRASHED in task_logs, with all or none of their work."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prefect import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.deployments import run_deployment
from sqlmodel import Session, select

from medstock.db import get_engine
from medstock.settings import get_settings
from medstock.supervisor.automation import crash_message, ensure_stuck_run_automation
from medstock.supervisor.reconciler import reconcile
from models import PurchaseOrder, TaskLog, utcnow
from tests.factories import add_order, add_product
from tests.processes import stop_group, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
WINDOW_S = 35


def _arrange(session):
    """A product with an open order to top up, two more to order."""
    topped = add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    add_order(session, topped, quantity=10)
    add_product(session, "SYR-LL-3", stock=300, min_stock=600)
    blocked = add_product(session, "NDL-21G", stock=10, min_stock=100)
    session.commit()
    return blocked


def _hold(database_url, product):
    """An uncommitted order of `product`: the run waits for it mid-batch.

    On PostgreSQL the run tops up, then waits at the unique index of PENDING
    orders; on SQLite it waits for the single write lock.
    """
    holder = Session(get_engine(database_url))
    add_order(holder, product, quantity=1)
    return holder


def _orders(session):
    session.rollback()
    return sorted(
        (o.product_id, o.quantity, o.flow_run_id)
        for o in session.exec(select(PurchaseOrder)).all()
    )


def _engine_pid(flow_run_id: str) -> int | None:
    marker = f"PREFECT__FLOW_RUN_ID={flow_run_id}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes():
                    return int(entry.name)
            except OSError:
                continue
    return None


def _state(flow_run_id) -> StateType | None:
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run_id).state
    return state.type if state else None


def _log(session, run_id):
    session.rollback()
    return session.exec(
        select(TaskLog).where(TaskLog.flow_run_id == str(run_id))
    ).first()


def _serve(prefect_server, tmp_path):
    env = dict(os.environ)
    env.update(
        {
            "PREFECT_API_URL": prefect_server,
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            "MEDSTOCK_STOCK_CHECK_CRON": "0 0 1 1 *",
            "MEDSTOCK_REPORT_CRON": "0 0 1 1 *",
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "deployments.serve"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=(tmp_path / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
    )


def test_a_served_run_killed_mid_run_ends_crashed_with_no_half_batch(
    prefect_server, session, database_url, tmp_path
):
    blocked = _arrange(session)
    before = _orders(session)
    serve = _serve(prefect_server, tmp_path)
    holder = _hold(database_url, blocked)
    try:
        wait_for(
            lambda: _deployment_id("stock-check/stock-check"),
            timeout=60,
            what="the served deployment",
        )
        flow_run = run_deployment("stock-check/stock-check", timeout=0)
        pid = wait_for(
            lambda: (
                _state(flow_run.id) == StateType.RUNNING and _engine_pid(flow_run.id)
            ),
            timeout=60,
            what="the run's process",
        )
        time.sleep(2)  # well inside the run, waiting on the held order
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        holder.rollback()

        log = wait_for(
            lambda: (r := _log(session, flow_run.id)) and r.status == "CRASHED" and r,
            timeout=60,
            what="the CRASHED row",
        )
        took = time.monotonic() - killed_at
    finally:
        holder.close()
        stop_group(serve)

    assert took < 60
    assert log.message == (
        "Process exited with status code: -9. Process exited due to a SIGKILL signal. "
        "Typically caused by the operating system terminating the process for "
        "exceeding memory limits, or by manual cancellation."
    )
    assert log.finished_at is not None
    # All or nothing: the top-up made before the kill was rolled back with the rest.
    assert _orders(session) == before


def _deployment_id(name: str):
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            return client.read_deployment_by_name(name).id
        except ObjectNotFound:
            return None


def _heartbeats(api_url: str, flow_run_id) -> int:
    response = httpx.post(
        f"{api_url}/events/filter",
        json={
            "filter": {
                "event": {"name": ["prefect.flow-run.heartbeat"]},
                "resource": {"id": [f"prefect.flow-run.{flow_run_id}"]},
            }
        },
    )
    response.raise_for_status()
    return len(response.json()["events"])


def _running_stock_check(started_after):
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["stock-check"])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.RUNNING])
                )
            ),
        )
    return next(
        (r for r in runs if r.start_time and r.start_time > started_after), None
    )


def test_a_silently_dead_run_is_crashed_by_the_heartbeat_automation(
    prefect_server, session, database_url, tmp_path, monkeypatch
):
    blocked = _arrange(session)
    with get_client(sync_client=True) as client:
        automation_id = ensure_stuck_run_automation(client, window_seconds=WINDOW_S)
    env = dict(os.environ)
    env.update(
        {"PREFECT_API_URL": prefect_server, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}
    )
    started_after = utcnow()
    holder = _hold(database_url, blocked)
    # A run in its own process with no runner above it: nothing sees it die.
    agent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import asyncio; from flows.stock_check import stock_check; "
            "asyncio.run(stock_check())",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=(tmp_path / "agent.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        flow_run = wait_for(
            lambda: _running_stock_check(started_after), timeout=60, what="the run"
        )
        # SQLite: the RUNNING hook waits for the held lock before beats begin.
        wait_for(
            lambda: _heartbeats(prefect_server, flow_run.id),
            timeout=60,
            what="the run's first heartbeat",
            step=1,
        )
        os.killpg(agent.pid, signal.SIGKILL)
        agent.wait(timeout=10)
        holder.rollback()
        assert _state(flow_run.id) == StateType.RUNNING

        wait_for(
            lambda: _state(flow_run.id) == StateType.CRASHED,
            timeout=WINDOW_S + 40,
            what="the automation to crash the run",
            step=1,
        )
        with get_client(sync_client=True) as client:
            reconcile(session, client, settings=get_settings(), settle_seconds=0)
        session.commit()
    finally:
        holder.close()
        stop_group(agent)
        with get_client(sync_client=True) as client:
            client.delete_automation(automation_id)

    log = _log(session, flow_run.id)
    assert (log.status, log.message) == ("CRASHED", crash_message(WINDOW_S))
    assert _orders(session) == [(1, 10, None)]
