"""stock-check agent: raises purchase orders for products below their minimum."""

import asyncio
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run
from prefect.states import State

from flows._pause import check_agent_paused
from flows._retries import io_task_options
from medstock.db import session_scope
from medstock.purchasing import OrderLine, reorder
from medstock.supervisor.hooks import FLOW_HOOKS, TASK_HOOKS
from medstock.supervisor.pause_guard import paused_skip
from medstock.text import plural
from models import utcnow

# Past this many orders in one run the log gives a count instead of a line each.
ORDER_LOG_LIMIT = 500


@task(name="raise-purchase-orders", **io_task_options(), **TASK_HOOKS)
def raise_purchase_orders(run_id: str | None) -> tuple[list[OrderLine], int, int]:
    """Top up and raise the orders in one transaction; the first lines and counts."""
    with session_scope(exclusive=True) as session:
        done = reorder(session, now=utcnow(), run_id=run_id, limit=ORDER_LOG_LIMIT)
    return done.lines, done.raised, done.topped_up


def summarise(raised: int, topped_up: int) -> dict[str, Any]:
    """The run's result: counts and the task_logs message."""
    message = f"raised {plural(raised, 'purchase order')}, topped up {topped_up}"
    return {"raised": raised, "topped_up": topped_up, "message": message}


# NOTE: async so that Prefect's engine does not join its heartbeat thread at exit,
# which costs a sync flow up to 1 s per run; the thread still sends every
# heartbeat. The task stays sync and holds the event loop while it runs, which is
# fine: nothing else runs on that loop.
@flow(name="stock-check", log_prints=False, **FLOW_HOOKS)
async def stock_check() -> dict[str, Any] | State:
    """Order every product whose projected stock is below its minimum."""
    if check_agent_paused():
        return paused_skip()

    logger = get_run_logger()
    lines, raised, topped_up = raise_purchase_orders(flow_run.get_id())

    for line in lines:
        if line.raised:
            logger.info(
                "raised purchase order %s for %s: %d units",
                line.order_id,
                line.sku,
                line.quantity,
            )
        else:
            logger.info(
                "topped up purchase order %s for %s by %d to %d units",
                line.order_id,
                line.sku,
                line.added,
                line.quantity,
            )
    if raised + topped_up > len(lines):
        more = plural(raised + topped_up - len(lines), "more purchase order")
        logger.info("and %s, see purchase_orders", more)

    summary = summarise(raised, topped_up)
    logger.info("stock check done: %s", summary["message"])
    return summary


if __name__ == "__main__":
    asyncio.run(stock_check())
