from datetime import UTC, datetime, timedelta

import pytest

from medstock.errors import ValidationError
from medstock.supervisor.logs import list_task_logs
from models import RunStatus
from tests.runs import add_run

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def runs(session):
    for minute, (run_id, status, agent) in enumerate(
        [
            ("r1", RunStatus.SUCCESS, "stock-check"),
            ("r2", RunStatus.ERROR, "stock-check"),
            ("r3", RunStatus.SUCCESS, "inventory-report"),
            ("r4", RunStatus.ERROR, "stock-check"),
        ]
    ):
        add_run(
            session, run_id, status, started=T0 + timedelta(minutes=minute), agent=agent
        )
    session.commit()


def test_logs_are_newest_first_and_filtered(session, runs):
    every = list_task_logs(session)
    errors = list_task_logs(session, agent="stock-check", status="error")
    page = list_task_logs(session, limit=2, offset=1)

    assert [r.flow_run_id for r in every] == ["r4", "r3", "r2", "r1"]
    assert [r.flow_run_id for r in errors] == ["r4", "r2"]
    assert [r.flow_run_id for r in page] == ["r3", "r2"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"status": "BROKEN"},
            "unknown run status 'BROKEN'; use one of SCHEDULED, LATE, RUNNING, "
            "SUCCESS, ERROR, CRASHED, CANCELLED, SKIPPED",
        ),
        ({"limit": 0}, "limit 0 is out of range; use 1 to 1000"),
        ({"offset": -1}, "offset -1 is negative; use 0 or more"),
    ],
)
def test_bad_filters_are_refused_with_the_fix(session, arguments, message):
    with pytest.raises(ValidationError) as caught:
        list_task_logs(session, **arguments)

    assert str(caught.value) == message
