"""Serve every agent on its cron from one process, as the local demo does."""

import logging
import os
from datetime import datetime, timedelta
from typing import Any, cast

from prefect import get_client, serve
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import ConcurrencyLimitConfig
from prefect.client.schemas.responses import DeploymentResponse
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.expiry_check import expiry_check
from flows.inventory_report import inventory_report
from flows.stock_check import stock_check
from medstock.agents import AGENTS
from medstock.db import session_scope
from medstock.settings import Settings, get_settings
from medstock.supervisor.mirror import record_run
from medstock.supervisor.prefect_api import find_deployment_named, scheduled_runs
from models import RunStatus, utcnow

logger = logging.getLogger(__name__)

FLOWS = {
    "stock-check": stock_check,
    "inventory-report": inventory_report,
    "expiry-check": expiry_check,
}

# The runner polls every 10 s by default, so a run could start up to 10 s off its
# slot. Polling every second is one small query a second; prefetching 2 s covers
# the run process's own start-up, so the run enters Running close to its slot.
RUNNER_OPTIONS: dict[str, Any] = {"query_seconds": 1, "prefetch_seconds": 2}

# A scheduled run this far past its slot when serving starts was due while no
# runner served it: the next slot runs instead, as if the runs had been paused.
MISSED_AFTER = timedelta(seconds=60)
MISSED_MESSAGE = "slot passed while nothing served the agent; dropped at start"


def schedule_slug(agent_name: str) -> str:
    """The schedule's stable slug, so a pause survives redeploys."""
    return f"{agent_name}-cron"


def build_deployments(settings: Settings) -> list[RunnerDeployment]:
    """One deployment per agent with its cron, timezone and concurrency limit 1."""
    deployments = []
    for name, agent in AGENTS.items():
        schedule = Cron(
            agent.cron(settings), timezone=settings.timezone, slug=schedule_slug(name)
        )
        deployment = cast(
            RunnerDeployment,
            FLOWS[name].to_deployment(
                name=agent.name,
                schedules=[schedule],
                concurrency_limit=ConcurrencyLimitConfig(
                    limit=1, collision_strategy="CANCEL_NEW"
                ),
                description=agent.description,
                tags=["medstock"],
            ),
        )
        deployments.append(deployment)
    return deployments


def current_deployments(
    client: SyncPrefectClient, deployments: list[RunnerDeployment]
) -> dict[str, DeploymentResponse]:
    """The server's record of each deployment it has already, by deployment name."""
    found = {
        deployment.name: find_deployment_named(
            client, f"{deployment.flow_name}/{deployment.name}"
        )
        for deployment in deployments
    }
    return {name: known for name, known in found.items() if known is not None}


def keep_pauses(
    deployments: list[RunnerDeployment], current: dict[str, DeploymentResponse]
) -> None:
    """Serve each deployment paused when the server has it paused already."""
    for deployment in deployments:
        known = current.get(deployment.name)
        if known is None:
            continue
        deployment.paused = known.paused
        if known.paused:
            logger.info("agent %s stays paused, as it was", deployment.name)


def drop_missed_runs(
    client: SyncPrefectClient, current: dict[str, DeploymentResponse], *, now: datetime
) -> int:
    """Delete the agents' scheduled runs whose slot passed while nothing served them.

    Each is recorded SKIPPED in task_logs, so that the missed slots stay visible.
    """
    agent_of = {known.id: name for name, known in current.items()}
    if not agent_of:
        return 0
    missed = scheduled_runs(client, list(agent_of), due_before=now - MISSED_AFTER)
    # Run-now requests wait for the runner, however late: only slots are dropped.
    dropped = [run for run in missed if run.auto_scheduled]
    for run in dropped:
        client.delete_flow_run(run.id)
        assert run.deployment_id is not None  # read by deployment
        with session_scope(writer=True) as session:
            record_run(
                session,
                agent=agent_of[run.deployment_id],
                flow_run_id=str(run.id),
                status=RunStatus.SKIPPED,
                message=MISSED_MESSAGE,
                finished_at=now,
                keep_finished=True,
            )
        logger.info(
            "dropped run %s of %s: its slot %s passed while nothing served it",
            run.id,
            agent_of[run.deployment_id],
            run.expected_start_time,
        )
    return len(dropped)


def serve_agents(deployments: list[RunnerDeployment]) -> None:
    """Serve the deployments until interrupted, keeping pauses across restarts."""
    with get_client(sync_client=True) as client:
        current = current_deployments(client, deployments)
        keep_pauses(deployments, current)
        drop_missed_runs(client, current, now=utcnow())
    for deployment in deployments:
        logger.info("serving %s on %s", deployment.name, deployment.schedules)
    # NOTE: Prefect's default pauses every served deployment on shutdown, and the
    # next serve un-pauses them all, so an operator's pause would not survive a
    # restart; with the pause kept above, missed slots are dropped instead.
    serve(
        *deployments,
        pause_on_shutdown=False,
        print_starting_message=True,
        **RUNNER_OPTIONS,
    )


def main() -> None:
    """Serve the agents until interrupted."""
    settings = get_settings()
    # The runs are child processes of this one and read Prefect's own setting.
    os.environ["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] = str(settings.heartbeat_seconds)
    serve_agents(build_deployments(settings))


if __name__ == "__main__":
    # Prefect has configured logging by now; its root handler shows WARNING and
    # up, so the project's own INFO lines (pauses kept, slots dropped) need this.
    for name in ("deployments", "medstock"):
        logging.getLogger(name).setLevel(logging.INFO)
    main()
