"""Pausing, resuming and running agents through the Prefect API, mirrored at once."""

import logging

from medstock.agents import get_agent
from medstock.db import session_scope
from medstock.settings import get_settings
from medstock.supervisor.health import AgentOverview, agent_overview
from medstock.supervisor.mirror import record_run, record_schedule
from medstock.supervisor.prefect_api import (
    prefect_client,
    read_deployment,
    scheduled_runs,
)
from models import RunStatus

logger = logging.getLogger(__name__)


def _mirror_schedule(
    name: str, *, is_active: bool, deployment_id: str
) -> AgentOverview:
    cron = get_agent(name).cron(get_settings())
    with session_scope() as session:
        record_schedule(
            session, name, is_active=is_active, cron=cron, deployment_id=deployment_id
        )
    with session_scope() as session:
        return agent_overview(session, name)


def pause_agent(name: str) -> AgentOverview:
    """Pause the agent's deployment so that its schedule creates no runs."""
    agent = get_agent(name)
    with prefect_client() as client:
        deployment = read_deployment(client, agent)
        client.pause_deployment(deployment.id)
        # Prefect deletes the future runs of a paused deployment, but a scheduler
        # pass already under way can still add some: remove those as well.
        scheduled = scheduled_runs(client, [deployment.id])
        for run in scheduled:
            client.delete_flow_run(run.id)
    logger.info(
        "paused agent %s (deployment %s), %d scheduled runs removed",
        agent.name,
        deployment.id,
        len(scheduled),
    )
    return _mirror_schedule(
        agent.name, is_active=False, deployment_id=str(deployment.id)
    )


def resume_agent(name: str) -> AgentOverview:
    """Resume the agent's deployment and re-activate its schedules."""
    agent = get_agent(name)
    with prefect_client() as client:
        deployment = read_deployment(client, agent)
        client.resume_deployment(deployment.id)
        # A schedule switched off on its own (in the UI) would keep it silent.
        for schedule in deployment.schedules:
            if not schedule.active:
                client.update_deployment_schedule(
                    deployment.id, schedule.id, active=True
                )
    logger.info("resumed agent %s (deployment %s)", agent.name, deployment.id)
    return _mirror_schedule(
        agent.name, is_active=True, deployment_id=str(deployment.id)
    )


def run_agent_now(name: str) -> str:
    """Create a flow run of the agent's deployment now; its flow run id."""
    agent = get_agent(name)
    with prefect_client() as client:
        deployment = read_deployment(client, agent)
        flow_run = client.create_flow_run_from_deployment(deployment.id)
    run_id = str(flow_run.id)
    with session_scope() as session:
        record_run(
            session,
            agent=agent.name,
            flow_run_id=run_id,
            status=RunStatus.SCHEDULED,
            message="run requested",
            trigger="manual",
        )
    logger.info("requested run %s of agent %s", run_id, agent.name)
    return run_id
