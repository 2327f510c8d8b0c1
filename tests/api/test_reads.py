"""Purchase orders, reports, agents and task_logs over HTTP."""

from datetime import UTC, date, datetime, timedelta

from models import AgentStatus, Report, TaskLog
from tests.factories import add_order, add_product

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_orders_are_filtered_by_each_status_given(client, session):
    product = add_product(session, "SYR-5")
    pending = add_order(session, product, quantity=4, created_at=T0)
    ordered = add_order(
        session, product, status="ORDERED", created_at=T0 + timedelta(minutes=1)
    )
    add_order(session, product, status="CANCELLED")
    session.commit()

    response = client.get(
        "/api/orders", params=[("status", "PENDING"), ("status", "ORDERED")]
    )

    assert response.status_code == 200
    body = response.json()
    assert [(o["id"], o["status"]) for o in body["items"]] == [
        (pending.id, "PENDING"),
        (ordered.id, "ORDERED"),
    ]
    assert (body["total"], body["limit"], body["offset"]) == (2, 50, 0)


def test_an_unknown_order_status_is_refused(client, session):
    response = client.get("/api/orders", params={"status": "LOST"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "status", "0"]


def _report(session, day: int, at: datetime) -> Report:
    report = Report(
        report_date=date(2026, 3, day), metrics={"total_products": day}, created_at=at
    )
    session.add(report)
    session.flush()
    return report


def test_the_latest_report_is_the_newest(client, session):
    _report(session, 9, T0 - timedelta(days=1))
    newest = _report(session, 10, T0)
    session.commit()

    response = client.get("/api/reports/latest")

    assert response.json() == {
        "id": newest.id,
        "report_date": "2026-03-10",
        "flow_run_id": None,
        "metrics": {"total_products": 10},
        "created_at": "2026-03-10T09:00:00Z",
    }


def test_before_the_first_report_latest_is_404(client, session):
    response = client.get("/api/reports/latest")

    assert (response.status_code, response.json()) == (404, {"detail": "no report yet"})


def test_reports_are_listed_newest_first_and_read_one_by_one(client, session):
    older = _report(session, 9, T0 - timedelta(days=1))
    newer = _report(session, 10, T0)
    session.commit()

    page = client.get("/api/reports", params={"limit": 1, "offset": 1}).json()
    one = client.get(f"/api/reports/{newer.id}").json()
    missing = client.get("/api/reports/999")

    assert ([r["id"] for r in page["items"]], page["total"]) == ([older.id], 2)
    assert one["report_date"] == "2026-03-10"
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "report not found"},
    )


def test_agents_and_their_latest_runs_are_listed(client, session):
    session.add(
        AgentStatus(
            agent="stock-check",
            cron="*/1 * * * *",
            last_heartbeat=T0,
            last_status="SUCCESS",
            last_run_id="r2",
            total_runs=2,
        )
    )
    for run_id, minute in (("r1", 0), ("r2", 1)):
        session.add(
            TaskLog(
                agent="stock-check",
                flow_run_id=run_id,
                status="SUCCESS",
                message=f"run {run_id}",
                started_at=T0 + timedelta(minutes=minute),
                finished_at=T0 + timedelta(minutes=minute, seconds=2),
                duration_ms=2000,
            )
        )
    session.commit()

    agents = client.get("/api/agents").json()
    logs = client.get("/api/task-logs", params={"limit": 1}).json()

    assert [a["agent"] for a in agents] == [
        "stock-check",
        "inventory-report",
        "expiry-check",
    ]
    assert {k: agents[0][k] for k in ("cron", "last_heartbeat", "last_run_id")} == {
        "cron": "*/1 * * * *",
        "last_heartbeat": "2026-03-10T09:00:00Z",
        "last_run_id": "r2",
    }
    assert [(log["flow_run_id"], log["message"]) for log in logs] == [("r2", "run r2")]


def test_health_is_ok_when_the_database_answers(client, session):
    response = client.get("/api/health")

    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "database": "ok"},
    )
