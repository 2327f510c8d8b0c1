"""Timestamps as the app stores them: aware, in UTC."""

from datetime import UTC, datetime

from sqlalchemy import BindParameter, bindparam
from sqlmodel.sql.sqltypes import UTCDateTime


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def moment(name: str) -> BindParameter[datetime]:
    """A bound timestamp for raw SQL, stored exactly as the table columns are."""
    return bindparam(name, type_=UTCDateTime())
