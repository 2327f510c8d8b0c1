"""Pausing stops the ticks, resuming brings them back at the next one."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlmodel import select
from typer.testing import CliRunner

from medstock.cli import app
from models import TaskLog, utcnow
from tests.factories import add_product
from tests.processes import free_port, stop_group, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
TICK_S = 10
GRACE_S = 8
runner = CliRunner()


@pytest.fixture(scope="module")
def scheduling_server(tmp_path_factory):
    """A full Prefect server (the test harness runs no scheduler); its API URL."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
        }
    )
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env,
        start_new_session=True,
        stdout=(home / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, timeout=120, what="the Prefect server")
        yield url
    finally:
        stop_group(server)


def _starts_after(session, moment):
    session.rollback()
    return [
        log.started_at
        for log in session.exec(select(TaskLog).where(TaskLog.agent == "stock-check"))
        if log.started_at and log.started_at > moment
    ]


def _runs_due_after(moment):
    """Runs Prefect kept or created with a due time after `moment`."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterExpectedStartTime,
    )

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                expected_start_time=FlowRunFilterExpectedStartTime(
                    after_=moment + timedelta(seconds=1), before_=utcnow()
                )
            )
        )
    # A run the scheduler slipped in as the pause landed is cancelled unexecuted;
    # what must not exist is one that ran.
    return [(run.name, run.state_name) for run in runs if run.state_name != "Cancelled"]


def test_pause_stops_three_ticks_and_resume_runs_at_the_next(
    scheduling_server, session, tmp_path
):
    add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    session.commit()
    env = dict(os.environ)
    env.update(
        {
            "PREFECT_API_URL": scheduling_server,
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            # Fetched ahead, a run survives the pause; keep that window short.
            "PREFECT_RUNNER_PREFETCH_SECONDS": "1",
        }
    )
    serve = subprocess.Popen(
        [sys.executable, "-m", "tests.serve_every", str(TICK_S)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=(tmp_path / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        with temporary_settings(updates={PREFECT_API_URL: scheduling_server}):
            begin = utcnow()
            wait_for(lambda: _starts_after(session, begin), timeout=60, what="a tick")

            paused_at = utcnow()
            paused = runner.invoke(app, ["agents", "pause", "stock-check"])
            # A run already due when the pause lands still starts, a few seconds
            # later (the runner's poll, then its process start-up).
            time.sleep(3 * TICK_S + GRACE_S)
            during_pause = _starts_after(
                session, paused_at + timedelta(seconds=GRACE_S)
            )
            due_during_pause = _runs_due_after(paused_at + timedelta(seconds=GRACE_S))

            resumed_at = utcnow()
            resumed = runner.invoke(app, ["agents", "resume", "stock-check"])
            after = wait_for(
                lambda: _starts_after(session, resumed_at),
                timeout=TICK_S + 15,
                what="a run after the resume",
            )
    finally:
        stop_group(serve)

    assert (paused.exit_code, resumed.exit_code) == (0, 0)
    assert (during_pause, due_during_pause) == ([], [])
    # The next tick, plus the scheduler's pass and the runner's poll.
    assert (after[0] - resumed_at).total_seconds() < TICK_S + 15
