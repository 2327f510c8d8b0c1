"""Set-based generators of benchmark rows: one INSERT ... SELECT per table."""

import logging
import time

from sqlalchemy import Engine, text

logger = logging.getLogger(__name__)

# Every tenth product is below its minimum of 40; half have a max_stock of 120 and
# a third order in packs of 6, so every branch of the reorder rule is exercised.
_PRODUCTS = """
INSERT INTO products (sku, name, category, unit, stock, min_stock, max_stock,
                      pack_size, unit_cost, tracks_expiry, created_at, updated_at)
SELECT {sku}, 'Product ' || i, 'Category ' || (i % 20), 'unit',
       CASE WHEN i % 10 = 0 THEN i % 40 ELSE 40 + i % 200 END,
       40,
       CASE WHEN i % 2 = 0 THEN 120 ELSE NULL END,
       CASE WHEN i % 3 = 0 THEN 6 ELSE 1 END,
       (i % 5000) / 100.0 + 0.5, FALSE, {now}, {now}
FROM {series}
"""

# Movements spread over the last 90 days, so about 1/90 of them fall on "today".
_MOVEMENTS = """
INSERT INTO stock_movements (product_id, kind, quantity, reason, created_at)
SELECT 1 + (i * 7919) % :products,
       CASE WHEN i % 10 < 4 THEN 'IN' WHEN i % 10 < 9 THEN 'OUT' ELSE 'ADJUST' END,
       CASE WHEN i % 10 < 9 THEN 1 + i % 50
            WHEN i % 7 = 3 THEN 1 ELSE i % 7 - 3 END,
       '', {ago}
FROM {series}
"""

# Runs of two agents, one a minute, about 3 % of them failed.
_TASK_LOGS = """
INSERT INTO task_logs (agent, flow_run_id, status, message, "trigger", started_at,
                       finished_at, duration_ms, attempts, updated_at)
SELECT CASE WHEN i % 10 < 7 THEN 'stock-check' ELSE 'inventory-report' END,
       'bench-' || i,
       CASE WHEN i % 33 = 0 THEN 'ERROR' ELSE 'SUCCESS' END,
       CASE WHEN i % 33 = 0 THEN 'OperationalError: database is locked'
            ELSE 'raised 0 purchase orders, topped up 0' END,
       'schedule', {started}, {finished}, 1000, 1, {now}
FROM {series}
"""

_DIALECT = {
    "sqlite": {
        "series": "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < :count) SELECT i FROM n)",
        "sku": "printf('SKU-%07d', i)",
        "now": "strftime('%Y-%m-%d %H:%M:%f000', 'now')",
        "ago": "datetime('now', '-' || (i % 7776000) || ' seconds') || '.000000'",
        "started": "datetime('now', '-' || (:count - i) || ' minutes') || '.000000'",
        "finished": "datetime('now', '-' || (:count - i) || ' minutes', '+1 seconds')"
        " || '.000000'",
    },
    "postgresql": {
        "series": "generate_series(1::bigint, :count) AS i",
        "sku": "'SKU-' || lpad(i::text, 7, '0')",
        "now": "now()",
        "ago": "now() - make_interval(secs => i % 7776000)",
        "started": "now() - make_interval(mins => (:count - i)::int)",
        "finished": "now() - make_interval(mins => (:count - i)::int, secs => -1)",
    },
}


def _insert(engine: Engine, template: str, what: str, **params: int) -> None:
    started = time.perf_counter()
    sql = template.format(**_DIALECT[engine.dialect.name])
    with engine.begin() as conn:
        conn.execute(text(sql), params)
        conn.execute(text("ANALYZE"))
    seconds = time.perf_counter() - started
    logger.info("generated %s %s in %.1f s", f"{params['count']:,}", what, seconds)


def add_products(engine: Engine, count: int) -> None:
    """`count` products, 10 % of them below their minimum."""
    _insert(engine, _PRODUCTS, "products", count=count)


def add_movements(engine: Engine, count: int, *, products: int) -> None:
    """`count` stock movements over the last 90 days, spread over `products`."""
    _insert(engine, _MOVEMENTS, "movements", count=count, products=products)


def add_task_logs(engine: Engine, count: int) -> None:
    """`count` finished runs of the two agents, one a minute up to now."""
    _insert(engine, _TASK_LOGS, "task_logs rows", count=count)
