"""The reconciler: brings task_logs and agent_status in line with the Prefect API.

State hooks run in the agent's own process and give immediacy; a killed process
fires none. The reconciler reads what the server knows and records every run whose
row is missing or still open, so each run ends in its true state.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
    FlowRunFilterId,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.responses import (
    DeploymentResponse,
    OrchestrationResult,
    SetStateStatus,
)
from prefect.client.schemas.sorting import FlowRunSort
from prefect.states import Crashed
from sqlmodel import Session, select

from medstock.agents import AGENTS
from medstock.settings import Settings
from medstock.supervisor.mirror import record_run, record_schedule, refresh_agent_status
from medstock.supervisor.prefect_api import find_deployment, is_scheduled
from medstock.supervisor.states import run_status, state_message
from models import OPEN_RUN_STATUSES, RunStatus, TaskLog, utcnow

logger = logging.getLogger(__name__)

# How far back each pass looks; rows still open from before are read by id.
LOOKBACK = timedelta(days=1)
PAGE = 200
# A run that ended this recently is left to its own hooks, and to the task-run
# records Prefect receives as events, until the next pass.
SETTLE_SECONDS = 5
_OPEN = {str(s) for s in OPEN_RUN_STATUSES}
DELETED_MESSAGE = (
    "flow run deleted before it ran (schedule paused or redeployed, or its slot "
    "passed while nothing served it)"
)


def pending_message(timeout_seconds: int) -> str:
    """The state message of a run the reconciler marks Crashed for staying Pending."""
    return (
        f"pending for more than {timeout_seconds} s: the process that picked it up "
        "is gone"
    )


@dataclass(frozen=True)
class ReconcileSummary:
    """What one pass changed: run rows written, agents refreshed."""

    runs_recorded: int
    agents: int


def _utc(when: datetime | None) -> datetime | None:
    return None if when is None else when.astimezone(UTC)


def _read_recent_runs(client: SyncPrefectClient, *, now: datetime) -> list[FlowRun]:
    return client.read_flow_runs(
        flow_filter=FlowFilter(name=FlowFilterName(any_=list(AGENTS))),
        flow_run_filter=FlowRunFilter(
            expected_start_time=FlowRunFilterExpectedStartTime(
                after_=now - LOOKBACK, before_=now
            )
        ),
        sort=FlowRunSort.EXPECTED_START_TIME_DESC,
        limit=PAGE,
    )


def _open_rows(session: Session) -> dict[str, tuple[str, str]]:
    """The status and agent of every row that may still change, by flow run id."""
    rows = session.exec(
        select(TaskLog.flow_run_id, TaskLog.status, TaskLog.agent).where(
            TaskLog.status.in_(_OPEN)  # type: ignore[attr-defined]
        )
    ).all()
    return {run_id: (status, agent) for run_id, status, agent in rows}


def _crash_stuck_pending(
    client: SyncPrefectClient, *, now: datetime, timeout_seconds: int
) -> list[uuid.UUID]:
    """Mark Crashed every agent run Pending longer than the timeout; their ids.

    A runner killed after it proposed Pending leaves the run there for good, and
    the run holds its deployment's concurrency slot, so every later run of the
    agent is skipped. Such a run never sends a heartbeat for the automation.
    """
    stuck = client.read_flow_runs(
        flow_filter=FlowFilter(name=FlowFilterName(any_=list(AGENTS))),
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.PENDING])
            )
        ),
        limit=PAGE,
    )
    crashed = []
    for run in stuck:
        since = _utc(run.state.timestamp) if run.state else None
        if since is None or (now - since).total_seconds() <= timeout_seconds:
            continue
        # NOTE: an ordinary (unforced) Pending -> Crashed transition runs Prefect's
        # ReleaseFlowConcurrencySlots, which frees the run's slot and revokes its
        # lease, or, when the lease is gone (kept in memory, it does not survive a
        # server restart), takes one slot off the deployment's limit instead.
        # TODO: a lease the server already expired (after its 300 s TTL) takes that
        # slot off a second time, which could free another run's slot.
        result: OrchestrationResult[Any] = client.set_flow_run_state(
            run.id, Crashed(message=pending_message(timeout_seconds))
        )
        if result.status != SetStateStatus.ACCEPT:
            logger.warning(
                "could not crash flow run %s, pending since %s: %s",
                run.id,
                since,
                result.status,
            )
            continue
        logger.info("crashed flow run %s, pending since %s", run.id, since)
        crashed.append(run.id)
    return crashed


def _known_rows(session: Session, run_ids: list[str]) -> dict[str, str]:
    if not run_ids:
        return {}
    rows = session.exec(
        select(TaskLog.flow_run_id, TaskLog.status).where(
            TaskLog.flow_run_id.in_(run_ids)  # type: ignore[attr-defined]
        )
    ).all()
    return dict(rows)


def _as_uuids(run_ids: list[str]) -> list[uuid.UUID]:
    uuids = []
    for run_id in run_ids:
        try:
            uuids.append(uuid.UUID(run_id))
        except ValueError:
            continue
    return uuids


def _attempts(client: SyncPrefectClient, runs: list[FlowRun]) -> dict[str, int]:
    """The highest task attempt per flow run, where Prefect kept its task runs."""
    if not runs:
        return {}
    task_runs = client.read_task_runs(
        flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[r.id for r in runs])),
        limit=PAGE,
    )
    attempts: dict[str, int] = {}
    for task_run in task_runs:
        key = str(task_run.flow_run_id)
        attempts[key] = max(attempts.get(key, 1), task_run.run_count or 1)
    return attempts


def _record(
    session: Session, flow_run: FlowRun, *, agent: str, attempts: int
) -> RunStatus | None:
    state = flow_run.state
    status = run_status(state) if state else None
    if state is None or status is None or status is RunStatus.SCHEDULED:
        return None
    executed = status not in (RunStatus.LATE, RunStatus.SKIPPED)
    finished = status not in OPEN_RUN_STATUSES
    if status is RunStatus.LATE:
        expected = _utc(state.state_details.scheduled_time) or _utc(
            flow_run.expected_start_time
        )
        message = f"late: due at {expected:%Y-%m-%d %H:%M:%S} UTC" if expected else ""
    else:
        message = state_message(state) if finished else ""
    record_run(
        session,
        agent=agent,
        flow_run_id=str(flow_run.id),
        status=status,
        message=message,
        started_at=_utc(flow_run.start_time) if executed else None,
        finished_at=(_utc(flow_run.end_time) or _utc(state.timestamp))
        if finished
        else None,
        attempts=max(attempts, flow_run.run_count or 1),
        trigger="schedule" if flow_run.auto_scheduled else "manual",
        keep_finished=True,
    )
    return status


def _record_deleted(session: Session, run_id: str, agent: str) -> None:
    record_run(
        session,
        agent=agent,
        flow_run_id=run_id,
        status=RunStatus.SKIPPED,
        message=DELETED_MESSAGE,
        finished_at=utcnow(),
        keep_finished=True,
    )


def _mirror_schedules(
    session: Session,
    deployments: dict[str, DeploymentResponse | None],
    settings: Settings,
) -> None:
    for name, deployment in deployments.items():
        if deployment is None:
            continue
        record_schedule(
            session,
            name,
            is_active=is_scheduled(deployment),
            cron=AGENTS[name].cron(settings),
            deployment_id=str(deployment.id),
        )


def reconcile(
    session: Session,
    client: SyncPrefectClient,
    *,
    settings: Settings,
    now: datetime | None = None,
    settle_seconds: float = SETTLE_SECONDS,
) -> ReconcileSummary:
    """Record every agent run whose row is missing or open, and each schedule."""
    # NOTE: every Prefect read comes before the first write, so that a SQLite
    # write lock is never held while waiting for the API.
    now = now or utcnow()
    deployments = {name: find_deployment(client, a) for name, a in AGENTS.items()}

    flows = client.read_flows(
        flow_filter=FlowFilter(name=FlowFilterName(any_=list(AGENTS)))
    )
    agent_of_flow = {flow.id: flow.name for flow in flows}
    crashed = _crash_stuck_pending(
        client, now=now, timeout_seconds=settings.pending_timeout_seconds
    )
    runs = {str(r.id): r for r in _read_recent_runs(client, now=now)}
    if crashed:
        # Read again: a crashed run may be older than the lookback.
        again = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=crashed))
        )
        runs.update({str(r.id): r for r in again})
    crashed_ids = {str(run_id) for run_id in crashed}
    open_rows = _open_rows(session)
    missing = [run_id for run_id in open_rows if run_id not in runs]
    if missing:
        older = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=_as_uuids(missing)))
        )
        runs.update({str(r.id): r for r in older})

    known = _known_rows(session, list(runs))
    pending = [
        run
        for run_id, run in runs.items()
        if run.flow_id in agent_of_flow
        and (run_id not in known or known[run_id] in _OPEN)
        # No hook fires for a run the supervisor crashed: record it now.
        and (
            run_id in crashed_ids
            or not _just_ended(run, now=now, settle_seconds=settle_seconds)
        )
    ]
    attempts = _attempts(client, [r for r in pending if r.state and r.state.is_final()])

    _mirror_schedules(session, deployments, settings)
    recorded = 0
    for run in pending:
        agent = agent_of_flow[run.flow_id]
        status = _record(
            session, run, agent=agent, attempts=attempts.get(str(run.id), 1)
        )
        if status is not None:
            recorded += 1
        if status is not None and status not in OPEN_RUN_STATUSES:
            logger.info("reconciled run %s of %s as %s", run.id, agent, status)

    for run_id in _as_uuids(missing):
        row_status, row_agent = open_rows[str(run_id)]
        # Prefect deletes the future runs of a paused or updated deployment.
        if str(run_id) not in runs and row_status != RunStatus.RUNNING:
            _record_deleted(session, str(run_id), row_agent)
            recorded += 1

    for name, known_agent in AGENTS.items():
        refresh_agent_status(
            session,
            name,
            cron=known_agent.cron(settings),
            heartbeat=_last_sign_of_life(
                [r for r in runs.values() if agent_of_flow.get(r.flow_id) == name]
            ),
        )
    return ReconcileSummary(runs_recorded=recorded, agents=len(AGENTS))


def _just_ended(run: FlowRun, *, now: datetime, settle_seconds: float) -> bool:
    if run.state is None or not run.state.is_final():
        return False
    ended = _utc(run.end_time) or _utc(run.state.timestamp)
    return ended is not None and (now - ended).total_seconds() < settle_seconds


def _last_sign_of_life(runs: list[FlowRun]) -> datetime | None:
    """When the agent was last seen executing: the latest start or end of its runs.

    Only runs that were Running count: a skipped, late or scheduled run, or one
    crashed while Pending, shows no agent at work.
    """
    # NOTE: Prefect gives every finished run a start time, even one that never
    # ran; its run count goes up only on entering Running.
    moments = [
        moment.astimezone(UTC)
        for run in runs
        if run.run_count > 0
        for moment in (run.start_time, run.end_time)
        if moment is not None
    ]
    return max(moments) if moments else None
