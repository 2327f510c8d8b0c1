"""`medstock distributed`: a Prefect server on PostgreSQL, the deployments of
prefect.yaml and two process workers run the agents without a double order."""

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import StateType
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.backends import admin_url, postgres_unreachable
from tests.processes import free_port, pids_with_env, stop_group, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
MEDSTOCK = Path(sys.executable).with_name("medstock")
DEPLOYMENTS = ("stock-check/stock-check", "inventory-report/inventory-report")
FINAL = {StateType.COMPLETED, StateType.CANCELLED, StateType.FAILED, StateType.CRASHED}


@pytest.fixture
def throwaway_databases() -> Iterator[tuple[str, str]]:
    """An app database and a Prefect database on the test PostgreSQL, dropped after."""
    url = admin_url()
    reason = postgres_unreachable(url)
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the distributed test is required in CI, but {reason}")
        pytest.skip(f"distributed test skipped: {reason}")
    suffix = uuid.uuid4().hex[:8]
    names = [f"medstock_dist_app_{suffix}", f"medstock_dist_prefect_{suffix}"]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    base = make_url(url)
    try:
        yield (
            base.set(database=names[0]).render_as_string(False),
            base.set(
                drivername="postgresql+asyncpg", database=names[1]
            ).render_as_string(False),
        )
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _runs_by_worker(home: Path) -> dict[str, set[str]]:
    """The flow runs each worker started, from the workers' own logs."""
    started = {}
    for log in sorted(home.glob("medstock-worker-*.log")):
        text_ = log.read_text()
        submitted = set(re.findall(r"submitting flow run '([0-9a-f-]+)'", text_))
        aborted = set(
            re.findall(r"Aborted submission of flow run '([0-9a-f-]+)'", text_)
        )
        started[log.stem] = submitted - aborted
    return started


async def _online_workers() -> int:
    async with get_client() as client:
        workers = await client.read_workers_for_work_pool("medstock-process")
    return sum(1 for worker in workers if worker.status == "ONLINE")


async def _flow_runs() -> dict[str, tuple[str, StateType]]:
    """Every flow run of the two deployments: flow name and state type by id."""
    async with get_client() as client:
        deployments = [await client.read_deployment_by_name(n) for n in DEPLOYMENTS]
        runs = await client.read_flow_runs(
            deployment_filter=DeploymentFilter(
                id=DeploymentFilterId(any_=[d.id for d in deployments])
            )
        )
    names = {d.id: d.name for d in deployments}
    return {str(r.id): (names[r.deployment_id], r.state.type) for r in runs}


async def _deployed() -> dict[str, tuple]:
    """What `prefect deploy --all` stored for each deployment."""
    async with get_client() as client:
        deployments = [await client.read_deployment_by_name(n) for n in DEPLOYMENTS]
    return {
        d.name: (
            d.work_pool_name,
            d.global_concurrency_limit.limit if d.global_concurrency_limit else None,
            str(d.concurrency_options.collision_strategy.value),
            [schedule.slug for schedule in d.schedules],
            d.pull_steps,
        )
        for d in deployments
    }


async def _wait_final(run_ids: list[str]) -> dict[str, StateType]:
    async with get_client() as client:
        while True:
            states = {
                run_id: (await client.read_flow_run(run_id)).state.type
                for run_id in run_ids
            }
            if all(state in FINAL for state in states.values()):
                return states
            await asyncio.sleep(1)


def _stock_check_after_changes() -> str:
    # A scheduled run holding the deployment's slot cancels a new one
    # (CANCEL_NEW): try again until one of ours completes.
    for _ in range(5):
        flow_run = run_deployment(DEPLOYMENTS[0], timeout=120)
        if flow_run.state.is_completed():
            return str(flow_run.id)
        assert flow_run.state.is_cancelled(), flow_run.state
    raise AssertionError("no stock-check run completed in 5 tries")


