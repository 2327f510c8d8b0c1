"""Inventory reports kept for audit."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models._time import utcnow


class Report(SQLModel, table=True):
    """One inventory report: the metrics as computed when it ran."""

    __tablename__ = "reports"

    id: int | None = Field(default=None, primary_key=True)
    report_date: date = Field(index=True)
    flow_run_id: str | None = Field(default=None, max_length=64)
    metrics: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, index=True)
