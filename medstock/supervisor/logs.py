"""Reading agent runs from task_logs, newest first."""

from sqlalchemy import func
from sqlmodel import Session, select

from medstock.agents import get_agent
from medstock.errors import ValidationError
from models import RunStatus, TaskLog

MAX_LIMIT = 1000


def list_task_logs(
    session: Session,
    *,
    agent: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[TaskLog]:
    """Runs, newest first, optionally of one agent and one status."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit {limit!r} is out of range; use 1 to {MAX_LIMIT}")
    if offset < 0:
        raise ValidationError(f"offset {offset!r} is negative; use 0 or more")
    query = select(TaskLog)
    if agent is not None:
        query = query.where(TaskLog.agent == get_agent(agent).name)
    if status is not None:
        known = [str(s) for s in RunStatus]
        if status.upper() not in known:
            raise ValidationError(
                f"unknown run status {status!r}; use one of {', '.join(known)}"
            )
        query = query.where(TaskLog.status == status.upper())
    newest = func.coalesce(TaskLog.started_at, TaskLog.updated_at)
    query = query.order_by(newest.desc(), TaskLog.id.desc())  # type: ignore[union-attr]
    return list(session.exec(query.offset(offset).limit(limit)).all())