def test_two_workers_run_the_deployed_agents_without_a_double_order(
    throwaway_databases, tmp_path
):
    app_url, prefect_url = throwaway_databases
    port = free_port()
    home = tmp_path / "prefect"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PREFECT_", "MEDSTOCK_"))
    }
    env.update(
        {
            "MEDSTOCK_DATABASE_URL": app_url,
            "MEDSTOCK_PREFECT_PORT": str(port),
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": prefect_url,
            "PREFECT_HOME": str(home),
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
    )
    output = tmp_path / "distributed.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            [str(MEDSTOCK), "distributed"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    app = create_engine(app_url)
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        wait_for(
            lambda: (
                process.poll() is not None
                or b"press Ctrl-C to stop" in output.read_bytes()
            ),
            timeout=150,
            what="the distributed run to start",
        )
        assert process.poll() is None, output.read_text()
        with temporary_settings({PREFECT_API_URL: api_url}):
            wait_for(
                lambda: asyncio.run(_online_workers()) == 2,
                timeout=60,
                what="two online workers",
            )
            deployed = asyncio.run(_deployed())
            # Several runs of both agents at once: the two workers share them.
            first = [
                str(run_deployment(name, timeout=0).id)
                for name in (
                    *DEPLOYMENTS,
                    DEPLOYMENTS[0],
                    DEPLOYMENTS[1],
                    DEPLOYMENTS[0],
                )
            ]
            states = asyncio.run(_wait_final(first))

            with app.begin() as conn:
                # An operator raises a reorder point; a ward uses up stock.
                conn.execute(
                    text("UPDATE products SET min_stock = 100 WHERE sku = 'GLV-NIT-M'")
                )
                conn.execute(
                    text("UPDATE products SET stock = 10 WHERE sku = 'GLV-NIT-L'")
                )
            last = _stock_check_after_changes()
            runs = asyncio.run(_flow_runs())

        with app.connect() as conn:
            logs = {
                row.flow_run_id: (row.agent, row.status)
                for row in conn.execute(
                    text("SELECT flow_run_id, agent, status FROM task_logs")
                )
            }
            orders = dict(
                conn.execute(
                    text(
                        "SELECT p.sku, po.quantity FROM purchase_orders AS po "
                        "JOIN products AS p ON p.id = po.product_id "
                        "WHERE po.status = 'PENDING'"
                    )
                ).all()
            )
            doubles = conn.execute(
                text(
                    "SELECT product_id FROM purchase_orders "
                    "WHERE status IN ('PENDING', 'ORDERED') "
                    "GROUP BY product_id HAVING COUNT(*) > 1"
                )
            ).all()
            still_short = conn.execute(
                text(
                    "SELECT p.sku FROM products AS p LEFT JOIN purchase_orders AS po "
                    "ON po.product_id = p.id AND po.status IN ('PENDING', 'ORDERED') "
                    "GROUP BY p.id, p.sku, p.stock, p.min_stock "
                    "HAVING p.stock + COALESCE(SUM(po.quantity), 0) < p.min_stock"
                )
            ).all()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        exit_code = process.wait(timeout=60)
        stop_group(process)
        app.dispose()
        leftovers = pids_with_env("PREFECT_HOME", str(home))
        for pid in leftovers:
            os.kill(pid, signal.SIGKILL)

    pull = [{"deployments.pull.enter_project_dir": {}}]
    assert deployed == {
        "stock-check": (
            "medstock-process",
            1,
            "CANCEL_NEW",
            ["stock-check-cron"],
            pull,
        ),
        "inventory-report": (
            "medstock-process",
            1,
            "CANCEL_NEW",
            ["inventory-report-cron"],
            pull,
        ),
    }
    completed = {
        run_id for run_id, (_, state) in runs.items() if state == StateType.COMPLETED
    }
    assert set(states.values()) <= {StateType.COMPLETED, StateType.CANCELLED}
    assert {runs[r][0] for r in first if states[r] == StateType.COMPLETED} == {
        "stock-check",
        "inventory-report",
    }
    assert {run_id: logs.get(run_id) for run_id in completed} == {
        run_id: (runs[run_id][0], "SUCCESS") for run_id in completed
    }
    assert {status for _, status in logs.values()} <= {
        "SUCCESS",
        "RUNNING",
        "CANCELLED",
    }
    assert last in completed
    worker_runs = _runs_by_worker(home)
    assert sorted(worker_runs) == ["medstock-worker-1", "medstock-worker-2"]
    assert all(worker_runs.values()), worker_runs
    # 16 sample products were short; GLV-NIT-M's order is topped up to the new
    # target (200 - 18 on hand) and GLV-NIT-L gets its first (60 - 10).
    assert (len(orders), doubles, still_short) == (17, [], [])
    assert (orders["GLV-NIT-M"], orders["GLV-NIT-L"], orders["SYR-LL-3"]) == (
        182,
        50,
        900,
    )
    assert (exit_code, leftovers) == (0, [])
