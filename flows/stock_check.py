"""stock-check agent: raises purchase orders for products below their minimum."""

import asyncio
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from flows._retries import db_task_options
from medstock.db import session_scope
from medstock.purchasing import OrderLine, reorder
from medstock.supervisor.hooks import FLOW_HOOKS, TASK_HOOKS
from models import utcnow

# Past this many orders in one run the log gives a count instead of a line each.
ORDER_LOG_LIMIT = 500


@task(name="raise-purchase-orders", **db_task_options(), **TASK_HOOKS)
def raise_purchase_orders(run_id: str | None) -> list[OrderLine]:
    """Top up and raise the purchase orders in one transaction."""
    with session_scope(writer=True) as session:
        return reorder(session, now=utcnow(), run_id=run_id)


def summarise(lines: list[OrderLine]) -> dict[str, Any]:
    """The run's result: counts, units and the task_logs message."""
    raised = sum(1 for line in lines if line.raised)
    topped_up = len(lines) - raised
    message = f"raised {raised} purchase orders, topped up {topped_up}"
    return {"raised": raised, "topped_up": topped_up, "message": message}


# NOTE: async so that Prefect's engine does not join its heartbeat thread at exit,
# which costs a sync flow up to 1 s per run; the thread still sends every
# heartbeat. The task stays sync and holds the event loop while it runs, which is
# fine: nothing else runs on that loop.
@flow(name="stock-check", log_prints=False, **FLOW_HOOKS)
async def stock_check() -> dict[str, Any]:
    """Order every product whose projected stock is below its minimum."""
    logger = get_run_logger()
    lines = raise_purchase_orders(flow_run.get_id())

    for line in lines[:ORDER_LOG_LIMIT]:
        verb = "raised" if line.raised else "topped up"
        logger.info(
            "%s purchase order %s for %s: %d units",
            verb,
            line.order_id,
            line.sku,
            line.quantity,
        )
    if len(lines) > ORDER_LOG_LIMIT:
        logger.info(
            "and %d more purchase orders, see purchase_orders",
            len(lines) - ORDER_LOG_LIMIT,
        )

    summary = summarise(lines)
    logger.info("stock check done: %s", summary["message"])
    return summary


if __name__ == "__main__":
    asyncio.run(stock_check())
