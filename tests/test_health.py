from datetime import UTC, datetime, timedelta

import pytest

from medstock.supervisor.health import Health, agents_overview, derive_health
from medstock.supervisor.mirror import record_schedule, refresh_agent_status
from models import AgentStatus, RunStatus
from tests.runs import add_run

NOW = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=30)


def _status(**fields) -> AgentStatus:
    values = {"agent": "stock-check", "cron": "*/1 * * * *", "created_at": LONG_AGO}
    values.update(fields)
    return AgentStatus(**values)


@pytest.mark.parametrize(
    ("fields", "health"),
    [
        ({"is_active": False, "consecutive_failures": 5}, Health.PAUSED),
        ({"consecutive_failures": 3, "last_heartbeat": NOW}, Health.FAILING),
        ({"consecutive_failures": 2, "last_heartbeat": NOW}, Health.HEALTHY),
        # Every minute: silent for more than two minutes is LATE.
        ({"last_heartbeat": NOW - timedelta(seconds=119)}, Health.HEALTHY),
        ({"last_heartbeat": NOW - timedelta(seconds=121)}, Health.LATE),
        # Daily: two days.
        (
            {"cron": "0 7 * * *", "last_heartbeat": NOW - timedelta(hours=47)},
            Health.HEALTHY,
        ),
        (
            {"cron": "0 7 * * *", "last_heartbeat": NOW - timedelta(hours=49)},
            Health.LATE,
        ),
        # Never ran: counted from when the supervisor first saw it.
        ({"created_at": NOW - timedelta(seconds=60)}, Health.HEALTHY),
        ({"created_at": NOW - timedelta(seconds=180)}, Health.LATE),
        # Resumed after a long silence: counted from the resume.
        (
            {
                "last_heartbeat": NOW - timedelta(minutes=10),
                "active_since": NOW - timedelta(seconds=119),
            },
            Health.HEALTHY,
        ),
        (
            {
                "last_heartbeat": NOW - timedelta(minutes=10),
                "active_since": NOW - timedelta(seconds=121),
            },
            Health.LATE,
        ),
        # A run since the resume counts from the run.
        (
            {
                "last_heartbeat": NOW - timedelta(seconds=100),
                "active_since": NOW - timedelta(minutes=10),
            },
            Health.HEALTHY,
        ),
        ({"active_since": NOW - timedelta(seconds=60)}, Health.HEALTHY),
    ],
)
def test_health_follows_pause_failures_and_silence(fields, health):
    status = _status(**fields)

    assert derive_health(status, now=NOW, timezone="UTC", failing_after=3) is health


def test_the_overview_shows_each_agent_with_its_last_day(session):
    for run_id, status in [("r1", RunStatus.SUCCESS), ("r2", RunStatus.ERROR)]:
        add_run(
            session,
            run_id,
            status,
            started=NOW - timedelta(minutes=3 if run_id == "r1" else 1),
            duration_ms=1500,
            message="OperationalError: database is locked" if run_id == "r2" else "",
        )
    refresh_agent_status(session, "stock-check", cron="*/1 * * * *", heartbeat=NOW)
    record_schedule(
        session,
        "inventory-report",
        is_active=False,
        cron="*/2 * * * *",
        deployment_id="0b6a1c1e-0000-4000-8000-000000000001",
    )
    session.commit()

    stock, report, expiry = agents_overview(session, now=NOW)

    assert stock.model_dump(exclude={"description"}) == {
        "agent": "stock-check",
        "is_active": True,
        "cron": "*/1 * * * *",
        "health": Health.HEALTHY,
        "last_heartbeat": NOW,
        "last_status": "ERROR",
        "last_run_id": "r2",
        "last_error": "OperationalError: database is locked",
        "consecutive_failures": 1,
        "success_rate_24h": 0.5,
        "mean_duration_ms_24h": 1500.0,
        "deployment_id": None,
    }
    assert (report.agent, report.health, report.deployment_id) == (
        "inventory-report",
        Health.PAUSED,
        "0b6a1c1e-0000-4000-8000-000000000001",
    )
    assert (expiry.agent, expiry.cron, expiry.last_status) == (
        "expiry-check",
        "0 7 * * *",
        None,
    )


def _schedule(session, *, is_active, at):
    record_schedule(
        session,
        "stock-check",
        is_active=is_active,
        cron="*/1 * * * *",
        deployment_id=None,
        now=at,
    )
    session.commit()


def test_an_agent_resumed_after_a_pause_is_late_only_two_intervals_later(session):
    beat = NOW - timedelta(minutes=10)
    resumed = NOW - timedelta(seconds=60)
    refresh_agent_status(session, "stock-check", cron="*/1 * * * *", heartbeat=beat)
    _schedule(session, is_active=False, at=beat + timedelta(minutes=1))
    [paused] = agents_overview(session, now=resumed, agent="stock-check")
    _schedule(session, is_active=True, at=resumed)

    health = [
        agents_overview(session, now=now, agent="stock-check")[0].health
        for now in (
            NOW,
            resumed + timedelta(seconds=119),
            resumed + timedelta(seconds=121),
        )
    ]

    assert (paused.health, *health) == (
        Health.PAUSED,
        Health.HEALTHY,
        Health.HEALTHY,
        Health.LATE,
    )
