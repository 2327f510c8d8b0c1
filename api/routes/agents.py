"""The supervisor's view: agents and their latest runs."""

from fastapi import APIRouter

from api.deps import SessionDep
from api.params import Limit
from api.schemas import AgentStatusOut, TaskLogOut
from medstock import queries

router = APIRouter(tags=["supervisor"])

# TODO: health and 24 h stats per agent (supervisor agents_overview), GET /stats
# (compute_stats, parse_window), task-log filters by agent and status
# (list_task_logs) and POST /agents/{name}/pause, /resume, /run (control) call the
# supervisor's medstock.supervisor modules, which are not on main yet.


@router.get("/agents")
def read_agents(session: SessionDep) -> list[AgentStatusOut]:
    """Every agent's summary row, by name."""
    return [
        AgentStatusOut.model_validate(row) for row in queries.list_agent_status(session)
    ]


@router.get("/task-logs")
def read_task_logs(session: SessionDep, limit: Limit = 50) -> list[TaskLogOut]:
    """The latest agent runs, newest first."""
    return [
        TaskLogOut.model_validate(row)
        for row in queries.latest_task_logs(session, limit=limit)
    ]
