"""`python -m bench [--quick]`: run every benchmark and print one table."""

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from bench import machine, orchestration, scale
from bench.table import Row, render

logger = logging.getLogger("bench")

FULL = {
    "products": [10_000, 100_000, 1_000_000],
    "movements": [1_000_000, 5_000_000],
    "task_logs": 100_000,
    "changes": 200,
    "runs": 5,
    "slots": 8,
}
QUICK = {
    "products": [10_000, 100_000],
    "movements": [100_000],
    "task_logs": 10_000,
    "changes": 40,
    "runs": 2,
    "slots": 3,
}
RESULTS = Path(__file__).parent / "results"


def run(sizes: dict, folder: Path) -> list[Row]:
    """Every benchmark, SQLite and PostgreSQL side by side."""
    rows: list[Row] = []
    for backend in ("sqlite", "postgresql"):
        rows += scale.stock_check_rows(backend, sizes["products"], folder)
    for backend in ("sqlite", "postgresql"):
        rows += scale.report_rows(backend, sizes["movements"], folder)
    for backend in ("sqlite", "postgresql"):
        rows.append(
            scale.mirror_row(backend, sizes["task_logs"], sizes["changes"], folder)
        )
    rows += orchestration.prefect_rows(sizes["runs"], sizes["slots"], folder)
    return rows


def main() -> int:
    """Run the benchmarks, print the table and keep it in bench/results/."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    started = time.perf_counter()
    header = machine.describe()
    with tempfile.TemporaryDirectory(prefix="medstock-bench-") as tmp:
        rows = run(QUICK if args.quick else FULL, Path(tmp))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    minutes = (time.perf_counter() - started) / 60
    footer = f"load average at the end {load}; {minutes:.1f} minutes in all"
    report = f"{header}\n\n{render(rows)}\n\n{footer}\n"

    RESULTS.mkdir(exist_ok=True)
    name = "quick.md" if args.quick else "latest.md"
    (RESULTS / name).write_text(report)
    sys.stdout.write(report)
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
