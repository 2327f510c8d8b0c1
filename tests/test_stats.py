from datetime import UTC, datetime, timedelta

import pytest

from medstock.errors import UnknownAgentError, ValidationError
from medstock.supervisor.stats import compute_stats, p95_nearest_rank, parse_window
from models import RunStatus, utcnow
from tests.runs import add_run

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def _hours_ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


@pytest.fixture
def known_runs(session):
    """Twelve stock-check rows and three inventory-report rows, values by hand."""
    runs = [
        ("s1", RunStatus.SUCCESS, 10, 1000, 1, ""),
        ("s2", RunStatus.SUCCESS, 9, 2000, 2, ""),
        ("s3", RunStatus.SUCCESS, 8, 3000, 1, ""),
        ("s4", RunStatus.SUCCESS, 7, 4000, 1, ""),
        ("s5", RunStatus.SUCCESS, 6, 10000, 3, ""),
        ("e1", RunStatus.ERROR, 2, 35000, 4, "OperationalError: database is locked"),
        ("c1", RunStatus.CRASHED, 1, 90000, 1, "no heartbeat for 90 s"),
        ("x1", RunStatus.CANCELLED, 3, 500, 1, "cancelled by the operator"),
        ("r1", RunStatus.RUNNING, 0.1, None, 1, ""),
        ("old", RunStatus.ERROR, 25, 1000, 4, "outside the window"),
    ]
    for run_id, status, hours, duration, attempts, message in runs:
        add_run(
            session,
            run_id,
            status,
            started=_hours_ago(hours),
            duration_ms=duration,
            attempts=attempts,
            message=message,
        )
    # Never started: counted by when it was decided.
    add_run(session, "k1", RunStatus.SKIPPED, started=None, finished=_hours_ago(4))
    for run_id, status, duration, attempts in [
        ("i1", RunStatus.SUCCESS, 700, 1),
        ("i2", RunStatus.SUCCESS, 900, 1),
        ("i3", RunStatus.ERROR, 300, 4),
    ]:
        add_run(
            session,
            run_id,
            status,
            started=_hours_ago(5),
            duration_ms=duration,
            attempts=attempts,
            agent="inventory-report",
            message="OperationalError: disk I/O error" if attempts > 1 else "",
        )
    session.commit()


@pytest.mark.parametrize(
    ("durations", "p95"),
    [
        ([], None),
        ([7], 7),
        ([5, 1, 3, 2, 4], 5),  # ceil(4.75) = 5th
        (list(range(1, 21)), 19),  # ceil(19.0) = 19th: exactly 95 % at or below
        (list(range(1, 22)), 20),  # ceil(19.95) = 20th
        (list(range(100, 0, -1)), 95),
    ],
)
def test_p95_is_the_nearest_rank_value(durations, p95):
    assert p95_nearest_rank(durations) == p95


def test_stats_of_an_agent_equal_the_hand_computed_values(session, known_runs):
    report = compute_stats(session, window=DAY, now=NOW)

    stock = report.agents[0]
    assert stock.model_dump() == {
        "agent": "stock-check",
        "runs": 8,  # 5 SUCCESS + ERROR + CRASHED + CANCELLED; RUNNING is not done
        "successes": 5,
        "failures": 2,
        "cancelled": 1,
        "skipped": 1,
        "late": 0,
        "success_rate": 5 / 7,
        "mean_duration_ms": 4000.0,  # (1 + 2 + 3 + 4 + 10) s / 5
        "p95_duration_ms": 10000,
        "retries_used": 6,  # 1 + 2 on successes, 3 on the error
        "last_success_at": _hours_ago(6) + timedelta(seconds=10),
        "last_failure_at": _hours_ago(1),
        "last_failure_status": "CRASHED",
        "last_failure_message": "no heartbeat for 90 s",
    }


def test_overall_stats_cover_every_agent(session, known_runs):
    report = compute_stats(session, window=DAY, now=NOW)

    overall = report.overall
    assert (overall.agent, overall.runs, overall.successes, overall.failures) == (
        "all",
        11,
        7,
        3,
    )
    assert overall.success_rate == 0.7
    assert overall.mean_duration_ms == (20000 + 700 + 900) / 7
    assert overall.p95_duration_ms == 10000
    assert overall.retries_used == 9
    assert [a.agent for a in report.agents] == [
        "stock-check",
        "inventory-report",
        "expiry-check",
    ]
    assert (report.since, report.until, report.window_seconds) == (
        NOW - DAY,
        NOW,
        86400,
    )


def test_a_wider_window_takes_in_older_runs(session, known_runs):
    report = compute_stats(session, window=parse_window("7d"), now=NOW)

    stock = report.agents[0]
    assert (stock.runs, stock.failures, stock.retries_used) == (9, 3, 9)


def test_stats_of_one_agent_only(session, known_runs):
    report = compute_stats(session, window=DAY, agent="inventory-report", now=NOW)

    [report_agent] = report.agents
    assert report_agent.model_dump(
        include={"agent", "runs", "success_rate", "mean_duration_ms"}
    ) == {
        "agent": "inventory-report",
        "runs": 3,
        "success_rate": 2 / 3,
        "mean_duration_ms": 800.0,
    }
    assert report.overall.runs == 3


def test_late_and_skipped_runs_are_counted_apart_and_never_as_failures(session):
    add_run(session, "l1", RunStatus.LATE, started=None)
    add_run(session, "k1", RunStatus.SKIPPED, started=None, finished=utcnow())
    add_run(session, "s1", RunStatus.SUCCESS, started=utcnow(), duration_ms=10)
    session.commit()

    stock = compute_stats(session, window=DAY).agents[0]

    assert (stock.runs, stock.failures, stock.late, stock.skipped) == (1, 0, 1, 1)
    assert stock.success_rate == 1.0


def test_an_agent_without_runs_has_empty_stats(session):
    report = compute_stats(session, window=DAY, now=NOW)

    assert report.agents[0].model_dump(
        include={"runs", "success_rate", "mean_duration_ms", "p95_duration_ms"}
    ) == {
        "runs": 0,
        "success_rate": None,
        "mean_duration_ms": None,
        "p95_duration_ms": None,
    }


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("30D", timedelta(days=30)),
    ],
)
def test_the_three_windows_are_understood(text, window):
    assert parse_window(text) == window


def test_any_other_window_is_refused_naming_the_choices():
    with pytest.raises(ValidationError) as caught:
        parse_window("1h")

    assert str(caught.value) == "unknown stats window '1h'; use one of 24h, 7d, 30d"


def test_stats_of_an_unknown_agent_list_the_known_ones(session):
    with pytest.raises(UnknownAgentError) as caught:
        compute_stats(session, window=DAY, agent="stock-chek")

    assert str(caught.value) == (
        "unknown agent 'stock-chek'; the agents are: expiry-check, inventory-report, "
        "stock-check"
    )
