"""The distributed run: a Prefect server on PostgreSQL, the agents deployed from
prefect.yaml to a process work pool, and two workers; Ctrl-C stops them all."""

import logging
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from medstock.demo import (
    Processes,
    StopRequest,
    port_is_free,
    prefect_environment,
    run_until_stopped,
    start_prefect_server,
)
from medstock.errors import MedStockError
from medstock.settings import get_settings
from medstock.setup import init_database

logger = logging.getLogger(__name__)

WORK_POOL = "medstock-process"
WORKERS = 2
# Each worker runs one agent at a time; together they run both agents at once.
WORKER_LIMIT = 1
DEFAULT_APP_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/medstock"
DEFAULT_PREFECT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/medstock_prefect"
PREFECT_DB_ENV = "PREFECT_SERVER_DATABASE_CONNECTION_URL"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database that `url` names unless it exists."""
    target = make_url(url)
    # Any driver in the URL: the check runs through psycopg on the server's
    # maintenance database.
    admin: URL = target.set(drivername="postgresql+psycopg", database="postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
                logger.info("created database %s", target.database)
    finally:
        engine.dispose()


def _check_backends(app_url: str, prefect_url: str) -> None:
    for variable, url, example in (
        ("MEDSTOCK_DATABASE_URL", app_url, DEFAULT_APP_URL),
        (PREFECT_DB_ENV, prefect_url, DEFAULT_PREFECT_URL),
    ):
        if make_url(url).get_backend_name() != "postgresql":
            raise MedStockError(
                f"{variable}={url!r} is not a PostgreSQL URL; workers on several "
                f"hosts share one database: use a URL such as {example!r}"
            )


def _prefect(args: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run one `prefect` command to its end, or fail with its output."""
    command = "prefect " + " ".join(args)
    done = subprocess.run(
        [sys.executable, "-m", "prefect", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        output = (done.stderr.strip() or done.stdout.strip())[-2000:]
        raise MedStockError(f"`{command}` exited with code {done.returncode}: {output}")
    logger.info("ran `%s`", command)


def run_distributed(project_dir: Path | None = None, workers: int = WORKERS) -> int:
    """Start the server, deploy, start the workers, wait for Ctrl-C; exit code."""
    settings = get_settings()
    if "database_url" not in settings.model_fields_set:
        # Not configured (environment or .env): the embedded SQLite default is
        # for one host, so this run and its workers use the local PostgreSQL.
        os.environ["MEDSTOCK_DATABASE_URL"] = DEFAULT_APP_URL
        get_settings.cache_clear()
        settings = get_settings()
    prefect_url = os.environ.get(PREFECT_DB_ENV, DEFAULT_PREFECT_URL)
    _check_backends(settings.database_url, prefect_url)
    root = (project_dir or Path.cwd()).resolve()
    home = Path(os.environ.get("PREFECT_HOME", root / ".prefect"))
    home.mkdir(parents=True, exist_ok=True)
    port = settings.prefect_port
    if not port_is_free("127.0.0.1", port):
        raise MedStockError(
            f"port {port} on 127.0.0.1 is in use; stop what listens there or set "
            "MEDSTOCK_PREFECT_PORT to a free port"
        )

    ensure_database(settings.database_url)
    ensure_database(prefect_url)
    init_database(sample=True)
    env = prefect_environment(home, port)
    env[PREFECT_DB_ENV] = prefect_url
    # The pull step of prefect.yaml moves each flow run into this folder.
    env["MEDSTOCK_PROJECT_DIR"] = str(root)
    processes = Processes()
    stop = StopRequest()
    try:
        start_prefect_server(processes, env, home, port)
        logger.info(
            "Prefect server on PostgreSQL database %s: http://127.0.0.1:%d",
            make_url(prefect_url).database,
            port,
        )
        _prefect(
            ["work-pool", "create", WORK_POOL, "--type", "process", "--overwrite"],
            env,
            root,
        )
        _prefect(["--no-prompt", "deploy", "--all"], env, root)
        names = [f"medstock-worker-{number}" for number in range(1, workers + 1)]
        for name in names:
            with (home / f"{name}.log").open("ab") as worker_log:
                processes.start(
                    name,
                    [sys.executable, "-m", "prefect", "worker", "start"]
                    + ["--pool", WORK_POOL, "--name", name]
                    + ["--limit", str(WORKER_LIMIT)],
                    env,
                    cwd=root,
                    stdout=worker_log,
                    stderr=subprocess.STDOUT,
                )
        logger.info(
            "workers %s on pool %s; logs in %s", ", ".join(names), WORK_POOL, home
        )
        logger.info("press Ctrl-C to stop")
        return run_until_stopped(processes, stop)
    finally:
        processes.stop_all()
