from datetime import timedelta

import pytest
from prefect.states import (
    Cancelled,
    Completed,
    Crashed,
    Failed,
    Late,
    Pending,
    Running,
    Scheduled,
)

from medstock.supervisor.states import run_status, state_message
from models import RunStatus, utcnow


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (Scheduled(), RunStatus.SCHEDULED),
        (Late(scheduled_time=utcnow() - timedelta(minutes=1)), RunStatus.LATE),
        (Pending(), None),
        (Running(), RunStatus.RUNNING),
        (Completed(), RunStatus.SUCCESS),
        (Failed(), RunStatus.ERROR),
        (Crashed(), RunStatus.CRASHED),
        (Cancelled(message="Deployment concurrency limit reached."), RunStatus.SKIPPED),
        (Cancelled(message="cancelled from the UI"), RunStatus.CANCELLED),
        (
            Completed(
                name="Skipped", message="agent paused: the scheduled run did nothing"
            ),
            RunStatus.SKIPPED,
        ),
    ],
)
def test_each_prefect_state_has_its_status(state, status):
    assert run_status(state) is status


def test_a_failed_state_message_keeps_only_the_error():
    state = Failed(
        message="Flow run encountered an exception: OperationalError: "
        "(sqlite3.OperationalError) unable to open database file\n"
        "(Background on this error at: https://sqlalche.me/e/20/e3q8)"
    )

    assert state_message(state) == (
        "OperationalError: (sqlite3.OperationalError) unable to open database file"
    )
