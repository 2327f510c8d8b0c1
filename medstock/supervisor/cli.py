"""The supervisor's commands: agents, stats, logs and the supervise loop."""

import signal
import threading
from datetime import datetime
from types import FrameType
from typing import Annotated

import typer

from medstock.db import session_scope
from medstock.settings import get_settings
from medstock.supervisor.health import AgentOverview

agents_app = typer.Typer(help="The agents: health, pause, resume, run now.")


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Left-aligned columns separated by two spaces, headers first."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))
        for r in [headers, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _percent(rate: float | None) -> str:
    return f"{rate * 100:.1f}%" if rate is not None else "-"


def _ms(value: float | None) -> str:
    return f"{value / 1000:.2f} s" if value is not None else "-"


def _overview_rows(overview: list[AgentOverview]) -> list[list[str]]:
    return [
        [
            a.agent,
            "yes" if a.is_active else "no",
            a.cron,
            a.health,
            f"{a.last_status} {_when(a.last_heartbeat)}" if a.last_status else "-",
            _percent(a.success_rate_24h),
        ]
        for a in overview
    ]


def _stale_warning() -> str:
    from prefect.settings import PREFECT_API_URL

    return (
        f"warning: the Prefect API at {PREFECT_API_URL.value()!r} did not answer; "
        "ACTIVE and HEALTH are as last recorded (start it with `make demo` or set "
        "PREFECT_API_URL)"
    )


@agents_app.callback(invoke_without_command=True)
def agents(ctx: typer.Context) -> None:
    """Show every agent: active, cron, health, last run, 24 h success rate."""
    from medstock.settings import get_settings
    from medstock.supervisor.prefect_api import demo_server_unless_configured

    ctx.with_resource(demo_server_unless_configured(get_settings().prefect_port))
    if ctx.invoked_subcommand is not None:
        return
    from medstock.supervisor.health import agents_overview
    from medstock.supervisor.prefect_api import api_answers

    with session_scope() as session:
        overview = agents_overview(session)
    headers = ["AGENT", "ACTIVE", "CRON", "HEALTH", "LAST RUN", "SUCCESS 24H"]
    typer.echo(format_table(headers, _overview_rows(overview)))
    # The table is the app's own record and still worth showing, but what it says
    # of schedules is only as fresh as the last time Prefect was reachable.
    if not api_answers():
        typer.echo(_stale_warning(), err=True)


@agents_app.command("pause")
def pause(name: str) -> None:
    """Pause the agent's schedule in Prefect."""
    from medstock.supervisor.control import pause_agent

    agent = pause_agent(name)
    typer.echo(f"paused {agent.agent} (health {agent.health})")


@agents_app.command("resume")
def resume(name: str) -> None:
    """Resume the agent's schedule in Prefect."""
    from medstock.supervisor.control import resume_agent

    agent = resume_agent(name)
    typer.echo(f"resumed {agent.agent} (health {agent.health})")


@agents_app.command("run")
def run(name: str) -> None:
    """Start a run of the agent now; prints the flow run id."""
    from medstock.supervisor.control import run_agent_now

    typer.echo(f"requested flow run {run_agent_now(name)} of {name}")


def stats(
    window: Annotated[str, typer.Option(help="24h, 7d or 30d")] = "24h",
    agent: Annotated[str | None, typer.Option(help="one agent only")] = None,
) -> None:
    """Runs, success rate and durations per agent and overall."""
    from medstock.supervisor.stats import compute_stats, parse_window

    span = parse_window(window)
    with session_scope() as session:
        report = compute_stats(session, window=span, agent=agent)
    headers = [
        "AGENT", "RUNS", "OK", "FAILED", "SKIPPED", "LATE", "SUCCESS",
        "MEAN", "P95", "RETRIES", "LAST SUCCESS", "LAST FAILURE",
    ]  # fmt: skip
    rows = [
        [
            s.agent,
            str(s.runs),
            str(s.successes),
            str(s.failures),
            str(s.skipped),
            str(s.late),
            _percent(s.success_rate),
            _ms(s.mean_duration_ms),
            _ms(s.p95_duration_ms),
            str(s.retries_used),
            _when(s.last_success_at),
            _when(s.last_failure_at),
        ]
        for s in [*report.agents, report.overall]
    ]
    typer.echo(f"window {window}: {_when(report.since)} to {_when(report.until)} UTC")
    typer.echo(format_table(headers, rows))
    failures = [s for s in report.agents if s.last_failure_message]
    for s in failures:
        typer.echo(
            f"last failure of {s.agent}: {s.last_failure_status} "
            f"{s.last_failure_message}"
        )


def logs(
    agent: Annotated[str | None, typer.Option(help="one agent only")] = None,
    status: Annotated[str | None, typer.Option(help="such as ERROR")] = None,
    limit: Annotated[int, typer.Option(help="rows, newest first")] = 20,
) -> None:
    """The latest runs from task_logs."""
    from medstock.supervisor.logs import list_task_logs

    with session_scope() as session:
        rows = list_task_logs(session, agent=agent, status=status, limit=limit)
    headers = [
        "STARTED",
        "AGENT",
        "STATUS",
        "TRIGGER",
        "ATTEMPTS",
        "DURATION",
        "MESSAGE",
    ]
    table = [
        [
            _when(r.started_at),
            r.agent,
            r.status,
            r.trigger,
            str(r.attempts),
            _ms(r.duration_ms),
            r.message,
        ]
        for r in rows
    ]
    typer.echo(format_table(headers, table))


def supervise(
    once: Annotated[bool, typer.Option("--once", help="one pass, then exit")] = False,
) -> None:
    """Keep task_logs and agent_status in line with Prefect; Ctrl-C stops."""
    from medstock.supervisor.service import prepare, run_supervisor, supervise_once

    settings = get_settings()
    if once:
        prepare(settings)
        summary = supervise_once(settings)
        typer.echo(f"reconciled {summary.runs_recorded} runs")
        return

    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    run_supervisor(settings, stop=stop)
