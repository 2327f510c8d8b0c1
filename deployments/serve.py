"""Serve every agent on its cron from one process, as the local demo does."""

import logging
import os
from typing import Any, cast

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.expiry_check import expiry_check
from flows.inventory_report import inventory_report
from flows.stock_check import stock_check
from medstock.agents import AGENTS
from medstock.settings import Settings, get_settings

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


def main() -> None:
    """Serve the agents until interrupted."""
    settings = get_settings()
    # The runs are child processes of this one and read Prefect's own setting.
    os.environ["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] = str(settings.heartbeat_seconds)
    deployments = build_deployments(settings)
    for deployment in deployments:
        logger.info("serving %s on %s", deployment.name, deployment.schedules)
    serve(*deployments, print_starting_message=True, **RUNNER_OPTIONS)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
