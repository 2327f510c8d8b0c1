"""One measurement per process, so that its peak RSS is its own.

Run as `python -m bench.jobs JOB '{"reps": 3}'` with MEDSTOCK_DATABASE_URL set;
writes one JSON object to stdout: the seconds of each repetition, the peak RSS
and a digest of the result that the caller compares with its baseline's.
"""

import asyncio
import inspect
import json
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Date, bindparam, text

from medstock.db import get_engine, session_scope
from models import moment, utcnow

_RAW_RAISE = """
INSERT INTO purchase_orders
    (product_id, quantity, unit_cost, status, flow_run_id, created_at, updated_at)
SELECT id,
       (COALESCE(max_stock, 2 * min_stock) - stock + pack_size - 1)
       / pack_size * pack_size,
       unit_cost, 'PENDING', :run, :now, :now
FROM products
WHERE stock < min_stock
"""

# The agent reads back the first lines it logs; so does the raw SQL, in the plain
# way. Both take the count of orders raised from the INSERT's row count.
_RAW_RAISED = """
SELECT po.id, p.sku, po.quantity
FROM purchase_orders AS po JOIN products AS p ON p.id = po.product_id
WHERE po.flow_run_id = :run
ORDER BY p.sku
LIMIT 500
"""

_PENDING_UNITS = "SELECT SUM(quantity) FROM purchase_orders WHERE status = 'PENDING'"

_RAW_BY_CATEGORY = """
SELECT category, COUNT(*), SUM(stock), SUM(stock * unit_cost)
FROM products GROUP BY category ORDER BY category
"""

_RAW_EXPIRING = """
SELECT CASE WHEN l.expiry_date <= :d0 THEN 'EXPIRED'
            WHEN l.expiry_date <= :d30 THEN '30'
            WHEN l.expiry_date <= :d60 THEN '60'
            ELSE '90' END AS bucket,
       COUNT(*), SUM(l.quantity), SUM(l.quantity * p.unit_cost)
FROM lots AS l JOIN products AS p ON p.id = l.product_id
WHERE p.tracks_expiry AND l.quantity > 0 AND l.expiry_date <= :d90
GROUP BY 1
"""

_RAW_REPORT = """
SELECT p.*, m.*, o.*
FROM (SELECT COUNT(*), COALESCE(SUM(stock), 0), COALESCE(SUM(stock * unit_cost), 0),
             COALESCE(SUM(CASE WHEN stock < min_stock THEN 1 ELSE 0 END), 0)
      FROM products) AS p,
     (SELECT COUNT(*),
             COALESCE(SUM(CASE WHEN kind = 'IN' THEN quantity ELSE 0 END), 0),
             COALESCE(SUM(CASE WHEN kind = 'OUT' THEN quantity ELSE 0 END), 0),
             COALESCE(SUM(CASE WHEN kind = 'ADJUST' THEN quantity ELSE 0 END), 0)
      FROM stock_movements WHERE created_at >= :start AND created_at < :end) AS m,
     (SELECT COUNT(*), COALESCE(SUM(quantity), 0),
             COALESCE(SUM(quantity * unit_cost), 0)
      FROM purchase_orders WHERE status IN ('PENDING', 'ORDERED')) AS o
"""

_RAW_CRITICAL = """
SELECT sku, name, stock, min_stock FROM products WHERE stock < min_stock
ORDER BY CAST(stock AS FLOAT) / min_stock, sku LIMIT 100
"""


def _clear_orders() -> None:
    engine = get_engine()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM purchase_orders"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE purchase_orders"))
    else:
        # Each repetition starts from an empty write-ahead log, so that none of
        # them pays for the checkpoint of the previous one's delete.
        with engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def _timed(reps: int, work: Callable[[], Any], reset: Callable[[], None]) -> Any:
    seconds, digest = [], None
    for _ in range(reps):
        reset()
        started = time.perf_counter()
        digest = work()
        seconds.append(time.perf_counter() - started)
    return seconds, digest


def stock_check_agent(reps: int) -> tuple[list[float], Any]:
    """The stock-check agent's task body: reorder in one writer transaction."""
    from flows.stock_check import raise_purchase_orders, summarise

    def work() -> Any:
        _lines, raised, topped_up = raise_purchase_orders.fn(str(uuid.uuid4()))
        summary = summarise(raised, topped_up)
        with get_engine().connect() as conn:
            units = conn.execute(text(_PENDING_UNITS)).scalar_one()
        return [summary["raised"], int(units)]

    return _timed(reps, work, _clear_orders)


