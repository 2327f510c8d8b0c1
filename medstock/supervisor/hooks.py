"""Prefect state hooks that mirror each agent run as it changes state."""

import threading
from datetime import UTC, datetime
from typing import Any

from prefect.client.schemas.objects import FlowRun, State, StateType, TaskRun
from prefect.logging.loggers import flow_run_logger

from medstock.agents import AGENTS
from medstock.db import session_scope
from medstock.settings import get_settings
from medstock.supervisor.mirror import record_run, refresh_agent_status
from medstock.supervisor.states import run_status, state_message
from models import OPEN_RUN_STATUSES, RunStatus, utcnow

# Task hooks note the attempts of each flow run's tasks here, in this process,
# because Prefect's own task-run records may arrive late or not at all.
_attempts: dict[str, int] = {}
_attempts_lock = threading.Lock()


def _utc(when: datetime | None) -> datetime | None:
    return None if when is None else when.astimezone(UTC)


def note_attempts(task: Any, task_run: TaskRun, state: State) -> None:
    """Task hook: keep the highest attempt count a task of the flow run reached."""
    if task_run.flow_run_id is None:
        return
    key = str(task_run.flow_run_id)
    with _attempts_lock:
        _attempts[key] = max(_attempts.get(key, 1), task_run.run_count or 1)


def trigger_of(flow_run: FlowRun) -> str:
    """`schedule` for runs the scheduler created, `manual` for all others."""
    return "schedule" if flow_run.auto_scheduled else "manual"


def describe_error(error: BaseException) -> str:
    """The error's type and first line; SQLAlchemy appends the SQL on later lines."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def describe_outcome(state: State) -> str:
    """The task_logs message for a finished run's state."""
    # NOTE: `_sync=True` because the agents are async flows: inside their event
    # loop `State.result` would otherwise hand back a coroutine.
    if state.type == StateType.COMPLETED:
        result = state.result(  # type: ignore[call-overload]
            raise_on_failure=False, _sync=True
        )
        if isinstance(result, dict) and "message" in result:
            return str(result["message"])
        return state.message or "completed"
    if state.type == StateType.FAILED:
        error = state.result(  # type: ignore[call-overload]
            raise_on_failure=False, _sync=True
        )
        if isinstance(error, BaseException):
            return describe_error(error)
    return state_message(state)


def _mirror(flow: Any, flow_run: FlowRun, state: State) -> None:
    status = run_status(state)
    if status is None or status is RunStatus.SCHEDULED:
        return

    run_id = str(flow_run.id)
    now = utcnow()
    terminal = status not in OPEN_RUN_STATUSES
    with _attempts_lock:
        attempts = (_attempts.pop if terminal else _attempts.get)(run_id, 1)
    attempts = max(attempts, flow_run.run_count or 1)

    if status is RunStatus.ERROR:
        flow_run_logger(flow_run, flow).error(
            "agent %s run %s failed after %d attempts: %s",
            flow.name,
            run_id,
            attempts,
            describe_outcome(state),
        )

    agent = AGENTS.get(flow.name)
    settings = get_settings()
    with session_scope(writer=True) as session:
        finished_now = record_run(
            session,
            agent=flow.name,
            flow_run_id=run_id,
            status=status,
            message=describe_outcome(state) if terminal else "",
            # A skipped run never started; the others started no later than now.
            started_at=None
            if status is RunStatus.SKIPPED
            else _utc(flow_run.start_time) or now,
            finished_at=now if terminal else None,
            attempts=attempts,
            trigger=trigger_of(flow_run),
        )
        refresh_agent_status(
            session,
            flow.name,
            cron=agent.cron(settings) if agent else "",
            # A skipped run is no sign of life: the agent executed nothing.
            heartbeat=None if status is RunStatus.SKIPPED else now,
            finished=status if finished_now else None,
            recount=False,
        )


def mirror_state(flow: Any, flow_run: FlowRun, state: State) -> None:
    """Flow hook: record the run's new state; a failure here never fails the run."""
    try:
        _mirror(flow, flow_run, state)
    except Exception as exc:
        flow_run_logger(flow_run, flow).error(
            "could not mirror flow run %s (%s) into task_logs: %s",
            flow_run.id,
            state.type.value,
            exc,
        )


FLOW_HOOKS: dict[str, Any] = {
    "on_running": [mirror_state],
    "on_completion": [mirror_state],
    "on_failure": [mirror_state],
    "on_crashed": [mirror_state],
    "on_cancellation": [mirror_state],
}
TASK_HOOKS: dict[str, Any] = {
    "on_completion": [note_attempts],
    "on_failure": [note_attempts],
}
