"""Scheduled slot to run start, under the demo's serve and under a process worker.

Run as `python -m bench.slots serve|worker SAMPLES FOLDER` with the Prefect and
MedStock settings in the environment; writes one JSON object to stdout with the
signed delay (start - slot) of every run after the first.
"""

import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from prefect import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.sorting import FlowRunSort

from bench.processes import ROOT, start_group, stop_group

INTERVAL_S = 10
POOL = "bench-process"


def serve_every_interval() -> None:
    """Serve the stock check on a short interval with the demo's runner options."""
    from prefect import serve

    from deployments.serve import RUNNER_OPTIONS
    from flows.stock_check import stock_check

    deployment = stock_check.to_deployment(
        name="bench-serve", interval=timedelta(seconds=INTERVAL_S)
    )
    serve(deployment, print_starting_message=False, **RUNNER_OPTIONS)


def _deploy_for_worker(folder: Path) -> None:
    project = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    stock_check = next(d for d in project["deployments"] if d["name"] == "stock-check")
    stock_check.update(
        name="bench-worker",
        work_pool={"name": POOL, "work_queue_name": "default"},
        schedules=[{"interval": INTERVAL_S, "slug": "bench-worker-interval"}],
    )
    project["deployments"] = [stock_check]
    project.pop("definitions", None)
    spec = folder / "prefect-bench.yaml"
    spec.write_text(yaml.safe_dump(project))
    env = {"MEDSTOCK_PROJECT_DIR": str(ROOT)}
    for args in (
        ["work-pool", "create", POOL, "--type", "process", "--overwrite"],
        ["--no-prompt", "deploy", "--all", "--prefect-file", str(spec)],
    ):
        process = start_group(
            [sys.executable, "-m", "prefect", *args], env, folder / "deploy.log"
        )
        if process.wait(timeout=120) != 0:
            raise RuntimeError(f"prefect {' '.join(args)} failed; see deploy.log")


def _finished_runs(deployment: str) -> list[Any]:
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(
                name=DeploymentFilterName(any_=[deployment])
            ),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.COMPLETED])
                )
            ),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
        )


def measure(mode: str, samples: int, folder: Path) -> dict[str, Any]:
    """Let `samples + 1` runs complete, then read their slots and start times."""
    env: dict[str, str] = {}
    if mode == "serve":
        deployment = "bench-serve"
        args = [sys.executable, "-m", "bench.slots", "run-serve"]
    else:
        deployment = "bench-worker"
        _deploy_for_worker(folder)
        args = [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL]
        # The pull step reads the project folder on the worker, at run time.
        env["MEDSTOCK_PROJECT_DIR"] = str(ROOT)
    process = start_group(args, env, folder / f"{mode}.log")
    deadline = time.monotonic() + 60 + (samples + 2) * INTERVAL_S * 2
    try:
        while time.monotonic() < deadline:
            runs = _finished_runs(deployment)
            if len(runs) > samples:
                break
            if process.poll() is not None:
                raise RuntimeError(f"{mode} exited; see {folder / f'{mode}.log'}")
            time.sleep(2)
        else:
            raise RuntimeError(f"fewer than {samples + 1} {mode} runs completed")
    finally:
        stop_group(process)
    delays = [
        (run.start_time - run.expected_start_time).total_seconds()
        for run in runs[1 : samples + 1]  # the first run pays for start-up
    ]
    return {"delays": delays}


def main() -> int:
    """Serve for the bench, or measure one mode and write its JSON result."""
    if sys.argv[1] == "run-serve":
        serve_every_interval()
        return 0
    result = measure(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
