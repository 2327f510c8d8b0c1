"""The supervisor over HTTP: agents with health, stats, task logs and control."""

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from prefect import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlmodel import select

from api.app import create_app
from medstock.supervisor.stats import WINDOWS
from models import AgentStatus, TaskLog, utcnow
from tests.api.server import serving
from tests.processes import free_port
from tests.test_reconciler import deployed  # noqa: F401  (fixture)

AGENT_NOT_FOUND = {"detail": "agent not found"}
PREFECT_DOWN = {"detail": "Prefect server unavailable"}


def _run(session, run_id: str, status: str, started, ms: int | None, **fields):
    session.add(
        TaskLog(
            agent=fields.pop("agent", "stock-check"),
            flow_run_id=run_id,
            status=status,
            message=f"run {run_id}",
            started_at=started,
            finished_at=started + timedelta(milliseconds=ms or 0),
            duration_ms=ms,
            **fields,
        )
    )


@pytest.fixture
def runs(session) -> dict:
    """Stock-check: two successes and a failure in the last hour, one a week ago."""
    now = utcnow().replace(microsecond=0)
    hour = now - timedelta(hours=1)
    _run(session, "r1", "SUCCESS", hour, 1000)
    _run(session, "r2", "ERROR", hour + timedelta(minutes=1), None, attempts=3)
    _run(session, "r3", "SUCCESS", hour + timedelta(minutes=2), 3000)
    _run(session, "r4", "SUCCESS", now - timedelta(days=3), 5000)
    _run(
        session,
        "x1",
        "SKIPPED",
        hour - timedelta(minutes=1),
        None,
        agent="inventory-report",
    )
    session.add(
        AgentStatus(
            agent="stock-check",
            cron="*/5 * * * *",
            last_heartbeat=hour + timedelta(minutes=2),
            last_status="SUCCESS",
            last_run_id="r3",
            consecutive_failures=0,
        )
    )
    session.commit()
    return {"now": now, "hour": hour}


def test_the_agents_are_listed_with_their_health_and_last_24_hours(client, runs):
    response = client.get("/api/agents")

    assert response.status_code == 200
    agents = {a["agent"]: a for a in response.json()}
    assert list(agents) == ["stock-check", "inventory-report", "expiry-check"]
    assert agents["stock-check"] == {
        "agent": "stock-check",
        "description": agents["stock-check"]["description"],
        "is_active": True,
        "cron": "*/5 * * * *",
        # Silent for almost an hour, twelve five-minute intervals.
        "health": "LATE",
        "last_heartbeat": (runs["hour"] + timedelta(minutes=2)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        "last_status": "SUCCESS",
        "last_run_id": "r3",
        "last_error": None,
        "consecutive_failures": 0,
        "success_rate_24h": 2 / 3,
        "mean_duration_ms_24h": 2000.0,
        "deployment_id": None,
    }
    assert agents["stock-check"]["description"] != ""
    assert (agents["inventory-report"]["health"], agents["expiry-check"]["health"]) == (
        "HEALTHY",
        "HEALTHY",
    )


def test_one_agent_is_read_by_name_and_an_unknown_one_is_404(client, runs):
    known = client.get("/api/agents/stock-check")
    unknown = client.get("/api/agents/stock-chek")

    assert (known.status_code, known.json()["last_run_id"]) == (200, "r3")
    assert (unknown.status_code, unknown.json()) == (404, AGENT_NOT_FOUND)


def test_stats_cover_the_window_asked_for(client, runs):
    day = client.get("/api/stats", params={"agent": "stock-check"}).json()
    week = client.get("/api/stats", params={"window": "7d"}).json()

    assert (day["window_seconds"], week["window_seconds"]) == (86400, 604800)
    assert [a["agent"] for a in day["agents"]] == ["stock-check"]
    assert {k: day["agents"][0][k] for k in ("runs", "successes", "failures")} == {
        "runs": 3,
        "successes": 2,
        "failures": 1,
    }
    assert day["agents"][0]["p95_duration_ms"] == 3000
    assert day["agents"][0]["retries_used"] == 2
    assert day["agents"][0]["last_failure_message"] == "run r2"
    by_agent = {a["agent"]: (a["runs"], a["skipped"]) for a in week["agents"]}
    assert by_agent == {
        "stock-check": (4, 0),
        "inventory-report": (0, 1),
        "expiry-check": (0, 0),
    }
    assert (week["overall"]["agent"], week["overall"]["runs"]) == ("all", 4)
    assert week["overall"]["mean_duration_ms"] == 3000.0


def test_stats_refuse_an_unknown_window_and_an_unknown_agent(client, session):
    window = client.get("/api/stats", params={"window": "1y"})
    agent = client.get("/api/stats", params={"agent": "stock-chek"})

    assert window.status_code == 422
    assert window.json()["detail"] == "invalid request"
    assert [e["loc"] for e in window.json()["errors"]] == [["query", "window"]]
    assert (agent.status_code, agent.json()) == (404, AGENT_NOT_FOUND)


def test_the_schema_lists_the_supervisor_windows():
    parameters = create_app().openapi()["paths"]["/api/stats"]["get"]["parameters"]
    window = next(p for p in parameters if p["name"] == "window")

    assert window["schema"]["enum"] == list(WINDOWS)


def test_task_logs_are_filtered_by_agent_and_status_and_paged(client, runs):
    def ids(**params) -> list[str]:
        response = client.get("/api/task-logs", params=params)
        assert response.status_code == 200
        return [log["flow_run_id"] for log in response.json()]

    assert ids() == ["r3", "r2", "r1", "x1", "r4"]
    assert ids(agent="stock-check", status="SUCCESS") == ["r3", "r1", "r4"]
    assert ids(agent="stock-check", limit=2, offset=1) == ["r2", "r1"]
    assert ids(status="SKIPPED") == ["x1"]
    assert ids(agent="expiry-check") == []


def test_task_logs_refuse_an_unknown_agent_and_status(client, session):
    agent = client.get("/api/task-logs", params={"agent": "stock-chek"})
    status = client.get("/api/task-logs", params={"status": "DONE"})

    assert (agent.status_code, agent.json()) == (404, AGENT_NOT_FOUND)
    assert status.status_code == 422
    assert [e["loc"] for e in status.json()["errors"]] == [["query", "status"]]


@pytest.mark.parametrize("action", ["pause", "resume", "run"])
def test_controlling_an_unknown_agent_is_404(client, session, action):
    response = client.post(f"/api/agents/stock-chek/{action}")

    assert (response.status_code, response.json()) == (404, AGENT_NOT_FOUND)


@pytest.mark.parametrize("action", ["pause", "resume", "run"])
def test_control_needs_the_token_when_one_is_set(client, session, token, action):
    response = client.post(f"/api/agents/stock-check/{action}")

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "missing or invalid token"},
    )


