"""Throwaway app databases for the benchmarks, on SQLite or PostgreSQL."""

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from medstock.db import create_schema, make_engine

logger = logging.getLogger(__name__)

POSTGRES_ENV = "MEDSTOCK_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    """The URL of a PostgreSQL database that may create and drop databases."""
    return os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)


@contextmanager
def throwaway_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a new database with the app schema, dropped afterwards."""
    if backend == "sqlite":
        path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
        _create_schema(url)
        try:
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return

    name = f"medstock_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_admin_url()).set(database=name).render_as_string(False)
    try:
        _create_schema(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _create_schema(url: str) -> None:
    engine = make_engine(url)
    create_schema(engine)
    engine.dispose()
