"""The demo: one command starts the Prefect server and the agents, and stops them."""

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from api.server import check_bind
from medstock.errors import MedStockError
from medstock.settings import get_settings
from medstock.setup import init_database

logger = logging.getLogger(__name__)

SERVER_START_TIMEOUT_S = 120
STOP_GRACE_S = 15
# A child that dies is started again, at most this often in this window.
MAX_RESTARTS = 5
RESTART_WINDOW_S = 600
# The daily expiry check would not run while someone watches the demo, so the demo
# runs it every two minutes unless MEDSTOCK_EXPIRY_CRON says otherwise.
DEMO_EXPIRY_CRON = "*/2 * * * *"


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def prefect_environment(home: Path, port: int) -> dict[str, str]:
    """The environment of every demo process: a project-local Prefect, no telemetry."""
    env = dict(os.environ)
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT_SERVER_API_PORT": str(port),
            "PREFECT_UI_API_URL": f"http://127.0.0.1:{port}/api",
        }
    )
    return env


def wait_until_healthy(
    api_url: str,
    process: subprocess.Popen[bytes],
    *,
    name: str = "the Prefect server",
    log: str = ".prefect/server.log",
) -> None:
    """Wait for a server's health check, or fail naming its log."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise MedStockError(
                f"{name} exited with code {process.returncode} "
                f"while starting; see {log}"
            )
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise MedStockError(
        f"{name} did not answer at {api_url} within "
        f"{SERVER_START_TIMEOUT_S} s; see {log}"
    )


@dataclass
class Child:
    """One child process and how to start it again."""

    name: str
    args: list[str]
    env: dict[str, str]
    options: dict[str, Any]
    restartable: bool
    process: subprocess.Popen[bytes]
    restarts: list[float] = field(default_factory=list)


class Processes:
    """The child processes of the demo, each in its own process group."""

    def __init__(self) -> None:
        self.children: list[Child] = []

    def start(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        *,
        restartable: bool = False,
        **options: Any,
    ) -> subprocess.Popen[bytes]:
        """Start `args` as a new session so that stopping reaches its children."""
        process = _spawn(args, env, options)
        self.children.append(Child(name, args, env, options, restartable, process))
        logger.info("started %s (pid %d)", name, process.pid)
        return process

    def first_exited(self) -> tuple[str, int] | None:
        """The name and exit code of a child that has stopped for good, if any.

        A restartable child that exits is started again, as a supervisor would,
        unless it has already been restarted too often lately.
        """
        for child in self.children:
            code = child.process.poll()
            if code is None:
                continue
            now = time.monotonic()
            child.restarts = [t for t in child.restarts if now - t < RESTART_WINDOW_S]
            if not child.restartable or len(child.restarts) >= MAX_RESTARTS:
                return child.name, code
            child.restarts.append(now)
            _signal_group(child.process, signal.SIGKILL)
            child.process = _spawn(child.args, child.env, child.options)
            logger.error(
                "%s exited with code %d; started it again (pid %d, restart %d of %d "
                "in %d s)",
                child.name,
                code,
                child.process.pid,
                len(child.restarts),
                MAX_RESTARTS,
                RESTART_WINDOW_S,
            )
        return None

    def stop_all(self) -> None:
        """Stop the children one by one, newest first; SIGKILL what outlives grace."""
        # The agents go first so that their runs can report their end while the
        # server still answers.
        for child in reversed(self.children):
            name, process = child.name, child.process
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "%s did not stop in %d s; killing it", name, STOP_GRACE_S
                )
                _signal_group(process, signal.SIGKILL)
                process.wait()
            # A server's own workers may outlive their parent: end the group too.
            _signal_group(process, signal.SIGKILL)
            logger.info("stopped %s", name)


def start_prefect_server(
    processes: Processes, env: dict[str, str], home: Path, port: int
) -> None:
    """Start a Prefect server on 127.0.0.1:`port`, logging to `home`; wait for it."""
    with (home / "server.log").open("ab") as server_log:
        server = processes.start(
            "Prefect server",
            [sys.executable, "-m", "prefect", "server", "start"]
            + ["--host", "127.0.0.1", "--port", str(port)],
            env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
    wait_until_healthy(env["PREFECT_API_URL"], server)


class StopRequest:
    """Set by SIGINT or SIGTERM, so that the main loop can stop the children."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGINT, self._request)
        signal.signal(signal.SIGTERM, self._request)

    def _request(self, signum: int, _frame: FrameType | None) -> None:
        self.requested = True


def run_until_stopped(processes: Processes, stop: StopRequest) -> int:
    """Wait for a stop request (exit code 0) or for a child to exit (1)."""
    while not stop.requested:
        exited = processes.first_exited()
        if exited:
            logger.error("%s exited with code %d; stopping", *exited)
            return 1
        time.sleep(0.5)
    return 0


_PR_SET_PDEATHSIG = 1


def _spawn(
    args: list[str], env: dict[str, str], options: dict[str, Any]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        args,
        env=env,
        start_new_session=True,
        preexec_fn=_end_with_parent,
        **options,
    )


def _end_with_parent() -> None:
    # Runs in the child before exec: if the demo itself is killed (even by SIGKILL,
    # which it cannot catch), Linux sends the child SIGTERM instead of leaving it
    # running on its own.
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def run_demo(project_dir: Path | None = None) -> int:
    """Start everything, wait for Ctrl-C or SIGTERM, stop everything; exit code."""
    settings = get_settings()
    root = (project_dir or Path.cwd()).resolve()
    home = root / ".prefect"
    home.mkdir(exist_ok=True)
    port = settings.prefect_port
    if not port_is_free("127.0.0.1", port):
        raise MedStockError(
            f"port {port} on 127.0.0.1 is in use; stop what listens there or set "
            "MEDSTOCK_PREFECT_PORT to a free port"
        )
    api_port = settings.api_port
    if not port_is_free(settings.api_host, api_port):
        raise MedStockError(
            f"port {api_port} on {settings.api_host} is in use; stop what listens "
            "there or set MEDSTOCK_API_PORT to a free port"
        )

    check_bind(settings)

    init_database(sample=True)
    env = prefect_environment(home, port)
    expiry_cron = settings.expiry_cron
    if "expiry_cron" not in settings.model_fields_set:
        expiry_cron = env["MEDSTOCK_EXPIRY_CRON"] = DEMO_EXPIRY_CRON
    processes = Processes()
    stop = StopRequest()
    try:
        start_prefect_server(processes, env, home, port)
        processes.start(
            "agents",
            [sys.executable, "-m", "deployments.serve"],
            env,
            cwd=root,
            restartable=True,
        )
        processes.start(
            "supervisor",
            [sys.executable, "-m", "medstock.cli", "supervise"],
            env,
            cwd=root,
            restartable=True,
        )
        api = processes.start(
            "API", [sys.executable, "-m", "api"], env, cwd=root, restartable=True
        )
        dashboard = f"http://{settings.api_host}:{api_port}"
        wait_until_healthy(
            f"{dashboard}/api", api, name="the API", log="the output above"
        )
        logger.info("Prefect UI: http://127.0.0.1:%d", port)
        logger.info("dashboard: %s/ (OpenAPI at %s/docs)", dashboard, dashboard)
        logger.info(
            "agents served: stock-check (%s), inventory-report (%s), expiry-check (%s)",
            settings.stock_check_cron,
            settings.report_cron,
            expiry_cron,
        )
        logger.info("press Ctrl-C to stop")
        return run_until_stopped(processes, stop)
    finally:
        processes.stop_all()
