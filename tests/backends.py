"""Runs the suite again on PostgreSQL when a server is reachable (always in CI)."""

import os
import subprocess
import sys

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def main() -> int:
    """Run pytest on PostgreSQL; skip with the reason when no server answers."""
    url = os.environ.get("MEDSTOCK_TEST_POSTGRES_URL", DEFAULT_URL)
    try:
        with create_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc).splitlines()[0]
        if os.environ.get("CI"):
            sys.stderr.write(f"PostgreSQL pass required in CI but {url}: {reason}\n")
            return 1
        sys.stderr.write(f"PostgreSQL pass skipped: no server at {url} ({reason})\n")
        return 0

    env = dict(os.environ)
    env.update(
        {"MEDSTOCK_TEST_BACKEND": "postgresql", "MEDSTOCK_TEST_POSTGRES_URL": url}
    )
    # The demo test is about SQLite's embedded default; every other test runs here.
    args = [sys.executable, "-m", "pytest", "-m", "not slow", *sys.argv[1:]]
    return subprocess.call(args, env=env)


if __name__ == "__main__":
    sys.exit(main())
