"""The reconciler reads the Prefect API and records what hooks could not."""

import threading
from datetime import timedelta

import pytest
from prefect import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import StateType
from prefect.deployments import run_deployment
from prefect.states import Cancelled, Completed, Crashed, Late, Pending, Running
from sqlmodel import select

from deployments.serve import build_deployments
from medstock.settings import get_settings, load_settings
from medstock.supervisor.automation import (
    AUTOMATION_NAME,
    crash_message,
    ensure_stuck_run_automation,
)
from medstock.supervisor.health import Health, derive_health
from medstock.supervisor.mirror import record_run
from medstock.supervisor.reconciler import reconcile
from medstock.supervisor.service import run_supervisor
from models import AgentStatus, RunStatus, TaskLog, utcnow
from tests.processes import stop_group, wait_for
from tests.test_crashes import _engine_pid, _serve

pytestmark = pytest.mark.integration


@pytest.fixture
def deployed(prefect_server, monkeypatch):
    """The agents' deployments on the session's Prefect server, far-off crons."""
    monkeypatch.setenv("MEDSTOCK_STOCK_CHECK_CRON", "0 0 1 1 *")
    monkeypatch.setenv("MEDSTOCK_REPORT_CRON", "0 0 1 1 *")
    get_settings.cache_clear()
    ids = {d.name: d.apply() for d in build_deployments(load_settings())}
    yield ids
    with get_client(sync_client=True) as client:
        for deployment_id in ids.values():
            client.resume_deployment(deployment_id)
        # Left behind, a scheduled or late run would start in a later test's runner.
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(
                id=DeploymentFilterId(any_=list(ids.values()))
            )
        )
        for run in runs:
            client.delete_flow_run(run.id)
    get_settings.cache_clear()


def _reconcile(session):
    with get_client(sync_client=True) as client:
        summary = reconcile(session, client, settings=get_settings(), settle_seconds=0)
    session.commit()
    return summary


def _log(session, run_id) -> TaskLog:
    session.rollback()
    return session.exec(select(TaskLog).where(TaskLog.flow_run_id == str(run_id))).one()


def _new_run(client, deployment_id, *states):
    run = client.create_flow_run_from_deployment(deployment_id)
    for state in states:
        client.set_flow_run_state(run.id, state, force=True)
    return run.id


def test_a_run_whose_hooks_never_fired_ends_in_its_true_state(session, deployed):
    with get_client(sync_client=True) as client:
        run_id = _new_run(
            client,
            deployed["stock-check"],
            Running(),
            Crashed(message="Flow run infrastructure exited with non-zero status -9"),
        )

    _reconcile(session)

    log = _log(session, run_id)
    assert (log.agent, log.status, log.message, log.trigger, log.attempts) == (
        "stock-check",
        "CRASHED",
        "Flow run infrastructure exited with non-zero status -9",
        "manual",
        1,
    )
    assert log.started_at is not None and log.finished_at is not None
    status = session.get(AgentStatus, "stock-check")
    assert (status.last_status, status.last_run_id, status.is_active) == (
        "CRASHED",
        str(run_id),
        True,
    )
    assert status.deployment_id == str(deployed["stock-check"])


def test_late_and_skipped_runs_get_their_own_statuses(session, deployed):
    due = utcnow() - timedelta(minutes=2)
    with get_client(sync_client=True) as client:
        late = _new_run(client, deployed["stock-check"], Late(scheduled_time=due))
        skipped = _new_run(
            client,
            deployed["stock-check"],
            Cancelled(message="Deployment concurrency limit reached."),
        )

    _reconcile(session)

    late_log, skipped_log = _log(session, late), _log(session, skipped)
    assert (late_log.status, late_log.message, late_log.started_at) == (
        "LATE",
        f"late: due at {due:%Y-%m-%d %H:%M:%S} UTC",
        None,
    )
    assert (skipped_log.status, skipped_log.message, skipped_log.started_at) == (
        "SKIPPED",
        "Deployment concurrency limit reached.",
        None,
    )


def test_a_hook_written_outcome_is_never_replaced_and_a_pass_is_idempotent(
    session, deployed
):
    with get_client(sync_client=True) as client:
        run_id = _new_run(
            client, deployed["stock-check"], Running(), Crashed(message="killed")
        )
    record_run(
        session,
        agent="stock-check",
        flow_run_id=str(run_id),
        status=RunStatus.CRASHED,
        message="recorded by the on_crashed hook",
        started_at=utcnow(),
        finished_at=utcnow(),
        attempts=2,
    )
    session.commit()

    _reconcile(session)
    _reconcile(session)

    rows = session.exec(select(TaskLog).where(TaskLog.flow_run_id == str(run_id))).all()
    assert [(r.status, r.message, r.attempts) for r in rows] == [
        ("CRASHED", "recorded by the on_crashed hook", 2)
    ]


def test_a_pause_made_in_prefect_shows_within_one_reconcile_interval(
    session, deployed, monkeypatch
):
    interval = 2
    monkeypatch.setenv("MEDSTOCK_RECONCILE_INTERVAL_SECONDS", str(interval))
    get_settings.cache_clear()
    _reconcile(session)
    assert session.get(AgentStatus, "inventory-report").is_active is True
    stop = threading.Event()
    loop = threading.Thread(
        target=run_supervisor, args=(get_settings(),), kwargs={"stop": stop}
    )
    loop.start()
    try:
        with get_client(sync_client=True) as client:
            client.pause_deployment(deployed["inventory-report"])
            deployment = client.read_deployment(deployed["stock-check"])
            # Switching a schedule off in the UI pauses the agent just the same.
            client.update_deployment_schedule(
                deployment.id, deployment.schedules[0].id, active=False
            )

        def paused() -> bool:
            session.rollback()
            rows = {r.agent: r.is_active for r in session.exec(select(AgentStatus))}
            return rows == {
                "stock-check": False,
                "inventory-report": False,
                "expiry-check": True,
            }

        # One interval plus the pass's own few API calls.
        wait_for(paused, timeout=interval + 3, what="both agents paused", step=0.2)
    finally:
        stop.set()
        loop.join(timeout=30)
        with get_client(sync_client=True) as client:
            client.update_deployment_schedule(
                deployment.id, deployment.schedules[0].id, active=True
            )


