"""The state hooks mirror what an agent's own process sees of its runs."""

import uuid
from datetime import UTC, datetime

from prefect.client.schemas.objects import FlowRun
from prefect.states import Cancelled
from sqlmodel import select

from flows.stock_check import stock_check
from medstock.supervisor.hooks import mirror_state
from medstock.supervisor.mirror import refresh_agent_status
from models import AgentStatus, TaskLog


def test_a_skipped_run_is_recorded_but_does_not_move_the_heartbeat(session):
    seen = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    refresh_agent_status(session, "stock-check", cron="*/5 * * * *", heartbeat=seen)
    session.commit()
    flow_run = FlowRun(id=uuid.uuid4(), flow_id=uuid.uuid4(), name="skipped-run")

    mirror_state(
        stock_check,
        flow_run,
        Cancelled(message="Deployment concurrency limit reached."),
    )

    session.expire_all()
    log = session.exec(select(TaskLog)).one()
    assert (log.flow_run_id, log.status, log.started_at) == (
        str(flow_run.id),
        "SKIPPED",
        None,
    )
    assert session.get(AgentStatus, "stock-check").last_heartbeat == seen
