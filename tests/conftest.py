"""Fixtures: a fresh app database per test, one Prefect server per session."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from medstock import db as medstock_db
from medstock.settings import get_settings
from tests.backends import postgres_unreachable

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

# Set by .ci/run (and by hand) to run the database tests on PostgreSQL as well.
POSTGRES_ENV = "MEDSTOCK_TEST_POSTGRES_URL"
BACKEND_ENV = "MEDSTOCK_TEST_BACKEND"


def _backend() -> str:
    return os.environ.get(BACKEND_ENV, "sqlite")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A throwaway PostgreSQL database for the session, when that backend is on."""
    if _backend() != "postgresql":
        yield None
        return

    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(f"{BACKEND_ENV}=postgresql needs {POSTGRES_ENV}")
    reason = postgres_unreachable(admin_url)
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests are required in CI, but {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    name = f"medstock_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(False)
    finally:
        medstock_db.dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_database_url(
    tmp_path: Path, postgres_database: str | None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The URL of a database with no tables at all, set as the setting."""
    url = postgres_database or f"sqlite:///{tmp_path / 'medstock.db'}"
    monkeypatch.setenv("MEDSTOCK_DATABASE_URL", url)
    get_settings.cache_clear()
    medstock_db.dispose_engines()
    if postgres_database:
        # The session's database is reused: start every test from nothing,
        # alembic_version included.
        with medstock_db.get_engine(url).begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    yield url

    medstock_db.dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """The URL of an empty app database with the schema built by the migrations."""
    medstock_db.create_schema(medstock_db.get_engine(empty_database_url))
    return empty_database_url


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on the fresh database; tests commit what they arrange."""
    with Session(medstock_db.get_engine(database_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    """A real Prefect server on a fresh database for the whole session; its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield str(PREFECT_API_URL.value())
