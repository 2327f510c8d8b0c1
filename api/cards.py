"""The dashboard's agent cards: the registry joined with the supervisor's rows."""

from sqlmodel import Session

from api.prefect_ui import prefect_ui_url
from api.schemas import AgentCard
from medstock import queries
from medstock.agents import AGENTS
from medstock.settings import get_settings


def _runs_link(run_id: str | None) -> str | None:
    ui = prefect_ui_url()
    if ui is None:
        return None
    return f"{ui}/runs/flow-run/{run_id}" if run_id else f"{ui}/runs"


def agent_cards(session: Session) -> list[AgentCard]:
    """One card per known agent, by name, whether it has run yet or not."""
    settings = get_settings()
    rows = {row.agent: row for row in queries.list_agent_status(session)}
    cards = []
    for name in sorted(AGENTS):
        agent, row = AGENTS[name], rows.get(name)
        cards.append(
            AgentCard(
                agent=name,
                description=agent.description,
                cron=row.cron if row and row.cron else agent.cron(settings),
                is_active=row.is_active if row else True,
                # TODO: health, success rate and mean duration come from the
                # supervisor's agents_overview and compute_stats, not yet on main.
                health=None,
                last_heartbeat=row.last_heartbeat if row else None,
                last_status=row.last_status if row else None,
                last_run_id=row.last_run_id if row else None,
                last_error=row.last_error if row else None,
                success_rate=None,
                mean_duration_ms=None,
                prefect_url=_runs_link(row.last_run_id if row else None),
            )
        )
    return cards
