"""`medstock agents` shows the app's record even when the Prefect API is down."""

import socket
import time

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings
from typer.testing import CliRunner, Result

from medstock.cli import app
from medstock.errors import PrefectUnavailableError
from medstock.supervisor.mirror import record_schedule
from tests.processes import free_port

runner = CliRunner()


def test_with_prefect_down_the_table_is_printed_with_one_warning(session):
    record_schedule(
        session,
        "inventory-report",
        is_active=False,
        cron="*/2 * * * *",
        deployment_id="0b6a1c1e-0000-4000-8000-000000000001",
    )
    session.commit()
    nobody = f"http://127.0.0.1:{free_port()}/api"

    with temporary_settings({PREFECT_API_URL: nobody}):
        result = runner.invoke(app, ["agents"])

    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        [
            "AGENT             ACTIVE  CRON         HEALTH   LAST RUN  SUCCESS 24H",
            "stock-check       yes     */1 * * * *  HEALTHY  -         -",
            "inventory-report  no      */2 * * * *  PAUSED   -         -",
            "expiry-check      yes     0 7 * * *    HEALTHY  -         -",
        ],
    )
    assert result.stderr == (
        f"warning: the Prefect API at {nobody!r} did not answer; ACTIVE and HEALTH "
        "are as last recorded (start it with `make demo` or set PREFECT_API_URL)\n"
    )


@pytest.fixture
def silent_api():
    """The URL of a Prefect API that accepts connections and never answers."""
    with socket.socket() as silent:
        # Connections are accepted by the kernel but nobody ever reads them.
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        yield f"http://127.0.0.1:{silent.getsockname()[1]}/api"


def _invoke_timed(url: str, args: list[str]) -> tuple[Result, float]:
    started = time.monotonic()
    with temporary_settings({PREFECT_API_URL: url}):
        result = runner.invoke(app, args)
    return result, time.monotonic() - started


def test_a_prefect_api_that_never_answers_is_given_up_on_after_two_seconds(
    database_url, silent_api
):
    result, elapsed = _invoke_timed(silent_api, ["agents"])

    assert (result.exit_code, result.stderr) == (
        0,
        f"warning: the Prefect API at {silent_api!r} did not answer; ACTIVE and "
        "HEALTH are as last recorded (start it with `make demo` or set "
        "PREFECT_API_URL)\n",
    )
    # Prefect's client alone would wait 60 s a try, with retries.
    assert 2 <= elapsed < 10


@pytest.mark.parametrize("command", ["pause", "resume", "run"])
def test_control_gives_up_on_a_silent_prefect_api_with_one_clear_error(
    database_url, silent_api, command
):
    result, elapsed = _invoke_timed(silent_api, ["agents", command, "stock-check"])

    assert isinstance(result.exception, PrefectUnavailableError)
    assert str(result.exception) == (
        f"the Prefect API at {silent_api!r} did not answer within 2 s; start it "
        "(`make demo` does) or set PREFECT_API_URL"
    )
    assert 2 <= elapsed < 10
