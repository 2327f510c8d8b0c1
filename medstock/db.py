"""Engines and sessions for the app database (SQLite or PostgreSQL)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from medstock.settings import get_settings

_engines: dict[str, Engine] = {}


# Any fixed number: the PostgreSQL advisory lock of exclusive sessions.
WRITER_LOCK_KEY = 7_305_511


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is switched off so that `_sqlite_begin`
    # can choose between a deferred and an immediate transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get("medstock_writer", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """A new engine for `url`; SQLite files get their folder and WAL mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for `url`, by default the configured database."""
    url = url or get_settings().database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    """Close every pooled connection, such as before a process forks."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def session_scope(
    url: str | None = None, *, writer: bool = False, exclusive: bool = False
) -> Iterator[Session]:
    """A session whose work commits together at the end, or not at all.

    `writer=True` is for work that reads, then writes: on SQLite it takes the write
    lock up front (BEGIN IMMEDIATE), waiting for it instead of failing with
    "database is locked" when another writer commits in between. `exclusive=True`
    also keeps other exclusive sessions out on PostgreSQL (an advisory lock), so
    that work such as a stock check never interleaves with itself.
    """
    engine = get_engine(url)
    if writer or exclusive:
        engine = engine.execution_options(medstock_writer=True)

    with Session(engine, expire_on_commit=False) as session:
        try:
            if exclusive and engine.dialect.name == "postgresql":
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": WRITER_LOCK_KEY},
                )
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def create_schema(engine: Engine | None = None) -> None:
    """Bring the schema to the newest migration (tables, indexes, constraints)."""
    # Imported here: Alembic is only needed by the processes that migrate.
    from medstock.schema import upgrade_schema

    upgrade_schema(engine or get_engine())
