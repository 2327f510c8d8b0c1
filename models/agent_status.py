"""One row per agent: what it last did and how it is doing."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models._time import utcnow


class AgentStatus(SQLModel, table=True):
    """The supervisor's summary of one agent."""

    __tablename__ = "agent_status"

    agent: str = Field(primary_key=True, max_length=64)
    is_active: bool = True
    cron: str = ""
    last_heartbeat: datetime | None = None
    last_status: str | None = Field(default=None, max_length=16)
    last_run_id: str | None = Field(default=None, max_length=64)
    last_success_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    total_runs: int = 0
    failures: int = 0
    deployment_id: str | None = Field(default=None, max_length=64)
    # When the schedule last turned on: lateness counts from here after a resume.
    active_since: datetime | None = None
    # When the supervisor first saw the agent; NULL for rows from before it.
    created_at: datetime | None = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