@pytest.fixture
def no_prefect(database_url: str) -> Iterator[str]:
    """An API server whose Prefect API URL points at a port nobody listens on."""
    nobody = f"http://127.0.0.1:{free_port()}/api"
    with temporary_settings({PREFECT_API_URL: nobody}), serving() as url:
        yield url


@pytest.mark.parametrize("action", ["pause", "resume", "run"])
def test_control_is_503_with_a_short_detail_when_prefect_is_down(
    no_prefect, session, action
):
    response = httpx.post(f"{no_prefect}/api/agents/stock-check/{action}", timeout=60)

    assert (response.status_code, response.json()) == (503, PREFECT_DOWN)
    assert session.exec(select(AgentStatus)).all() == []
    assert session.exec(select(TaskLog)).all() == []


@pytest.fixture
def live(deployed) -> Iterator[httpx.Client]:  # noqa: F811
    """A client of an API server that talks to the session's Prefect server."""
    with serving() as url, httpx.Client(base_url=url, timeout=60) as http:
        yield http


@pytest.mark.integration
def test_pause_and_resume_switch_the_deployment_and_answer_the_overview(
    live,
    session,
    deployed,  # noqa: F811
):
    paused = live.post("/api/agents/stock-check/pause")
    with get_client(sync_client=True) as prefect:
        after_pause = prefect.read_deployment(deployed["stock-check"]).paused
    session.rollback()
    active_after_pause = session.get(AgentStatus, "stock-check").is_active
    resumed = live.post("/api/agents/stock-check/resume")
    with get_client(sync_client=True) as prefect:
        after_resume = prefect.read_deployment(deployed["stock-check"]).paused

    assert paused.status_code == 200
    body = paused.json()
    assert (body["agent"], body["is_active"], body["health"]) == (
        "stock-check",
        False,
        "PAUSED",
    )
    assert body["deployment_id"] == str(deployed["stock-check"])
    assert (after_pause, active_after_pause) == (True, False)
    assert (resumed.status_code, resumed.json()["is_active"]) == (200, True)
    assert after_resume is False
    session.rollback()
    assert session.get(AgentStatus, "stock-check").is_active is True


@pytest.mark.integration
def test_run_now_is_202_with_the_flow_run_recorded_as_manual(
    live,
    session,
    deployed,  # noqa: F811
):
    response = live.post("/api/agents/inventory-report/run")

    assert response.status_code == 202
    run_id = response.json()["flow_run_id"]
    assert response.json() == {"agent": "inventory-report", "flow_run_id": run_id}
    with get_client(sync_client=True) as prefect:
        assert (
            prefect.read_flow_run(run_id).deployment_id == deployed["inventory-report"]
        )
    session.rollback()
    log = session.exec(select(TaskLog).where(TaskLog.flow_run_id == run_id)).one()
    assert (log.agent, log.status, log.trigger) == (
        "inventory-report",
        "SCHEDULED",
        "manual",
    )
