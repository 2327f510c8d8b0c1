"""inventory-report agent: stores the day's metrics and publishes them."""

import asyncio
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run
from prefect.states import State

from flows._pause import check_agent_paused
from flows._retries import io_task_options
from medstock.db import session_scope
from medstock.expiry import local_today
from medstock.reporting import compute_metrics, render_markdown
from medstock.settings import get_settings
from medstock.supervisor.hooks import FLOW_HOOKS, TASK_HOOKS
from medstock.supervisor.pause_guard import paused_skip
from models import Report

MARKDOWN_KEY = "inventory-report"
CRITICAL_TABLE_KEY = "inventory-report-critical"


@task(name="compute-and-store-report", **io_task_options(), **TASK_HOOKS)
def compute_and_store_report(run_id: str | None) -> tuple[int, dict[str, Any]]:
    """Compute the metrics and store them as a reports row, together."""
    settings = get_settings()
    today = local_today()
    with session_scope(writer=True) as session:
        metrics = compute_metrics(
            session,
            day=today,
            timezone=settings.timezone,
            horizons=settings.expiry_horizons,
        )
        report = Report(report_date=today, flow_run_id=run_id, metrics=metrics)
        session.add(report)
        session.flush()
        assert report.id is not None
        return report.id, metrics


@task(name="publish-report-artifacts")
def publish_report_artifacts(report_id: int, metrics: dict[str, Any]) -> None:
    """Publish the report in the Prefect UI under stable keys."""
    create_markdown_artifact(
        key=MARKDOWN_KEY,
        markdown=render_markdown(metrics),
        description=f"Inventory report {report_id} for {metrics['report_date']}",
    )
    create_table_artifact(
        key=CRITICAL_TABLE_KEY,
        table=metrics["critical_products"] or [{"sku": "", "name": "none"}],
        description=f"Critical products in report {report_id}",
    )


# NOTE: async so that Prefect's engine does not join its heartbeat thread at exit,
# which costs a sync flow up to 1 s per run; the thread still sends every
# heartbeat. The task stays sync and holds the event loop while it runs, which is
# fine: nothing else runs on that loop.
@flow(name="inventory-report", log_prints=False, **FLOW_HOOKS)
async def inventory_report() -> dict[str, Any] | State:
    """Compute, store and publish today's inventory report."""
    if check_agent_paused():
        return paused_skip()

    logger = get_run_logger()
    report_id, metrics = compute_and_store_report(flow_run.get_id())
    publish_report_artifacts(report_id, metrics)

    message = (
        f"report {report_id} for {metrics['report_date']}: "
        f"{metrics['total_products']} products, {metrics['critical_count']} critical"
    )
    logger.info("stored inventory %s", message)
    return {"report_id": report_id, "message": message}


if __name__ == "__main__":
    asyncio.run(inventory_report())