def stock_check_raw(reps: int) -> tuple[list[float], Any]:
    """The same orders from one INSERT ... SELECT, then the lines read back."""
    raise_sql = text(_RAW_RAISE).bindparams(moment("now"))

    def work() -> Any:
        run = str(uuid.uuid4())
        with get_engine().begin() as conn:
            raised = conn.execute(raise_sql, {"run": run, "now": utcnow()}).rowcount
            conn.execute(text(_RAW_RAISED), {"run": run}).all()
        with get_engine().connect() as conn:
            units = conn.execute(text(_PENDING_UNITS)).scalar_one()
        return [int(raised), int(units)]

    return _timed(reps, work, _clear_orders)


def report_agent(reps: int) -> tuple[list[float], Any]:
    """compute_metrics for today, as the inventory-report agent calls it."""
    from medstock.reporting import compute_metrics

    def work() -> Any:
        with session_scope() as session:
            metrics = compute_metrics(session, day=_today(), timezone="UTC")
        moves = metrics["movements_today"]
        return [metrics["total_products"], metrics["critical_count"], moves["count"]]

    return _timed(reps, work, lambda: None)


def report_raw(reps: int) -> tuple[list[float], Any]:
    """The report's aggregates in one statement, plus the critical list."""
    from medstock.reporting import day_bounds

    totals = text(_RAW_REPORT).bindparams(moment("start"), moment("end"))
    days = ("d0", "d30", "d60", "d90")
    expiring = text(_RAW_EXPIRING).bindparams(
        *[bindparam(name, type_=Date()) for name in days]
    )

    def work() -> Any:
        today = _today()
        start, end = day_bounds(today, "UTC")
        bounds = {f"d{n}": today + timedelta(days=n) for n in (0, 30, 60, 90)}
        with get_engine().connect() as conn:
            row = conn.execute(totals, {"start": start, "end": end}).one()
            conn.execute(text(_RAW_CRITICAL)).all()
            conn.execute(text(_RAW_BY_CATEGORY)).all()
            conn.execute(expiring, bounds).all()
        return [int(row[0]), int(row[3]), int(row[4])]

    return _timed(reps, work, lambda: None)


def mirror(reps: int) -> tuple[list[float], Any]:
    """One state change as the hooks write it: record_run, refresh, commit."""
    from medstock.supervisor.mirror import record_run, refresh_agent_status
    from models import RunStatus

    seconds = []
    for _ in range(reps):
        run_id = str(uuid.uuid4())
        started_at = utcnow()
        for status in (RunStatus.RUNNING, RunStatus.SUCCESS):
            began = time.perf_counter()
            with session_scope() as session:
                now = utcnow()
                # As the state hooks write it: the counters only add the run.
                finished = record_run(
                    session,
                    agent="stock-check",
                    flow_run_id=run_id,
                    status=status,
                    message="raised 0 purchase orders, topped up 0",
                    started_at=started_at,
                    finished_at=None if status is RunStatus.RUNNING else now,
                )
                refresh_agent_status(
                    session,
                    "stock-check",
                    cron="*/1 * * * *",
                    heartbeat=now,
                    finished=status if finished else None,
                    recount=False,
                )
            seconds.append(time.perf_counter() - began)
    return seconds, None


def orchestration(reps: int) -> tuple[list[float], Any]:
    """Each agent as a flow run on the server, then its logic called directly.

    The seconds are pairs per repetition: flow run, direct call, for each agent.
    """
    from flows.inventory_report import compute_and_store_report, inventory_report
    from flows.stock_check import raise_purchase_orders, stock_check, summarise
    from medstock.reporting import render_markdown
    from medstock.setup import init_database

    init_database(sample=True)

    def run_flow(agent: Any) -> None:
        outcome = agent()
        if inspect.isawaitable(outcome):
            asyncio.run(outcome)

    def direct_report() -> None:
        render_markdown(compute_and_store_report.fn(None)[1])

    pairs = [
        (
            lambda: run_flow(stock_check),
            lambda: summarise(*raise_purchase_orders.fn(None)[1:]),
        ),
        (lambda: run_flow(inventory_report), direct_report),
    ]
    for flow_run, direct in pairs:  # warm-up: clients, connections, caches
        flow_run()
        direct()
    seconds = []
    for _ in range(reps):
        for flow_run, direct in pairs:
            for call in (flow_run, direct):
                started = time.perf_counter()
                call()
                seconds.append(time.perf_counter() - started)
    return seconds, None


def _today() -> Any:
    return datetime.now(UTC).date()


JOBS: dict[str, Callable[[int], tuple[list[float], Any]]] = {
    "stock-check-agent": stock_check_agent,
    "stock-check-raw": stock_check_raw,
    "report-agent": report_agent,
    "report-raw": report_raw,
    "mirror": mirror,
    "orchestration": orchestration,
}


def main() -> int:
    """Run the job named on the command line and write its JSON result."""
    job, params = sys.argv[1], json.loads(sys.argv[2])
    seconds, digest = JOBS[job](int(params["reps"]))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "seconds": seconds,
        "median": statistics.median(seconds),
        "peak_rss_mb": peak_kb / 1024,
        "digest": digest,
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
