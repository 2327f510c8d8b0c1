"""The Core table behind a model, for set-based statements."""

from typing import cast

from sqlalchemy import Table
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy table of a SQLModel table class, typed for mypy."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]
