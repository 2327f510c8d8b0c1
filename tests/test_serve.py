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
