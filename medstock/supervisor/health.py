"""Each agent's health, derived from agent_status, its cron and the last 24 h."""

from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from cronsim import CronSim
from pydantic import BaseModel
from sqlmodel import Session, select

from medstock.agents import AGENTS, get_agent
from medstock.settings import get_settings
from medstock.supervisor.stats import compute_stats
from models import AgentStatus, utcnow

OVERVIEW_WINDOW = timedelta(hours=24)
# An agent is LATE when it has given no sign of life for this many intervals.
LATE_AFTER_INTERVALS = 2


class Health(StrEnum):
    """How an agent is doing, most urgent first when several apply."""

    PAUSED = "PAUSED"
    FAILING = "FAILING"
    LATE = "LATE"
    HEALTHY = "HEALTHY"


class AgentOverview(BaseModel):
    """One agent as the CLI, the API and the dashboard show it."""

    agent: str
    description: str
    is_active: bool
    cron: str
    health: Health
    last_heartbeat: datetime | None
    last_status: str | None
    last_run_id: str | None
    last_error: str | None
    consecutive_failures: int
    success_rate_24h: float | None
    mean_duration_ms_24h: float | None
    deployment_id: str | None


def schedule_interval(cron: str, *, now: datetime, timezone: str) -> timedelta:
    """The gap between the cron's last two ticks at or before `now`."""
    local = now.astimezone(ZoneInfo(timezone))
    ticks = CronSim(cron, local, reverse=True)
    # NOTE: reverse iteration starts strictly before `now` only when `now` is not
    # itself a tick; either way the gap between two consecutive ticks is the same.
    last = next(ticks)
    before = next(ticks)
    return last - before


def derive_health(
    status: AgentStatus, *, now: datetime, timezone: str, failing_after: int
) -> Health:
    """PAUSED, FAILING (last N runs failed), LATE (silent two intervals), HEALTHY."""
    if not status.is_active:
        return Health.PAUSED
    if status.consecutive_failures >= failing_after:
        return Health.FAILING
    interval = schedule_interval(status.cron, now=now, timezone=timezone)
    # The clock starts again on a resume; before its first run an agent counts
    # from when the supervisor first saw it.
    signs = [m for m in (status.last_heartbeat, status.active_since) if m]
    seen = max(signs) if signs else status.created_at or now
    if now - seen > LATE_AFTER_INTERVALS * interval:
        return Health.LATE
    return Health.HEALTHY


def _status_rows(session: Session) -> dict[str, AgentStatus]:
    return {row.agent: row for row in session.exec(select(AgentStatus)).all()}


def agents_overview(
    session: Session, *, now: datetime | None = None, agent: str | None = None
) -> list[AgentOverview]:
    """Every known agent (or only `agent`) with its health and last 24 h."""
    settings = get_settings()
    now = now or utcnow()
    names = [get_agent(agent).name] if agent else list(AGENTS)
    rows = _status_rows(session)
    stats = {
        s.agent: s
        for s in compute_stats(session, window=OVERVIEW_WINDOW, now=now).agents
    }

    overview = []
    for name in names:
        known = AGENTS[name]
        cron = known.cron(settings)
        status = rows.get(name) or AgentStatus(agent=name, cron=cron, created_at=now)
        status.cron = status.cron or cron
        day = stats[name]
        overview.append(
            AgentOverview(
                agent=name,
                description=known.description,
                is_active=status.is_active,
                cron=status.cron,
                health=derive_health(
                    status,
                    now=now,
                    timezone=settings.timezone,
                    failing_after=settings.failing_after,
                ),
                last_heartbeat=status.last_heartbeat,
                last_status=status.last_status,
                last_run_id=status.last_run_id,
                last_error=status.last_error,
                consecutive_failures=status.consecutive_failures,
                success_rate_24h=day.success_rate,
                mean_duration_ms_24h=day.mean_duration_ms,
                deployment_id=status.deployment_id,
            )
        )
    return overview


def agent_overview(
    session: Session, name: str, *, now: datetime | None = None
) -> AgentOverview:
    """One agent's overview; UnknownAgentError for names MedStock does not know."""
    return agents_overview(session, now=now, agent=name)[0]
