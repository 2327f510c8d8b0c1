"""Orchestration overhead and slot-to-start delays against a real Prefect server."""

import json
import logging
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.databases import throwaway_database
from bench.processes import ROOT, prefect_server, run_job
from bench.table import Row, seconds

logger = logging.getLogger(__name__)

OVERHEAD_LIMIT_S = 0.5
SLOT_LIMIT_S = 2.0
AGENTS = ("stock-check", "inventory-report")


def overhead_rows(env: dict[str, str], reps: int, folder: Path) -> list[Row]:
    """One flow run of each agent against calling its logic directly."""
    with throwaway_database("sqlite", folder) as url:
        result = run_job("orchestration", url, reps, env)
    calls = result["seconds"]
    rows = []
    for index, agent in enumerate(AGENTS):
        flow_runs = calls[index * 2 :: 4]
        direct = calls[index * 2 + 1 :: 4]
        run, logic = statistics.median(flow_runs), statistics.median(direct)
        overhead = run - logic
        logger.info(
            "%s: flow run %.3f s, direct %.3f s, overhead %.3f s",
            agent,
            run,
            logic,
            overhead,
        )
        rows.append(
            Row(
                f"{agent} run overhead",
                "sqlite",
                "sample catalogue",
                f"{seconds(run)} (+{seconds(overhead)})",
                seconds(logic),
                target=f"+ <= {OVERHEAD_LIMIT_S} s",
                met=overhead <= OVERHEAD_LIMIT_S,
            )
        )
    return rows


def slot_rows(env: dict[str, str], samples: int, folder: Path) -> list[Row]:
    """Delay from scheduled slot to Running, under serve and under a worker."""
    rows = []
    with throwaway_database("sqlite", folder) as url:
        child_env = {**os.environ, **env, "MEDSTOCK_DATABASE_URL": url}
        for mode in ("serve", "worker"):
            done = subprocess.run(
                [sys.executable, "-m", "bench.slots", mode, str(samples), str(folder)],
                cwd=ROOT,
                env=child_env,
                capture_output=True,
                text=True,
                check=False,
            )
            lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
            if done.returncode != 0 or not lines:
                raise RuntimeError(f"slots {mode} failed: {done.stderr[-2000:]}")
            delays = json.loads(lines[-1])["delays"]
            off = sorted(abs(delay) for delay in delays)
            p50 = statistics.median(off)
            p95 = off[round(0.95 * (len(off) - 1))]
            logger.info("slot to start under %s: %s", mode, delays)
            label = "demo serve" if mode == "serve" else "process worker, defaults"
            rows.append(
                Row(
                    f"slot to start, {label}",
                    "sqlite",
                    f"{len(delays)} runs",
                    f"p50 {p50:.2f} s, p95 {p95:.2f} s",
                    f"{min(delays):+.2f} .. {max(delays):+.2f} s",
                    target=f"p95 <= {SLOT_LIMIT_S:.0f} s" if mode == "serve" else "-",
                    met=p95 <= SLOT_LIMIT_S if mode == "serve" else None,
                )
            )
    return rows


def prefect_rows(reps: int, samples: int, folder: Path) -> list[Row]:
    """Every measurement that needs the Prefect server, on one private server."""
    with prefect_server(folder) as env:
        return overhead_rows(env, reps, folder) + slot_rows(env, samples, folder)
