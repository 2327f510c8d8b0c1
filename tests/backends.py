"""Runs the suite again on PostgreSQL when a server is reachable (always in CI)."""

import os
import subprocess
import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
START_HINT = (
    "start the local server with "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
    "or set MEDSTOCK_TEST_POSTGRES_URL to a server where the user may create "
    "databases"
)


def admin_url() -> str:
    """The PostgreSQL URL the tests create their throwaway databases from."""
    return os.environ.get("MEDSTOCK_TEST_POSTGRES_URL", DEFAULT_URL)


def postgres_unreachable(url: str) -> str | None:
    """Why no PostgreSQL answers at `url`, with the fix; None when one does."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return f"no PostgreSQL server answers at {shown} ({reason}); {START_HINT}"
    finally:
        engine.dispose()
    return None


def main() -> int:
    """Run pytest on PostgreSQL; skip with the reason when no server answers."""
    url = admin_url()
    reason = postgres_unreachable(url)
    if reason:
        if os.environ.get("CI"):
            sys.stderr.write(f"PostgreSQL pass required in CI, but {reason}\n")
            return 1
        sys.stderr.write(f"PostgreSQL pass skipped: {reason}\n")
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
