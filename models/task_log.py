"""The supervisor's record of agent runs, one row per Prefect flow run."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models._time import utcnow


class RunStatus(StrEnum):
    """A run's status as the app records it."""

    SCHEDULED = "SCHEDULED"
    LATE = "LATE"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    ERROR = "ERROR"
    CRASHED = "CRASHED"
    CANCELLED = "CANCELLED"
    SKIPPED = "SKIPPED"


# Runs that may still change: waiting, overdue or executing.
OPEN_RUN_STATUSES = (RunStatus.SCHEDULED, RunStatus.LATE, RunStatus.RUNNING)
# Runs that executed and ended; SKIPPED runs never executed and are not counted.
TERMINAL_STATUSES = (
    RunStatus.SUCCESS,
    RunStatus.ERROR,
    RunStatus.CRASHED,
    RunStatus.CANCELLED,
)
FAILURE_STATUSES = (RunStatus.ERROR, RunStatus.CRASHED)


class TaskLog(SQLModel, table=True):
    """One agent run: its status, what it said, when and how long."""

    __tablename__ = "task_logs"
    __table_args__ = (
        Index("ix_task_logs_agent_started", "agent", "started_at"),
        # The mirror's latest-success and latest-failure look-ups, per state change.
        Index("ix_task_logs_agent_status_started", "agent", "status", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agent: str = Field(max_length=64)
    flow_run_id: str = Field(unique=True, max_length=64)
    status: str = Field(max_length=16)
    message: str = ""
    trigger: str = Field(default="schedule", max_length=16)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: int | None = None
    attempts: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