def test_the_heartbeat_automation_is_created_once_and_kept_up_to_date(prefect_server):
    with get_client(sync_client=True) as client:
        first = ensure_stuck_run_automation(client, window_seconds=90)
        again = ensure_stuck_run_automation(client, window_seconds=90)
        changed = ensure_stuck_run_automation(client, window_seconds=45)
        [automation] = client.read_automations_by_name(AUTOMATION_NAME)
        # Other tests' runs beat every 180 s (Prefect's default): no reaper for them.
        client.delete_automation(automation.id)

    assert first == again == changed == str(automation.id)
    assert automation.trigger.within == timedelta(seconds=45)
    assert automation.trigger.posture == "Proactive"
    assert automation.trigger.after == {"prefect.flow-run.heartbeat"}
    assert automation.trigger.expect == {"prefect.flow-run.*"}
    assert automation.actions[0].message == crash_message(45)
    assert crash_message(45) == "no heartbeat for 45 s: the run's process is gone"


def _active_slots(client, deployment_id) -> int:
    limit = client.read_deployment(deployment_id).global_concurrency_limit
    return limit.active_slots


def test_a_run_left_pending_is_crashed_and_frees_its_deployment_slot(session, deployed):
    timeout = get_settings().pending_timeout_seconds
    with get_client(sync_client=True) as client:
        # A runner proposes Pending, and so takes the slot, before it starts the
        # engine; killed then, it leaves the run there.
        stuck = client.create_flow_run_from_deployment(deployed["stock-check"])
        client.set_flow_run_state(stuck.id, Pending())
        pending_since = client.read_flow_run(stuck.id).state.timestamp
        blocked = client.create_flow_run_from_deployment(deployed["stock-check"])
        refused = client.set_flow_run_state(blocked.id, Pending()).state
        assert (refused.type, _active_slots(client, deployed["stock-check"])) == (
            StateType.CANCELLED,
            1,
        )

    with get_client(sync_client=True) as client:
        reconcile(
            session,
            client,
            settings=get_settings(),
            now=pending_since + timedelta(seconds=timeout),
            settle_seconds=0,
        )
    session.commit()
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(stuck.id).state.type == StateType.PENDING
    with get_client(sync_client=True) as client:
        reconcile(
            session,
            client,
            settings=get_settings(),
            now=pending_since + timedelta(seconds=timeout + 1),
            settle_seconds=0,
        )
    session.commit()

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(stuck.id).state
        slots = _active_slots(client, deployed["stock-check"])
        following = client.create_flow_run_from_deployment(deployed["stock-check"])
        admitted = client.set_flow_run_state(following.id, Pending()).state
        client.set_flow_run_state(following.id, Cancelled(), force=True)
    message = (
        f"pending for more than {timeout} s: the process that picked it up is gone"
    )
    assert (state.type, state.message, slots) == (StateType.CRASHED, message, 0)
    assert admitted.type == StateType.PENDING
    log = _log(session, stuck.id)
    # Prefect gives a run that ends before it ran its end time as start time.
    assert (log.status, log.message, log.started_at, log.finished_at) == (
        "CRASHED",
        message,
        state.timestamp,
        state.timestamp,
    )


def test_a_served_run_after_the_crashed_pending_one_completes(
    session, deployed, prefect_server, tmp_path
):
    timeout = get_settings().pending_timeout_seconds
    with get_client(sync_client=True) as client:
        stuck = client.create_flow_run_from_deployment(deployed["stock-check"])
        client.set_flow_run_state(stuck.id, Pending())
        pending_since = client.read_flow_run(stuck.id).state.timestamp
        reconcile(
            session,
            client,
            settings=get_settings(),
            now=pending_since + timedelta(seconds=timeout + 1),
            settle_seconds=0,
        )
    session.commit()
    serving = _serve(prefect_server, tmp_path)
    try:
        following = run_deployment(deployed["stock-check"], timeout=90, poll_interval=1)
        # Stopped while the run's process is still exiting, the runner would
        # cancel the run it just finished.
        wait_for(
            lambda: _engine_pid(str(following.id)) is None,
            timeout=30,
            what="the run's process gone",
        )
    finally:
        stop_group(serving)

    assert following.state.type == StateType.COMPLETED
    assert _log(session, following.id).status == "SUCCESS"


def test_skipped_runs_are_no_sign_of_life_and_the_agent_turns_late(session, deployed):
    with get_client(sync_client=True) as client:
        ran = _new_run(client, deployed["stock-check"], Running(), Completed())
        last_end = client.read_flow_run(ran).end_time
        for _ in range(2):
            _new_run(
                client,
                deployed["stock-check"],
                Cancelled(message="Deployment concurrency limit reached."),
            )

    _reconcile(session)

    status = session.get(AgentStatus, "stock-check")
    # The far-off cron ticks yearly; health is judged against the hourly one.
    status.cron = "0 * * * *"
    assert status.last_heartbeat == last_end
    two_intervals = status.last_heartbeat + timedelta(hours=2)
    assert [
        derive_health(status, now=when, timezone="UTC", failing_after=3)
        for when in (two_intervals, two_intervals + timedelta(seconds=1))
    ] == [Health.HEALTHY, Health.LATE]
