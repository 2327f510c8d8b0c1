"""Alerts raised for agent runs that ended ERROR or CRASHED, one per run."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models._time import utcnow


class RunAlert(SQLModel, table=True):
    """One failed run to escalate, and whether its notification went out."""

    __tablename__ = "run_alerts"

    id: int | None = Field(default=None, primary_key=True)
    flow_run_id: str = Field(unique=True, max_length=64)
    agent: str = Field(max_length=64)
    status: str = Field(max_length=16)
    message: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    notified_at: datetime | None = None
    notify_attempts: int = 0
    notify_error: str | None = None
