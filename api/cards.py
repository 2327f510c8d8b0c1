"""The dashboard's agent cards: the supervisor's overview, linked to Prefect."""

from sqlmodel import Session

from api.prefect_ui import prefect_ui_url
from api.schemas import AgentCard
from medstock.supervisor.health import AgentOverview, agents_overview


def _runs_link(agent: AgentOverview) -> str | None:
    ui = prefect_ui_url()
    if ui is None:
        return None
    # The deployment's page lists its runs; before the first sync, the last run.
    if agent.deployment_id:
        return f"{ui}/deployments/deployment/{agent.deployment_id}"
    if agent.last_run_id:
        return f"{ui}/runs/flow-run/{agent.last_run_id}"
    return f"{ui}/runs"


def agent_cards(session: Session) -> list[AgentCard]:
    """One card per known agent, in the registry's order."""
    return [
        AgentCard(
            agent=agent.agent,
            description=agent.description,
            cron=agent.cron,
            is_active=agent.is_active,
            health=str(agent.health),
            last_heartbeat=agent.last_heartbeat,
            last_status=agent.last_status,
            last_run_id=agent.last_run_id,
            last_error=agent.last_error,
            success_rate=agent.success_rate_24h,
            mean_duration_ms=agent.mean_duration_ms_24h,
            prefect_url=_runs_link(agent),
        )
        for agent in agents_overview(session)
    ]
