"""What the numbers were measured on: cores, memory, versions and load."""

import os
import platform
import sqlite3
from datetime import UTC, datetime

from sqlalchemy import create_engine, text

from bench.databases import postgres_admin_url


def describe() -> str:
    """One paragraph naming the date, the machine and the software versions."""
    import prefect

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    engine = create_engine(postgres_admin_url())
    with engine.connect() as conn:
        pg = conn.execute(text("SHOW server_version")).scalar_one()
    engine.dispose()
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, "
        f"{mem_gb:.1f} GiB memory; Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL {pg}, "
        f"Prefect {prefect.__version__}; load average at the start {load}"
    )
