from datetime import timedelta

from sqlmodel import select

from medstock.settings import load_settings
from medstock.supervisor.alerts import (
    WebhookNotifier,
    deliver_alerts,
    notifier_for,
    raise_alerts,
)
from models import RunAlert, RunStatus, utcnow
from tests.runs import add_run
from tests.webhook import webhook_receiver


def _arrange_runs(session):
    now = utcnow()
    runs = [
        ("r1", RunStatus.SUCCESS, ""),
        ("r2", RunStatus.ERROR, "OperationalError: database is locked"),
        ("r3", RunStatus.CRASHED, "no heartbeat for 90 s: the run's process is gone"),
        ("r4", RunStatus.SKIPPED, "Deployment concurrency limit reached."),
    ]
    for minute, (run_id, status, message) in enumerate(runs):
        add_run(
            session,
            run_id,
            status,
            started=now - timedelta(minutes=10 - minute),
            message=message,
        )
    session.commit()


def test_each_failed_run_raises_one_alert_however_often_it_is_seen(session):
    _arrange_runs(session)

    first = raise_alerts(session)
    second = raise_alerts(session)
    session.commit()

    alerts = session.exec(select(RunAlert).order_by(RunAlert.id)).all()
    assert (first, second) == (2, 0)
    assert [(a.flow_run_id, a.status, a.message) for a in alerts] == [
        ("r2", "ERROR", "OperationalError: database is locked"),
        ("r3", "CRASHED", "no heartbeat for 90 s: the run's process is gone"),
    ]


def test_the_webhook_is_called_once_per_alert_never_twice(session):
    _arrange_runs(session)
    raise_alerts(session)
    session.commit()

    with webhook_receiver() as receiver:
        notifier = WebhookNotifier(receiver.url)
        delivered = [deliver_alerts(notifier), deliver_alerts(notifier)]

    assert delivered == [2, 0]
    assert [(b["flow_run_id"], b["agent"], b["status"]) for b in receiver.bodies] == [
        ("r2", "stock-check", "ERROR"),
        ("r3", "stock-check", "CRASHED"),
    ]
    assert receiver.bodies[0]["message"] == "OperationalError: database is locked"
    session.expire_all()
    assert all(a.notified_at for a in session.exec(select(RunAlert)).all())


def test_a_refused_notification_is_retried_on_a_later_pass(session):
    _arrange_runs(session)
    raise_alerts(session)
    session.commit()

    with webhook_receiver() as receiver:
        receiver.status = 500
        refused = deliver_alerts(WebhookNotifier(receiver.url))
        session.rollback()
        errors = [a.notify_error for a in session.exec(select(RunAlert)).all()]
        receiver.status = 204
        accepted = deliver_alerts(WebhookNotifier(receiver.url))

    assert (refused, accepted, len(receiver.bodies)) == (0, 2, 4)
    assert errors[0] == (
        f"Server error '500 Internal Server Error' for url '{receiver.url}'"
    )
    session.rollback()  # a new snapshot: SQLite's reads see their transaction's
    attempts = [a.notify_attempts for a in session.exec(select(RunAlert)).all()]
    assert attempts == [2, 2]


def test_no_webhook_is_configured_by_default(monkeypatch):
    monkeypatch.delenv("MEDSTOCK_ALERT_WEBHOOK_URL", raising=False)

    assert notifier_for(load_settings().alert_webhook_url) is None
