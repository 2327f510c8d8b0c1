"""expiry-check agent: alerts lots that are expired or expire within the horizons."""

import asyncio
from collections import Counter
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run
from prefect.states import State

from flows._pause import check_agent_paused
from flows._retries import io_task_options
from medstock.db import session_scope
from medstock.expiry import AlertLine, bucket_order, local_today, raise_expiry_alerts
from medstock.settings import get_settings
from medstock.supervisor.hooks import FLOW_HOOKS, TASK_HOOKS
from medstock.supervisor.pause_guard import paused_skip
from medstock.text import plural
from models import utcnow

# Past this many alerts in one run the log gives a count instead of a line each.
ALERT_LOG_LIMIT = 500


@task(name="raise-expiry-alerts", **io_task_options(), **TASK_HOOKS)
def record_expiry_alerts(run_id: str | None) -> list[AlertLine]:
    """Raise the alerts of lots that reached a new bucket, in one transaction."""
    settings = get_settings()
    today = local_today()
    with session_scope(writer=True) as session:
        return raise_expiry_alerts(
            session,
            today=today,
            horizons=settings.expiry_horizons,
            now=utcnow(),
            run_id=run_id,
        )


def summarise(lines: list[AlertLine], horizons: list[int]) -> dict[str, Any]:
    """The run's result: alerts per bucket and the task_logs message."""
    counts = Counter(line.bucket for line in lines)
    by_bucket = {bucket: counts[bucket] for bucket in bucket_order(horizons)}
    parts = ", ".join(f"{bucket} {n}" for bucket, n in by_bucket.items() if n)
    message = f"raised {plural(len(lines), 'expiry alert')}" + (
        f": {parts}" if parts else ""
    )
    return {"alerts": len(lines), "by_bucket": by_bucket, "message": message}


# NOTE: async so that Prefect's engine does not join its heartbeat thread at exit,
# which costs a sync flow up to 1 s per run; the thread still sends every
# heartbeat. The task stays sync and holds the event loop while it runs, which is
# fine: nothing else runs on that loop.
@flow(name="expiry-check", log_prints=False, **FLOW_HOOKS)
async def expiry_check() -> dict[str, Any] | State:
    """Alert every lot with stock that is expired or expiring within a horizon."""
    if check_agent_paused():
        return paused_skip()

    logger = get_run_logger()
    lines = record_expiry_alerts(flow_run.get_id())

    for line in lines[:ALERT_LOG_LIMIT]:
        logger.info(
            "expiry alert %s for %s lot %s: %s, %d units expiring %s",
            line.alert_id,
            line.sku,
            line.lot_number,
            line.bucket,
            line.quantity,
            line.expiry_date,
        )
    if len(lines) > ALERT_LOG_LIMIT:
        more = plural(len(lines) - ALERT_LOG_LIMIT, "more expiry alert")
        logger.info("and %s, see expiry_alerts", more)

    summary = summarise(lines, get_settings().expiry_horizons)
    logger.info("expiry check done: %s", summary["message"])
    return summary


if __name__ == "__main__":
    asyncio.run(expiry_check())
