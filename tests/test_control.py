"""Pause, resume and run-now through the CLI act on Prefect and the mirror."""

from datetime import timedelta

import pytest
from prefect import get_client
from sqlmodel import select
from typer.testing import CliRunner

from medstock.cli import app
from medstock.errors import UnknownAgentError
from models import AgentStatus, TaskLog, utcnow
from tests.test_reconciler import deployed  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration

runner = CliRunner()


def test_pause_and_resume_switch_the_deployment_and_the_mirror(
    session,
    deployed,  # noqa: F811
):
    paused = runner.invoke(app, ["agents", "pause", "stock-check"])
    with get_client(sync_client=True) as client:
        after_pause = client.read_deployment(deployed["stock-check"]).paused
    session.rollback()
    active_after_pause = session.get(AgentStatus, "stock-check").is_active
    table = runner.invoke(app, ["agents"])
    resumed = runner.invoke(app, ["agents", "resume", "stock-check"])
    with get_client(sync_client=True) as client:
        after_resume = client.read_deployment(deployed["stock-check"]).paused

    assert (paused.exit_code, paused.output) == (
        0,
        "paused stock-check (health PAUSED)\n",
    )
    assert (after_pause, active_after_pause) == (True, False)
    assert table.output.splitlines() == [
        "AGENT             ACTIVE  CRON       HEALTH   LAST RUN  SUCCESS 24H",
        "stock-check       no      0 0 1 1 *  PAUSED   -         -",
        "inventory-report  yes     0 0 1 1 *  HEALTHY  -         -",
        "expiry-check      yes     0 7 * * *  HEALTHY  -         -",
    ]
    assert resumed.output.startswith("resumed stock-check (health ")
    session.rollback()
    assert (after_resume, session.get(AgentStatus, "stock-check").is_active) == (
        False,
        True,
    )


def test_an_agent_resumed_after_a_long_silence_is_healthy(
    session,
    deployed,  # noqa: F811
):
    runner.invoke(app, ["agents", "pause", "stock-check"])
    session.rollback()
    status = session.get(AgentStatus, "stock-check")
    # Silent for three years: more than two intervals of its yearly cron.
    status.created_at = status.last_heartbeat = utcnow() - timedelta(days=3 * 366)
    session.add(status)
    session.commit()

    resumed = runner.invoke(app, ["agents", "resume", "stock-check"])

    assert (resumed.exit_code, resumed.output) == (
        0,
        "resumed stock-check (health HEALTHY)\n",
    )


def test_run_now_creates_a_flow_run_recorded_as_manual(session, deployed):  # noqa: F811
    result = runner.invoke(app, ["agents", "run", "inventory-report"])

    run_id = result.output.split()[3]
    assert result.output == f"requested flow run {run_id} of inventory-report\n"
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(run_id)
    assert flow_run.deployment_id == deployed["inventory-report"]
    session.rollback()
    log = session.exec(select(TaskLog).where(TaskLog.flow_run_id == run_id)).one()
    assert (log.agent, log.status, log.trigger, log.message) == (
        "inventory-report",
        "SCHEDULED",
        "manual",
        "run requested",
    )


@pytest.mark.parametrize("command", ["pause", "resume", "run"])
def test_an_unknown_agent_is_refused_naming_the_known_ones(command, database_url):
    result = runner.invoke(app, ["agents", command, "stock-chek"])

    assert isinstance(result.exception, UnknownAgentError)
    assert str(result.exception) == (
        "unknown agent 'stock-chek'; the agents are: expiry-check, inventory-report, "
        "stock-check"
    )
