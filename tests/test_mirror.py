from datetime import UTC, datetime, timedelta

from sqlmodel import select

from medstock.supervisor.mirror import (
    record_run,
    record_schedule,
    refresh_agent_status,
)
from models import AgentStatus, RunStatus, TaskLog

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _log(session, run_id):
    session.expire_all()
    return session.exec(select(TaskLog).where(TaskLog.flow_run_id == run_id)).one()


def test_a_run_keeps_one_row_from_running_to_success(session):
    record_run(
        session,
        agent="stock-check",
        flow_run_id="r1",
        status=RunStatus.RUNNING,
        started_at=T0,
    )
    record_run(
        session,
        agent="stock-check",
        flow_run_id="r1",
        status=RunStatus.SUCCESS,
        message="raised 2 purchase orders, topped up 0",
        started_at=T0 - timedelta(seconds=1),
        finished_at=T0 + timedelta(seconds=2),
        attempts=2,
    )
    session.commit()

    log = _log(session, "r1")
    assert (log.status, log.message, log.attempts) == (
        "SUCCESS",
        "raised 2 purchase orders, topped up 0",
        2,
    )
    # Prefect's start time, sent with the outcome, replaces the hook's estimate.
    assert log.started_at == T0 - timedelta(seconds=1)
    assert log.finished_at == T0 + timedelta(seconds=2)
    assert log.duration_ms == 3000


def test_a_late_running_write_does_not_reopen_a_finished_run(session):
    finished = {"started_at": T0, "finished_at": T0 + timedelta(seconds=1)}
    record_run(
        session,
        agent="stock-check",
        flow_run_id="r1",
        status=RunStatus.CRASHED,
        message="process killed",
        **finished,
    )
    record_run(
        session,
        agent="stock-check",
        flow_run_id="r1",
        status=RunStatus.RUNNING,
        started_at=T0,
    )
    session.commit()

    log = _log(session, "r1")
    assert (log.status, log.message, log.duration_ms) == (
        "CRASHED",
        "process killed",
        1000,
    )


def test_recording_the_same_outcome_twice_changes_nothing(session):
    outcome = {
        "agent": "inventory-report",
        "flow_run_id": "r1",
        "status": RunStatus.ERROR,
        "message": "OperationalError: database is locked",
        "started_at": T0,
        "finished_at": T0 + timedelta(milliseconds=1500),
        "attempts": 4,
    }
    record_run(session, **outcome)
    refresh_agent_status(session, "inventory-report", cron="*/2 * * * *", heartbeat=T0)
    record_run(session, **outcome)
    refresh_agent_status(session, "inventory-report", cron="*/2 * * * *", heartbeat=T0)
    session.commit()

    rows = session.exec(select(TaskLog)).all()
    status = session.get(AgentStatus, "inventory-report")
    assert len(rows) == 1
    assert (status.total_runs, status.failures, status.consecutive_failures) == (
        1,
        1,
        1,
    )


def test_agent_status_summarises_the_agents_runs(session):
    runs = [
        ("r1", RunStatus.ERROR, "OperationalError: disk I/O error"),
        ("r2", RunStatus.SUCCESS, "raised 1 purchase order, topped up 0"),
        ("r3", RunStatus.ERROR, "OperationalError: database is locked"),
        ("r4", RunStatus.CRASHED, "Execution was cancelled by the runtime"),
        ("r5", RunStatus.RUNNING, ""),
    ]
    for minute, (run_id, status, message) in enumerate(runs):
        started = T0 + timedelta(minutes=minute)
        terminal = status is not RunStatus.RUNNING
        record_run(
            session,
            agent="stock-check",
            flow_run_id=run_id,
            status=status,
            message=message,
            started_at=started,
            finished_at=started + timedelta(seconds=1) if terminal else None,
        )
    beat = T0 + timedelta(minutes=4)

    refresh_agent_status(session, "stock-check", cron="*/1 * * * *", heartbeat=beat)
    session.commit()

    status = session.get(AgentStatus, "stock-check")
    assert status.model_dump(exclude={"updated_at", "created_at"}) == {
        "agent": "stock-check",
        "is_active": True,
        "cron": "*/1 * * * *",
        "last_heartbeat": beat,
        "last_status": "RUNNING",
        "last_run_id": "r5",
        "last_success_at": T0 + timedelta(minutes=1, seconds=1),
        "last_error": "Execution was cancelled by the runtime",
        "consecutive_failures": 2,
        "total_runs": 4,
        "failures": 3,
        "deployment_id": None,
        "active_since": None,
    }


def test_a_late_cancellation_does_not_replace_a_finished_outcome(session):
    finished = {"started_at": T0, "finished_at": T0 + timedelta(seconds=1)}
    record_run(
        session,
        agent="stock-check",
        flow_run_id="r1",
        status=RunStatus.SUCCESS,
        message="raised 0 purchase orders, topped up 0",
        **finished,
    )

    counted = record_run(
        session,
        agent="stock-check",
        flow_run_id="r1",
        status=RunStatus.CANCELLED,
        message="runner shutting down",
        **finished,
    )
    session.commit()

    log = _log(session, "r1")
    assert (log.status, log.message, counted) == (
        "SUCCESS",
        "raised 0 purchase orders, topped up 0",
        False,
    )


def test_active_since_moves_only_when_the_agent_turns_active(session):
    # First seen active, paused, resumed, resumed again, found active by a pass.
    changes = [(True, 0), (False, 5), (True, 9), (True, 12), (True, 15)]
    seen = []
    for is_active, minute in changes:
        record_schedule(
            session,
            "stock-check",
            is_active=is_active,
            cron="*/1 * * * *",
            deployment_id="0b6a1c1e-0000-4000-8000-000000000001",
            now=T0 + timedelta(minutes=minute),
        )
        session.commit()
        status = session.get(AgentStatus, "stock-check")
        session.refresh(status)
        seen.append((status.is_active, status.active_since))

    assert seen == [
        (True, T0),
        (False, T0),
        (True, T0 + timedelta(minutes=9)),
        (True, T0 + timedelta(minutes=9)),
        (True, T0 + timedelta(minutes=9)),
    ]


def test_an_agent_first_seen_paused_has_no_active_since(session):
    record_schedule(
        session, "stock-check", is_active=False, cron="*/1 * * * *", deployment_id=None
    )
    session.commit()

    status = session.get(AgentStatus, "stock-check")
    assert (status.is_active, status.active_since) == (False, None)
