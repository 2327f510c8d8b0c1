"""Idempotent writes of agent runs into task_logs and agent_status."""

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, not_, select, true
from sqlmodel import Session

from medstock.upsert import insert_for
from models import (
    FAILURE_STATUSES,
    OPEN_RUN_STATUSES,
    TERMINAL_STATUSES,
    AgentStatus,
    RunStatus,
    TaskLog,
    table_of,
)
from models import utcnow as _utcnow

# An open status may replace only itself or the open statuses before it.
_REPLACES = {
    status: [str(s) for s in OPEN_RUN_STATUSES[: i + 1]]
    for i, status in enumerate(OPEN_RUN_STATUSES)
}
_OPEN = [str(s) for s in OPEN_RUN_STATUSES]
_FINISHED = [str(s) for s in TERMINAL_STATUSES]
_FAILED = [str(s) for s in FAILURE_STATUSES]


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
) -> bool:
    """Upsert the run's task_logs row; a terminal row is never reopened.

    With `keep_finished` a finished row is left as it is, so the reconciler never
    replaces the richer message and attempt count a state hook recorded. Returns
    True when this write is the one that finished the run.
    """
    table = table_of(TaskLog)
    # Locked, so that two writers finishing the same run count it once.
    previous = session.execute(
        select(table.c.status)
        .where(table.c.flow_run_id == flow_run_id)
        .with_for_update()
    ).scalar()
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
    elif keep_finished or status is RunStatus.CANCELLED:
        # A runner shutting down cancels a run whose process is still exiting,
        # after it finished: that late CANCELLED must not replace the outcome.
        guard = existing.status.in_(_OPEN)
    else:
        guard = None
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["flow_run_id"], set_=update, where=guard
        )
    )
    return status in TERMINAL_STATUSES and previous not in _FINISHED


def _counts(
    session: Session, agent: str, finished: RunStatus | None, recount: bool
) -> tuple[int, int, int | None]:
    """Total runs, failures and consecutive failures (None: count them again)."""
    row = None if recount else session.get(AgentStatus, agent)
    if row is None:
        logs = table_of(TaskLog).c
        total_runs, failed = session.execute(
            select(
                func.count(),
                func.coalesce(
                    func.sum(case((logs.status.in_(_FAILED), 1), else_=0)), 0
                ),
            ).where(logs.agent == agent, logs.status.in_(_FINISHED))
        ).one()
        return int(total_runs), int(failed), None

    # NOTE: a state change adds to the counters instead of recounting the whole
    # history, which would grow with task_logs; the reconciler's pass recounts.
    if finished is None:
        return row.total_runs, row.failures, row.consecutive_failures
    failure = finished in FAILURE_STATUSES
    consecutive = row.consecutive_failures + 1 if failure else 0
    if finished is RunStatus.CANCELLED:
        consecutive = row.consecutive_failures
    return row.total_runs + 1, row.failures + int(failure), consecutive


def refresh_agent_status(
    session: Session,
    agent: str,
    *,
    cron: str,
    heartbeat: datetime | None,
    finished: RunStatus | None = None,
    recount: bool = True,
) -> None:
    """Bring the agent's summary row up to date with its task_logs rows.

    With `recount=False` the counters only add `finished`, the status of a run that
    has just finished (None when the change finished no run).
    """
    logs = table_of(TaskLog).c
    failures = list(_FAILED)
    total_runs, failed, consecutive = _counts(session, agent, finished, recount)
    # Newest start first, read from the (agent, started_at) index; NULLS LAST would
    # make PostgreSQL sort the whole history instead.
    newest = (logs.started_at.desc(), logs.id.desc())
    started = logs.started_at.is_not(None)
    last = (
        session.execute(
            select(logs.flow_run_id, logs.status)
            .where(logs.agent == agent, started)
            .order_by(*newest)
            .limit(1)
        ).first()
        or session.execute(
            select(logs.flow_run_id, logs.status)
            .where(logs.agent == agent)
            .order_by(logs.id.desc())
            .limit(1)
        ).first()
    )
    last_success = session.execute(
        select(logs.started_at, logs.finished_at)
        .where(logs.agent == agent, logs.status == str(RunStatus.SUCCESS), started)
        .order_by(*newest)
        .limit(1)
    ).first() or (None, None)
    last_error = session.execute(
        select(logs.message)
        .where(logs.agent == agent, logs.status.in_(failures), started)
        .order_by(*newest)
        .limit(1)
    ).scalar()
    if consecutive is None:
        since_success = logs.started_at > last_success[0] if last_success[0] else true()
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
    insert = insert_for(session, table_of(AgentStatus)).values(is_active=True, **values)
    update = {key: insert.excluded[key] for key in values if key != "agent"}
    if heartbeat is not None:
        # A reconciler reading older runs must not move the heartbeat back.
        beat = table_of(AgentStatus).c.last_heartbeat
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
    now: datetime | None = None,
) -> None:
    """Upsert whether the agent's deployment is scheduled, as Prefect reports it."""
    now = now or _utcnow()
    values = {
        "agent": agent,
        "is_active": is_active,
        "cron": cron,
        "deployment_id": deployment_id,
        "active_since": now if is_active else None,
        "updated_at": now,
    }
    insert = insert_for(session, table_of(AgentStatus)).values(**values)
    existing = table_of(AgentStatus).c
    update = {key: insert.excluded[key] for key in values if key != "agent"}
    # Lateness counts again from a resume; a repeated resume or a reconciler pass
    # that finds the agent still active leaves the moment as it was.
    became_active = and_(insert.excluded.is_active, not_(existing.is_active))
    update["active_since"] = case(
        (became_active, insert.excluded.active_since), else_=existing.active_since
    )
    session.execute(insert.on_conflict_do_update(index_elements=["agent"], set_=update))
