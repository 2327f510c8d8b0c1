"""Retry options shared by the agents' database tasks."""

from typing import Any

from medstock.settings import get_settings


def db_task_options() -> dict[str, Any]:
    """Retries and delays for a task that touches the database, from settings."""
    delays = get_settings().retry_delays
    return {"retries": len(delays), "retry_delay_seconds": list(delays)}
