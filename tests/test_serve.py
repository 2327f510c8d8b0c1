"""A served deployment, run by Prefect, is mirrored into task_logs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.deployments import run_deployment
from sqlmodel import select

from deployments.serve import build_deployments
from medstock.settings import load_settings
from models import TaskLog
from tests.factories import add_product
from tests.processes import stop_group, wait_for
from tests.test_reconciler import deployed  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]


def test_every_agent_is_deployed_with_its_cron_timezone_and_limit(monkeypatch):
    monkeypatch.setenv("MEDSTOCK_STOCK_CHECK_CRON", "*/7 * * * *")
    monkeypatch.setenv("MEDSTOCK_TIMEZONE", "Europe/Madrid")

    deployments = build_deployments(load_settings())

    summary = [
        (
            d.name,
            d.schedules[0].schedule.cron,
            d.schedules[0].schedule.timezone,
            d.schedules[0].slug,
            d.concurrency_limit,
        )
        for d in deployments
    ]
    assert summary == [
        ("stock-check", "*/7 * * * *", "Europe/Madrid", "stock-check-cron", 1),
        (
            "inventory-report",
            "*/2 * * * *",
            "Europe/Madrid",
            "inventory-report-cron",
            1,
        ),
        ("expiry-check", "0 7 * * *", "Europe/Madrid", "expiry-check-cron", 1),
    ]


def _deployment_exists(name: str) -> bool:
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(name)
        except ObjectNotFound:
            return False
    return True


def test_a_served_deployment_run_by_prefect_is_mirrored(
    prefect_server, session, tmp_path
):
    add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    session.commit()
    env = dict(os.environ)
    env.update(
        {
            "PREFECT_API_URL": prefect_server,
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            # Far-off crons: this test triggers the run itself.
            "MEDSTOCK_STOCK_CHECK_CRON": "0 0 1 1 *",
            "MEDSTOCK_REPORT_CRON": "0 0 1 1 *",
            "MEDSTOCK_EXPIRY_CRON": "0 0 1 1 *",
        }
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "deployments.serve"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=(tmp_path / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(
            lambda: _deployment_exists("stock-check/stock-check"),
            timeout=60,
            what="the served stock-check deployment",
        )
        flow_run = run_deployment("stock-check/stock-check", timeout=90)
    finally:
        stop_group(server)

    assert flow_run.state.is_completed(), (tmp_path / "serve.log").read_text()
    session.expire_all()
    log = session.exec(
        select(TaskLog).where(TaskLog.flow_run_id == str(flow_run.id))
    ).one()
    assert (log.agent, log.status, log.message, log.trigger) == (
        "stock-check",
        "SUCCESS",
        "raised 1 purchase order, topped up 0",
        "manual",
    )


def test_a_paused_agent_stays_paused_when_serving_starts_again(deployed):  # noqa: F811
    from prefect import get_client

    from deployments.serve import current_deployments, keep_pauses

    with get_client(sync_client=True) as client:
        client.pause_deployment(deployed["stock-check"])
        again = build_deployments(load_settings())
        keep_pauses(again, current_deployments(client, again))
        for deployment in again:
            deployment.apply()
        paused = {
            name: client.read_deployment(deployment_id).paused
            for name, deployment_id in deployed.items()
        }

    assert [d.paused for d in again] == [True, False, False]
    assert paused == {
        "stock-check": True,
        "inventory-report": False,
        "expiry-check": False,
    }


def test_serving_drops_the_slots_missed_while_nothing_served_them(
    deployed,  # noqa: F811
    session,
):
    from datetime import timedelta

    from prefect import get_client
    from prefect.states import Scheduled

    from deployments.serve import current_deployments, drop_missed_runs
    from models import utcnow

    now = utcnow()
    with get_client(sync_client=True) as client:
        missed = client.create_flow_run_from_deployment(
            deployed["stock-check"],
            state=Scheduled(scheduled_time=now - timedelta(minutes=5)),
        )
        recent = client.create_flow_run_from_deployment(
            deployed["stock-check"],
            state=Scheduled(scheduled_time=now - timedelta(seconds=20)),
        )
        _mark_auto_scheduled(missed.id, recent.id)
        requested = client.create_flow_run_from_deployment(
            deployed["inventory-report"],
            state=Scheduled(scheduled_time=now - timedelta(minutes=5)),
        )

        current = current_deployments(client, build_deployments(load_settings()))
        dropped = drop_missed_runs(client, current, now=now)
        left = {
            run.id
            for run in client.read_flow_runs()
            if run.id in {missed.id, recent.id, requested.id}
        }

    assert dropped == 1
    assert left == {recent.id, requested.id}
    session.rollback()
    logs = [
        (log.flow_run_id, log.agent, log.status, log.trigger, log.message)
        for log in session.exec(select(TaskLog))
    ]
    assert logs == [
        (
            str(missed.id),
            "stock-check",
            "SKIPPED",
            "schedule",
            "slot passed while nothing served the agent; dropped at start",
        )
    ]


def _mark_auto_scheduled(*run_ids) -> None:
    """Make API-created runs look like the scheduler's, in the server's database.

    The API offers no way to create a run as the scheduler does.
    """
    import sqlite3

    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    path = PREFECT_SERVER_DATABASE_CONNECTION_URL.value().split(":///", 1)[1]
    with sqlite3.connect(path) as db:
        db.executemany(
            "UPDATE flow_run SET auto_scheduled = 1 WHERE id = ?",
            [(str(run_id),) for run_id in run_ids],
        )
