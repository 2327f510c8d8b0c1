"""Alerts: one per run that ended ERROR or CRASHED, and their notifications."""

import logging
from datetime import datetime, timedelta
from typing import Protocol

import httpx
from pydantic import BaseModel
from sqlalchemy import select as core_select
from sqlalchemy import text
from sqlmodel import Session, select

from medstock.db import session_scope
from medstock.upsert import insert_for
from models import FAILURE_STATUSES, RunAlert, TaskLog, moment, table_of, utcnow

logger = logging.getLogger(__name__)

# A notification that failed this many times is given up, its error kept.
MAX_NOTIFY_ATTEMPTS = 3
# Alerts older than this are not sent when a webhook is first configured.
NOTIFY_WITHIN = timedelta(days=1)
WEBHOOK_TIMEOUT_S = 10.0


class AlertPayload(BaseModel):
    """What a notifier receives; `flow_run_id` lets a receiver drop repeats."""

    alert_id: int
    agent: str
    flow_run_id: str
    status: str
    message: str
    created_at: datetime


class Notifier(Protocol):
    """Anything that can deliver one alert, raising when it could not."""

    def send(self, alert: AlertPayload) -> None: ...


class WebhookNotifier:
    """POSTs each alert as JSON to a URL; any status but 2xx is a failure."""

    def __init__(self, url: str, *, timeout: float = WEBHOOK_TIMEOUT_S) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, alert: AlertPayload) -> None:
        """POST the alert; raise httpx.HTTPError when it was not accepted."""
        response = httpx.post(
            self.url, json=alert.model_dump(mode="json"), timeout=self.timeout
        )
        response.raise_for_status()


def describe_error(error: BaseException) -> str:
    """The error's first line, or its type when it has no message."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def raise_alerts(session: Session) -> int:
    """Add an alert for every failed run that has none yet; how many were added."""
    logs = table_of(TaskLog).c
    source = core_select(
        logs.flow_run_id, logs.agent, logs.status, logs.message, logs.updated_at
    ).where(logs.status.in_([str(s) for s in FAILURE_STATUSES]))
    table = table_of(RunAlert)
    insert = (
        insert_for(session, table)
        .from_select(
            ["flow_run_id", "agent", "status", "message", "created_at"], source
        )
        .on_conflict_do_nothing(index_elements=["flow_run_id"])
        .returning(table.c.id)
    )
    # RETURNING, because PostgreSQL's driver gives no rowcount for INSERT ... SELECT.
    return len(session.execute(insert).all())


def _claim(session: Session, alert_id: int, now: datetime) -> bool:
    """Mark the alert as being sent; False when someone else already has."""
    result = session.execute(
        text(
            "UPDATE run_alerts SET notified_at = :now, "
            "notify_attempts = notify_attempts + 1 "
            "WHERE id = :id AND notified_at IS NULL"
        ).bindparams(moment("now")),
        {"now": now, "id": alert_id},
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def _release(session: Session, alert_id: int, error: str) -> None:
    session.execute(
        text(
            "UPDATE run_alerts SET notified_at = NULL, notify_error = :error "
            "WHERE id = :id"
        ),
        {"error": error, "id": alert_id},
    )


def _due(session: Session, now: datetime) -> list[AlertPayload]:
    alerts = session.exec(
        select(RunAlert)
        .where(
            RunAlert.notified_at.is_(None),  # type: ignore[union-attr]
            RunAlert.notify_attempts < MAX_NOTIFY_ATTEMPTS,
            RunAlert.created_at >= now - NOTIFY_WITHIN,
        )
        .order_by(RunAlert.id)  # type: ignore[arg-type]
    ).all()
    return [
        AlertPayload(
            alert_id=a.id or 0,
            agent=a.agent,
            flow_run_id=a.flow_run_id,
            status=a.status,
            message=a.message,
            created_at=a.created_at,
        )
        for a in alerts
    ]


def deliver_alerts(notifier: Notifier, *, now: datetime | None = None) -> int:
    """Send each unsent alert once; how many were delivered.

    Each alert is claimed in its own committed transaction before it is sent, so
    two supervisors never send the same one; a failed send releases the claim for
    a later pass, up to MAX_NOTIFY_ATTEMPTS.
    """
    now = now or utcnow()
    with session_scope() as session:
        due = _due(session, now)
    delivered = 0
    for alert in due:
        with session_scope() as session:
            if not _claim(session, alert.alert_id, now):
                continue
        try:
            notifier.send(alert)
        except Exception as exc:
            logger.warning(
                "could not notify alert %d for run %s: %s",
                alert.alert_id,
                alert.flow_run_id,
                exc,
            )
            with session_scope() as session:
                _release(session, alert.alert_id, describe_error(exc))
            continue
        delivered += 1
        logger.info(
            "notified alert %d: %s run %s %s",
            alert.alert_id,
            alert.agent,
            alert.flow_run_id,
            alert.status,
        )
    return delivered


def notifier_for(url: str | None) -> Notifier | None:
    """The webhook notifier for the configured URL, or None when unset."""
    return WebhookNotifier(url) if url else None
