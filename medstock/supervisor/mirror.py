"""Idempotent writes of agent runs into task_logs and agent_status."""

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import Session

from medstock.upsert import insert_for
from models import (
    FAILURE_STATUSES,
    OPEN_RUN_STATUSES,
    TERMINAL_STATUSES,
    AgentStatus,
    RunStatus,
    TaskLog,
)
from models import utcnow as _utcnow

# An open status may replace only itself or the open statuses before it.
_REPLACES = {
    status: [str(s) for s in OPEN_RUN_STATUSES[: i + 1]]
    for i, status in enumerate(OPEN_RUN_STATUSES)
}
_OPEN = [str(s) for s in OPEN_RUN_STATUSES]


def _duration_ms(started: datetime | None, finished: datetime | None) -> int | None:
    if started is None or finished is None:
        return None
    return max(0, round((finished - started).total_seconds() * 1000))


def _greater(session: Session, a: Any, b: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.max(a, b)
    return func.greatest(a, b)


def record_run(
    session: Session,
    *,
    agent: str,
    flow_run_id: str,
    status: RunStatus,
    message: str = "",
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    attempts: int = 1,
    trigger: str = "schedule",
    keep_finished: bool = False,
) -> None:
    """Upsert the run's task_logs row; a terminal row is never reopened.

    With `keep_finished` a finished row is left as it is, so the reconciler never
    replaces the richer message and attempt count a state hook recorded.
    """
    table = TaskLog.__table__
    values = {
        "agent": agent,
        "flow_run_id": flow_run_id,
        "status": str(status),
        "message": message,
        "trigger": trigger,
        "started_at": started_at,
        "finished_at": finished_at,
        "duration_ms": _duration_ms(started_at, finished_at),
        "attempts": attempts,
        "updated_at": _utcnow(),
    }
    insert = insert_for(session, table).values(**values)
    existing = table.c
    # Prefect's own start time, sent with the outcome, beats the RUNNING hook's
    # estimate (Prefect gives no start time when it calls that hook).
    started = func.coalesce(insert.excluded.started_at, existing.started_at)
    update = {
        "status": insert.excluded.status,
        "message": insert.excluded.message,
        "trigger": insert.excluded.trigger,
        "started_at": started,
        "finished_at": insert.excluded.finished_at,
        "attempts": _greater(session, existing.attempts, insert.excluded.attempts),
        "updated_at": insert.excluded.updated_at,
    }
    if finished_at is not None and started_at is not None:
        # Keep the duration consistent with whichever start time survives.
        update["duration_ms"] = insert.excluded.duration_ms
    else:
        update["duration_ms"] = existing.duration_ms

    # NOTE: a late RUNNING (or LATE, SCHEDULED) write must not undo a terminal
    # state that a hook or the reconciler has already recorded, nor step back.
    if status in _REPLACES:
        guard = existing.status.in_(_REPLACES[status])
    elif keep_finished:
        guard = existing.status.in_(_OPEN)
    else:
        guard = None
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["flow_run_id"], set_=update, where=guard
        )
    )


def refresh_agent_status(
    session: Session, agent: str, *, cron: str, heartbeat: datetime | None
) -> None:
    """Recompute the agent's summary row from its task_logs rows."""
    logs = TaskLog.__table__.c
    terminal = [str(s) for s in TERMINAL_STATUSES]
    failures = [str(s) for s in FAILURE_STATUSES]

    total_runs, failed = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((logs.status.in_(failures), 1), else_=0)), 0),
        ).where(logs.agent == agent, logs.status.in_(terminal))
    ).one()
    last = session.execute(
        select(logs.flow_run_id, logs.status)
        .where(logs.agent == agent)
        .order_by(logs.started_at.desc().nulls_last(), logs.id.desc())
        .limit(1)
    ).first()
    last_success = session.execute(
        select(func.max(logs.started_at), func.max(logs.finished_at)).where(
            logs.agent == agent, logs.status == str(RunStatus.SUCCESS)
        )
    ).one()
    last_error = session.execute(
        select(logs.message)
        .where(logs.agent == agent, logs.status.in_(failures))
        .order_by(logs.started_at.desc().nulls_last(), logs.id.desc())
        .limit(1)
    ).scalar()
    since_success = logs.started_at > last_success[0] if last_success[0] else True
    consecutive = session.execute(
        select(func.count()).where(
            logs.agent == agent, logs.status.in_(failures), since_success
        )
    ).scalar_one()

    values = {
        "agent": agent,
        "cron": cron,
        "last_status": last[1] if last else None,
        "last_run_id": last[0] if last else None,
        "last_success_at": last_success[1],
        "last_error": last_error,
        "consecutive_failures": int(consecutive),
        "total_runs": int(total_runs),
        "failures": int(failed),
        "updated_at": _utcnow(),
    }
    if heartbeat is not None:
        values["last_heartbeat"] = heartbeat
    insert = insert_for(session, AgentStatus.__table__).values(is_active=True, **values)
    update = {key: insert.excluded[key] for key in values if key != "agent"}
    if heartbeat is not None:
        # A reconciler reading older runs must not move the heartbeat back.
        beat = AgentStatus.__table__.c.last_heartbeat
        update["last_heartbeat"] = _greater(
            session,
            func.coalesce(beat, insert.excluded.last_heartbeat),
            insert.excluded.last_heartbeat,
        )
    session.execute(insert.on_conflict_do_update(index_elements=["agent"], set_=update))


def record_schedule(
    session: Session,
    agent: str,
    *,
    is_active: bool,
    cron: str,
    deployment_id: str | None,
) -> None:
    """Upsert whether the agent's deployment is scheduled, as Prefect reports it."""
    values = {
        "agent": agent,
        "is_active": is_active,
        "cron": cron,
        "deployment_id": deployment_id,
        "updated_at": _utcnow(),
    }
    insert = insert_for(session, AgentStatus.__table__).values(**values)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["agent"],
            set_={key: insert.excluded[key] for key in values if key != "agent"},
        )
    )
