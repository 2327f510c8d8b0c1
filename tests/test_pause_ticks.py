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
from models import Product, PurchaseOrder, TaskLog, utcnow
from tests.factories import add_product
from tests.processes import free_port, stop_group, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
TICK_S = 10
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


def _runs_started_after(session, moment):
    """(status, message) of the stock checks that entered Running after `moment`."""
    session.rollback()
    logs = session.exec(
        select(TaskLog)
        .where(TaskLog.agent == "stock-check")
        .order_by(TaskLog.started_at)
    )
    return [
        (log.status, log.message)
        for log in logs
        if log.started_at and log.started_at > moment
    ]


def _order_skus(session):
    session.rollback()
    orders = session.exec(select(PurchaseOrder.product_id)).all()
    return sorted(session.get(Product, product_id).sku for product_id in orders)


def _runs_ran_after(moment):
    """Runs of Prefect's started after `moment` that ran: not Cancelled nor Skipped.

    A run the runner starts a moment ahead of its slot, before the pause, runs in
    full; what matters is what started after the pause.
    """
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterStartTime

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                start_time=FlowRunFilterStartTime(after_=moment)
            )
        )
    return [
        (run.name, run.state_name)
        for run in runs
        if run.state_name not in {"Cancelled", "Skipped"}
    ]


def _serve_every_tick(server: str, log: Path) -> subprocess.Popen[bytes]:
    """The stock check served on a TICK_S interval, as the demo serves it."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.serve_every", str(TICK_S)],
        cwd=ROOT,
        env=dict(os.environ, PREFECT_API_URL=server),
        start_new_session=True,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def test_pause_stops_three_ticks_and_resume_runs_at_the_next(
    scheduling_server, session, tmp_path
):
    add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    session.commit()
    serve = _serve_every_tick(scheduling_server, tmp_path / "serve.log")
    try:
        with temporary_settings(updates={PREFECT_API_URL: scheduling_server}):
            begin = utcnow()
            wait_for(
                lambda: _runs_started_after(session, begin), timeout=60, what="a tick"
            )

            paused = runner.invoke(app, ["agents", "pause", "stock-check"])
            paused_at = utcnow()
            # Below its minimum only while the agent is paused. (A fresh transaction:
            # SQLite refuses to turn a stale read into a write.)
            session.rollback()
            add_product(session, "SYR-LL-10", stock=3, min_stock=20)
            session.commit()
            time.sleep(3 * TICK_S + 5)
            during_pause = _runs_started_after(session, paused_at)
            ran_during_pause = _runs_ran_after(paused_at)
            orders_during_pause = _order_skus(session)

            resumed_at = utcnow()
            resumed = runner.invoke(app, ["agents", "resume", "stock-check"])
            after = wait_for(
                lambda: _runs_started_after(session, resumed_at),
                timeout=TICK_S + 15,
                what="a run after the resume",
            )
            wait_for(
                lambda: len(_order_skus(session)) == 2,
                timeout=30,
                what="the order after the resume",
            )
    finally:
        stop_group(serve)

    assert (paused.exit_code, resumed.exit_code) == (0, 0)
    # A run fetched ahead of its slot, or slipped in as the pause landed, may still
    # start; it ends at once and raises nothing.
    assert set(during_pause) <= {
        ("SKIPPED", "agent paused: the scheduled run did nothing")
    }
    assert (ran_during_pause, orders_during_pause) == ([], ["GLV-NIT-M"])
    assert after[0][0] in {"RUNNING", "SUCCESS"}
    assert _order_skus(session) == ["GLV-NIT-M", "SYR-LL-10"]


def _deploy_stock_check_every(seconds: int) -> str:
    """Register the stock check with an interval schedule and no runner; its id."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig
    from prefect.schedules import Interval

    from deployments.serve import schedule_slug
    from flows.stock_check import stock_check

    deployment = stock_check.to_deployment(
        name="stock-check",
        schedules=[
            Interval(timedelta(seconds=seconds), slug=schedule_slug("stock-check"))
        ],
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy="CANCEL_NEW"
        ),
    )
    return str(deployment.apply())


