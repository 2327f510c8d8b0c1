"""The supervisor process: the heartbeat automation, then a reconcile loop."""

import logging
import threading

from medstock.db import session_scope
from medstock.settings import Settings
from medstock.supervisor.alerts import deliver_alerts, notifier_for, raise_alerts
from medstock.supervisor.automation import ensure_stuck_run_automation
from medstock.supervisor.prefect_api import prefect_client
from medstock.supervisor.reconciler import ReconcileSummary, reconcile

logger = logging.getLogger(__name__)


def supervise_once(settings: Settings) -> ReconcileSummary:
    """One pass: reconcile with Prefect, raise alerts, send the unsent ones."""
    with prefect_client() as client, session_scope() as session:
        summary = reconcile(session, client, settings=settings)
    with session_scope() as session:
        raised = raise_alerts(session)
    if raised:
        logger.info("raised %d alerts", raised)
    notifier = notifier_for(settings.alert_webhook_url)
    if notifier is not None:
        deliver_alerts(notifier)
    return summary


def prepare(settings: Settings) -> None:
    """Create or update the Prefect automation that crashes silent runs."""
    with prefect_client() as client:
        ensure_stuck_run_automation(
            client, window_seconds=settings.heartbeat_window_seconds
        )


def run_supervisor(settings: Settings, *, stop: threading.Event) -> None:
    """Prepare, then reconcile every interval until `stop` is set.

    A pass that fails (Prefect or the database away) is logged and retried at the
    next interval; the loop itself only ends on `stop`.
    """
    interval = settings.reconcile_interval_seconds
    prepared = False
    logger.info("supervisor started: reconciling every %d s", interval)
    while not stop.is_set():
        try:
            if not prepared:
                prepare(settings)
                prepared = True
            supervise_once(settings)
        except Exception as exc:
            logger.warning(
                "supervisor pass failed, retrying in %d s: %s", interval, exc
            )
        stop.wait(interval)
    logger.info("supervisor stopped")
