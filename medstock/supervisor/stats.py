"""Run statistics per agent and overall, over a window of recent task_logs rows."""

from datetime import datetime, timedelta

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session

from medstock.agents import AGENTS, get_agent
from medstock.errors import ValidationError
from models import (
    FAILURE_STATUSES,
    TERMINAL_STATUSES,
    RunStatus,
    TaskLog,
    table_of,
    utcnow,
)

WINDOWS = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
OVERALL = "all"
_COLUMNS = [
    "agent",
    "status",
    "message",
    "at",
    "finished_at",
    "duration_ms",
    "attempts",
]


class RunStats(BaseModel):
    """What one agent (or all of them, as `all`) did within the window."""

    agent: str
    runs: int
    successes: int
    failures: int
    cancelled: int
    skipped: int
    late: int
    success_rate: float | None
    mean_duration_ms: float | None
    p95_duration_ms: int | None
    retries_used: int
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_failure_status: str | None
    last_failure_message: str | None


class StatsReport(BaseModel):
    """Run statistics from `since` to `until`, overall and per agent."""

    since: datetime
    until: datetime
    window_seconds: int
    overall: RunStats
    agents: list[RunStats]


def parse_window(text: str) -> timedelta:
    """The window named `24h`, `7d` or `30d`; ValidationError for anything else."""
    try:
        return WINDOWS[text.strip().lower()]
    except KeyError:
        known = ", ".join(WINDOWS)
        raise ValidationError(
            f"unknown stats window {text!r}; use one of {known}"
        ) from None


def p95_nearest_rank(durations: list[int]) -> int | None:
    """The 95th percentile by nearest rank: the ceil(0.95 n)-th smallest value."""
    if not durations:
        return None
    ordered = sorted(durations)
    rank = (95 * len(ordered) + 99) // 100  # ceil(0.95 n) in integers, no float error
    return ordered[rank - 1]


def _of_status(frame: pd.DataFrame, *statuses: RunStatus) -> pd.DataFrame:
    return frame[frame["status"].isin([str(s) for s in statuses])]


def _summarise(agent: str, frame: pd.DataFrame) -> RunStats:
    executed = _of_status(frame, *TERMINAL_STATUSES)
    successes = _of_status(frame, RunStatus.SUCCESS)
    failures = _of_status(frame, *FAILURE_STATUSES)
    durations = [int(ms) for ms in successes["duration_ms"].dropna()]
    decided = len(successes) + len(failures)
    last_failure = failures.sort_values("at").tail(1)
    failed = last_failure.iloc[0] if len(last_failure) else None
    return RunStats(
        agent=agent,
        runs=len(executed),
        successes=len(successes),
        failures=len(failures),
        cancelled=len(_of_status(frame, RunStatus.CANCELLED)),
        skipped=len(_of_status(frame, RunStatus.SKIPPED)),
        late=len(_of_status(frame, RunStatus.LATE)),
        success_rate=len(successes) / decided if decided else None,
        mean_duration_ms=sum(durations) / len(durations) if durations else None,
        p95_duration_ms=p95_nearest_rank(durations),
        retries_used=int((executed["attempts"] - 1).clip(lower=0).sum()),
        last_success_at=successes["finished_at"].max() if len(successes) else None,
        last_failure_at=failed["at"] if failed is not None else None,
        last_failure_status=failed["status"] if failed is not None else None,
        last_failure_message=failed["message"] if failed is not None else None,
    )


def _read_runs(
    session: Session, *, since: datetime, until: datetime, agent: str | None
) -> pd.DataFrame:
    logs = table_of(TaskLog).c
    # A run belongs to the window by when it started, or, never started (skipped,
    # late), by when it was decided or last seen.
    at = func.coalesce(logs.started_at, logs.finished_at, logs.updated_at)
    query = select(
        logs.agent,
        logs.status,
        logs.message,
        at.label("at"),
        logs.finished_at,
        logs.duration_ms,
        logs.attempts,
    ).where(at >= since, at <= until)
    if agent is not None:
        query = query.where(logs.agent == agent)
    rows = session.execute(query).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=_COLUMNS)
    frame["at"] = frame["at"].astype(object)
    frame["finished_at"] = frame["finished_at"].astype(object)
    return frame


def compute_stats(
    session: Session,
    *,
    window: timedelta,
    agent: str | None = None,
    now: datetime | None = None,
) -> StatsReport:
    """Runs, successes, failures, rates and durations of each agent in the window.

    `runs` counts the runs that executed and ended (SUCCESS, ERROR, CRASHED,
    CANCELLED); the success rate is successes over successes plus failures, so
    cancelled, skipped and late runs count for neither. Durations are those of
    successful runs; p95 is by nearest rank.
    """
    if agent is not None:
        get_agent(agent)
    until = now or utcnow()
    since = until - window
    frame = _read_runs(session, since=since, until=until, agent=agent)

    names = [agent] if agent else list(AGENTS)
    names += sorted(set(frame["agent"]) - set(names))
    return StatsReport(
        since=since,
        until=until,
        window_seconds=int(window.total_seconds()),
        overall=_summarise(OVERALL, frame),
        agents=[_summarise(name, frame[frame["agent"] == name]) for name in names],
    )
