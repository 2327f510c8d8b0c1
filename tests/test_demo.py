"""`medstock demo` end to end: agents run on cron, and Ctrl-C stops everything."""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.processes import (
    free_port,
    group_is_gone,
    pids_working_in,
    stop_group,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MEDSTOCK = Path(sys.executable).with_name("medstock")


def _successes(db: Path) -> set[str]:
    if not db.exists():
        return set()
    with sqlite3.connect(db) as conn:
        try:
            rows = conn.execute(
                "SELECT DISTINCT agent FROM task_logs WHERE status = 'SUCCESS'"
            ).fetchall()
        except sqlite3.OperationalError:
            return set()
    return {agent for (agent,) in rows}


def _demo_env(port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PREFECT_", "MEDSTOCK_"))
    }
    env["MEDSTOCK_PREFECT_PORT"] = str(port)
    env["MEDSTOCK_API_PORT"] = str(free_port())
    return env


def _start_demo(folder: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    demo = subprocess.Popen(
        [str(MEDSTOCK), "demo"],
        cwd=folder,
        env=_demo_env(free_port()),
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(
            lambda: b"press Ctrl-C to stop" in (folder / "demo.log").read_bytes(),
            timeout=120,
            what="the demo to start",
        )
    except BaseException:
        stop_group(demo)
        raise
    return demo


def test_a_killed_demo_takes_its_server_and_agents_with_it(tmp_path):
    log = (tmp_path / "demo.log").open("wb")
    demo = _start_demo(tmp_path, log)
    try:
        assert len(pids_working_in(tmp_path)) >= 3

        os.killpg(demo.pid, signal.SIGKILL)
        demo.wait(timeout=10)

        assert wait_for(
            lambda: not pids_working_in(tmp_path),
            # Each child gets SIGTERM from the kernel and shuts down on its own;
            # on a loaded machine the Prefect server takes a while.
            timeout=90,
            what="the server and agents to end after the demo was killed",
        )
    finally:
        stop_group(demo)
        for pid in pids_working_in(tmp_path):
            os.kill(pid, signal.SIGKILL)
        log.close()


def _pids_running(module: str, folder: Path) -> list[int]:
    pids = []
    for pid in pids_working_in(folder):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if module.encode() in cmdline:
            pids.append(pid)
    return pids


def test_a_killed_agent_runner_is_started_again_by_the_demo(tmp_path):
    log = (tmp_path / "demo.log").open("wb")
    demo = _start_demo(tmp_path, log)
    try:
        [runner] = _pids_running("deployments.serve", tmp_path)

        os.kill(runner, signal.SIGKILL)

        wait_for(
            lambda: (
                b"agents exited with code -9; started it again"
                in (tmp_path / "demo.log").read_bytes()
            ),
            timeout=30,
            what="the demo to restart the agents",
        )
        [again] = wait_for(
            lambda: _pids_running("deployments.serve", tmp_path),
            timeout=10,
            what="a new agent runner",
        )
        assert again != runner
        assert demo.poll() is None
        os.killpg(demo.pid, signal.SIGINT)
        assert demo.wait(timeout=60) == 0
    finally:
        stop_group(demo)
        for pid in pids_working_in(tmp_path):
            os.kill(pid, signal.SIGKILL)
        log.close()


def test_the_demo_runs_all_three_agents_on_cron_and_stops_cleanly(tmp_path):
    port = free_port()
    env = _demo_env(port)
    env.update(
        {
            "MEDSTOCK_STOCK_CHECK_CRON": "* * * * *",
            "MEDSTOCK_REPORT_CRON": "* * * * *",
            "MEDSTOCK_EXPIRY_CRON": "* * * * *",
        }
    )
    log = (tmp_path / "demo.log").open("wb")
    demo = subprocess.Popen(
        [str(MEDSTOCK), "demo"],
        cwd=tmp_path,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    db = tmp_path / "data" / "medstock.db"
    try:
        wait_for(
            lambda: (
                _successes(db) == {"stock-check", "inventory-report", "expiry-check"}
            ),
            timeout=180,
            what="a SUCCESS row of every agent",
            step=2,
        )
        output = (tmp_path / "demo.log").read_text()
        assert f"Prefect UI: http://127.0.0.1:{port}" in output
        dashboard = f"http://127.0.0.1:{env['MEDSTOCK_API_PORT']}"
        assert f"dashboard: {dashboard}/" in output
        kpis = httpx.get(f"{dashboard}/api/dashboard").json()["kpis"]
        assert kpis["products"] == 67

        with sqlite3.connect(db) as conn:
            mismatched = conn.execute(
                """
                SELECT p.sku, COUNT(po.id), SUM(po.quantity), 2 * p.min_stock - p.stock
                FROM products AS p
                LEFT JOIN purchase_orders AS po
                  ON po.product_id = p.id AND po.status IN ('PENDING', 'ORDERED')
                WHERE p.stock < p.min_stock
                GROUP BY p.id
                HAVING COUNT(po.id) <> 1
                    OR SUM(po.quantity) <> 2 * p.min_stock - p.stock
                """
            ).fetchall()
            critical = conn.execute(
                "SELECT COUNT(*) FROM products WHERE stock < min_stock"
            ).fetchone()[0]
            retried = conn.execute(
                "SELECT agent, attempts, message FROM task_logs WHERE attempts > 1"
            ).fetchall()
            buckets = dict(
                conn.execute(
                    "SELECT bucket, COUNT(*) FROM expiry_alerts GROUP BY bucket"
                ).fetchall()
            )
        assert (mismatched, critical > 0) == ([], True)
        # All three agents start in the same second: none may need a retry.
        assert retried == []
        assert buckets == {"EXPIRED": 2, "30": 2, "60": 2, "90": 2}

        os.killpg(demo.pid, signal.SIGINT)
        assert demo.wait(timeout=60) == 0
        assert wait_for(
            lambda: group_is_gone(demo.pid) and not pids_working_in(tmp_path),
            timeout=20,
            what="the demo's processes to end",
        )
        assert b"stopped Prefect server" in (tmp_path / "demo.log").read_bytes()
    finally:
        stop_group(demo)
        log.close()
