"""Child processes of the benchmark: jobs, a Prefect server, runners and workers."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_job(
    job: str, database_url: str, reps: int, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run one bench.jobs job in a fresh interpreter and return its JSON result."""
    child_env = {**os.environ, **(env or {}), "MEDSTOCK_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "bench.jobs", job, json.dumps({"reps": reps})],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"bench job {job!r} exited with {done.returncode}: {done.stderr[-2000:]}"
        )
    return dict(json.loads(lines[-1]))


def prefect_env(home: Path, port: int) -> dict[str, str]:
    """Client and server settings for a private Prefect server on `port`."""
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
    }


def start_group(
    args: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """Start `args` in its own process group with output to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_group(process: subprocess.Popen[bytes], grace: float = 20) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left of it."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@contextmanager
def prefect_server(folder: Path) -> Iterator[dict[str, str]]:
    """A Prefect server on a free port with its own home; the clients' env."""
    home = folder / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    env = prefect_env(home, free_port())
    started = time.perf_counter()
    server = start_group(
        [sys.executable, "-m", "prefect", "server", "start"],
        env,
        folder / "prefect-server.log",
    )
    try:
        _wait_healthy(env["PREFECT_API_URL"], server)
        logger.info(
            "Prefect server healthy at %s after %.1f s",
            env["PREFECT_API_URL"],
            time.perf_counter() - started,
        )
        yield env
    finally:
        stop_group(server)


def _wait_healthy(api_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with {server.returncode}")
        with suppress(httpx.HTTPError):
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"the Prefect server at {api_url} did not start in 120 s")
