"""Builders of task_logs rows for supervisor tests."""

from datetime import datetime, timedelta

from sqlmodel import Session

from medstock.supervisor.mirror import record_run
from models import OPEN_RUN_STATUSES, RunStatus


def add_run(
    session: Session,
    run_id: str,
    status: RunStatus,
    *,
    started: datetime | None,
    duration_ms: int | None = None,
    agent: str = "stock-check",
    attempts: int = 1,
    message: str = "",
    finished: datetime | None = None,
) -> None:
    """Record one run as the mirror would, finished `duration_ms` after it started."""
    if finished is None and status not in OPEN_RUN_STATUSES and started is not None:
        finished = started + timedelta(milliseconds=duration_ms or 0)
    record_run(
        session,
        agent=agent,
        flow_run_id=run_id,
        status=status,
        message=message,
        started_at=started,
        finished_at=finished,
        attempts=attempts,
    )
