"""Retry options shared by the agents' I/O tasks."""

from typing import Any

from medstock.settings import get_settings


def io_task_options() -> dict[str, Any]:
    """Retries and delays for a task that does I/O (database, Prefect API)."""
    delays = get_settings().retry_delays
    return {"retries": len(delays), "retry_delay_seconds": list(delays)}
