"""Two stock checks at the same moment never give a product two open orders."""

import threading

from sqlalchemy import text

from flows.stock_check import raise_purchase_orders
from tests.factories import add_order, add_product

TRIALS = 50


def _arrange(session):
    add_product(session, "GLV-NIT-M", stock=18, min_stock=40)
    add_product(session, "SYR-LL-3", stock=300, min_stock=600)
    topped = add_product(session, "NDL-21G", stock=10, min_stock=100)
    add_order(session, topped, quantity=50)  # PENDING: projected 60, short by 40
    add_product(session, "GLV-NIT-L", stock=55, min_stock=30)
    session.commit()


def _two_at_once(trial: int) -> list[int]:
    """The orders each of two simultaneous checks raised or topped up."""
    start = threading.Barrier(2)
    results = [0, 0]
    errors: list[BaseException] = []

    def check(slot: int) -> None:
        start.wait()
        try:
            # The task's own function: the writer session and the SQL of a run.
            _lines, raised, topped_up = raise_purchase_orders.fn(
                f"trial-{trial}-{slot}"
            )
            results[slot] = raised + topped_up
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=check, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_fifty_trials_of_two_concurrent_checks_leave_one_open_order_per_product(
    session,
):
    _arrange(session)
    doubles, wrong_totals, work_done_twice = 0, 0, 0

    for trial in range(TRIALS):
        first, second = _two_at_once(trial)
        open_orders = session.execute(
            text(
                """
                SELECT p.sku, COUNT(po.id), SUM(po.quantity)
                FROM products AS p
                JOIN purchase_orders AS po ON po.product_id = p.id
                WHERE po.status IN ('PENDING', 'ORDERED')
                GROUP BY p.sku ORDER BY p.sku
                """
            )
        ).all()
        session.commit()
        doubles += sum(1 for _, count, _ in open_orders if count > 1)
        totals = {sku: int(units) for sku, _, units in open_orders}
        wrong_totals += totals != {"GLV-NIT-M": 62, "NDL-21G": 190, "SYR-LL-3": 900}
        work_done_twice += bool(first) and bool(second)
        # Back to the start for the next trial.
        session.execute(
            text("DELETE FROM purchase_orders WHERE flow_run_id IS NOT NULL")
        )
        session.execute(text("UPDATE purchase_orders SET quantity = 50"))
        session.commit()

    assert (doubles, wrong_totals, work_done_twice) == (0, 0, 0)