def _execute(flow_run_id: str, server: str) -> subprocess.CompletedProcess[bytes]:
    """Run one flow run to its end in a process of its own, as a runner would."""
    env = dict(os.environ, PREFECT_API_URL=server)
    return subprocess.run(
        [sys.executable, "-m", "prefect", "flow-run", "execute", flow_run_id],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )


def test_a_scheduled_run_fetched_before_the_pause_raises_nothing(
    scheduling_server, session
):
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.states import Pending

    add_product(session, "GLV-NIT-L", stock=5, min_stock=30)
    session.commit()
    with temporary_settings(updates={PREFECT_API_URL: scheduling_server}):
        deployment_id = _deploy_stock_check_every(3600)
        with get_client(sync_client=True) as client:
            scheduled = wait_for(
                lambda: client.read_flow_runs(
                    deployment_filter=DeploymentFilter(
                        id=DeploymentFilterId(any_=[deployment_id])
                    )
                ),
                timeout=30,
                what="a run from the scheduler",
            )[0]
            # What a runner does when it takes the run, before it starts it.
            client.set_flow_run_state(scheduled.id, Pending(), force=True)

            paused = runner.invoke(app, ["agents", "pause", "stock-check"])
            skipped = _execute(str(scheduled.id), scheduling_server)
            manual = client.create_flow_run_from_deployment(deployment_id)
            ran = _execute(str(manual.id), scheduling_server)
            states = [
                (state.type.value, state.name, state.message)
                for state in (
                    client.read_flow_run(scheduled.id).state,
                    client.read_flow_run(manual.id).state,
                )
                if state is not None
            ]
            runner.invoke(app, ["agents", "resume", "stock-check"])

    session.rollback()
    logs = {
        log.flow_run_id: (log.status, log.trigger, log.message)
        for log in session.exec(select(TaskLog))
    }
    assert (paused.exit_code, skipped.returncode, ran.returncode) == (0, 0, 0)
    assert states == [
        ("COMPLETED", "Skipped", "agent paused: the scheduled run did nothing"),
        ("COMPLETED", "Completed", None),
    ]
    assert logs == {
        str(scheduled.id): (
            "SKIPPED",
            "schedule",
            "agent paused: the scheduled run did nothing",
        ),
        str(manual.id): (
            "SUCCESS",
            "manual",
            "raised 1 purchase order, topped up 0",
        ),
    }
    assert _order_skus(session) == ["GLV-NIT-L"]


def test_a_pause_holds_when_the_runner_restarts(scheduling_server, session, tmp_path):
    from prefect import get_client

    add_product(session, "GAU-STR-10", stock=2, min_stock=50)
    session.commit()
    with temporary_settings(updates={PREFECT_API_URL: scheduling_server}):
        begin = utcnow()
        serve = _serve_every_tick(scheduling_server, tmp_path / "serve-1.log")
        try:
            wait_for(
                lambda: _runs_started_after(session, begin), timeout=60, what="a tick"
            )
            paused = runner.invoke(app, ["agents", "pause", "stock-check"])
        finally:
            stop_group(serve)
        session.rollback()
        add_product(session, "GAU-STR-20", stock=1, min_stock=50)
        session.commit()

        restarted_at = utcnow()
        serve = _serve_every_tick(scheduling_server, tmp_path / "serve-2.log")
        try:
            time.sleep(3 * TICK_S + 5)
            during = _runs_started_after(session, restarted_at)
            with get_client(sync_client=True) as client:
                still_paused = client.read_deployment_by_name(
                    "stock-check/stock-check"
                ).paused
            orders = _order_skus(session)
            resumed = runner.invoke(app, ["agents", "resume", "stock-check"])
        finally:
            stop_group(serve)

        # Stopping the runner must not pause an agent the operator left running.
        started_again_at = utcnow()
        serve = _serve_every_tick(scheduling_server, tmp_path / "serve-3.log")
        try:
            after = wait_for(
                lambda: _runs_started_after(session, started_again_at),
                timeout=TICK_S + 20,
                what="a run after the second restart",
            )
        finally:
            stop_group(serve)

    assert (paused.exit_code, resumed.exit_code) == (0, 0)
    assert still_paused is True
    assert set(during) <= {("SKIPPED", "agent paused: the scheduled run did nothing")}
    assert orders == ["GAU-STR-10"]
    assert after[0][0] in {"RUNNING", "SUCCESS"}
