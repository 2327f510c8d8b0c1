"""The supervisor: agents with their health, stats, runs, and their control."""

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from api.deps import Authorized, SessionDep
from api.params import AgentName, Limit, Offset
from api.schemas import TaskLogOut
from medstock.errors import (
    AgentNotDeployedError,
    PrefectUnavailableError,
    UnknownAgentError,
)
from medstock.supervisor.control import pause_agent, resume_agent, run_agent_now
from medstock.supervisor.health import AgentOverview, agent_overview, agents_overview
from medstock.supervisor.logs import list_task_logs
from medstock.supervisor.stats import StatsReport, compute_stats, parse_window
from models import RunStatus

router = APIRouter(tags=["supervisor"])

AGENT_NOT_FOUND = "agent not found"
NOT_DEPLOYED = "agent not deployed"
PREFECT_DOWN = "Prefect server unavailable"
CONTROL_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": AGENT_NOT_FOUND},
    409: {"description": NOT_DEPLOYED},
    503: {"description": PREFECT_DOWN},
}


class RunRequested(BaseModel):
    """A flow run created for an agent, to be picked up by its runner."""

    agent: str
    flow_run_id: str


@router.get("/agents")
def read_agents(session: SessionDep) -> list[AgentOverview]:
    """Every agent with its health, schedule, last run and last 24 h."""
    return agents_overview(session)


@router.get("/agents/{name}", responses={404: {"description": AGENT_NOT_FOUND}})
def read_agent(name: AgentName, session: SessionDep) -> AgentOverview:
    """One agent's overview."""
    try:
        return agent_overview(session, name)
    except UnknownAgentError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, AGENT_NOT_FOUND) from None


T = TypeVar("T")


def _control(action: Callable[[str], T], name: str) -> T:
    """Run a control action; the supervisor's errors become short fixed details."""
    try:
        return action(name)
    except AgentNotDeployedError:
        raise HTTPException(status.HTTP_409_CONFLICT, NOT_DEPLOYED) from None
    except UnknownAgentError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, AGENT_NOT_FOUND) from None
    except PrefectUnavailableError:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, PREFECT_DOWN) from None


@router.post("/agents/{name}/pause", dependencies=Authorized, responses=CONTROL_ERRORS)
def pause(name: AgentName) -> AgentOverview:
    """Pause the agent's deployment: its schedule creates no more runs."""
    return _control(pause_agent, name)


@router.post("/agents/{name}/resume", dependencies=Authorized, responses=CONTROL_ERRORS)
def resume(name: AgentName) -> AgentOverview:
    """Resume the agent's deployment and its schedule."""
    return _control(resume_agent, name)


@router.post(
    "/agents/{name}/run",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=Authorized,
    responses=CONTROL_ERRORS,
)
def run_now(name: AgentName) -> RunRequested:
    """Create a run of the agent now; it is recorded with trigger `manual`."""
    return RunRequested(agent=name, flow_run_id=_control(run_agent_now, name))


@router.get("/stats", responses={404: {"description": AGENT_NOT_FOUND}})
def read_stats(
    session: SessionDep,
    # The names of stats.WINDOWS, spelt out so that the schema lists them.
    window: Literal["24h", "7d", "30d"] = "24h",
    agent: Annotated[str | None, Query(max_length=64)] = None,
) -> StatsReport:
    """Runs, success rate, mean and p95 duration, per agent and overall."""
    try:
        return compute_stats(session, window=parse_window(window), agent=agent)
    except UnknownAgentError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, AGENT_NOT_FOUND) from None


@router.get("/task-logs", responses={404: {"description": AGENT_NOT_FOUND}})
def read_task_logs(
    session: SessionDep,
    agent: Annotated[str | None, Query(max_length=64)] = None,
    status_: Annotated[RunStatus | None, Query(alias="status")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[TaskLogOut]:
    """Agent runs newest first, optionally of one agent and one status."""
    try:
        rows = list_task_logs(
            session,
            agent=agent,
            status=str(status_) if status_ else None,
            limit=limit,
            offset=offset,
        )
    except UnknownAgentError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, AGENT_NOT_FOUND) from None
    return [TaskLogOut.model_validate(row) for row in rows]
