"""The latest stored inventory report, as a CSV a spreadsheet opens."""

import logging
from pathlib import Path
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from medstock.errors import NotFoundError, OutputFileError
from models import Report

logger = logging.getLogger(__name__)

CSV_COLUMNS = ["report_date", "section", "item", "count", "units", "value"]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def latest_report(session: Session) -> Report:
    """The most recent reports row, or NotFoundError saying how to get one."""
    report = session.exec(
        select(Report).order_by(col(Report.created_at).desc(), col(Report.id).desc())
    ).first()
    if report is None:
        raise NotFoundError(
            "no inventory report is stored yet; let the inventory-report agent run "
            "once (make demo, or python -m flows.inventory_report)"
        )
    return report


def report_rows(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: summary lines, then categories, buckets, critical SKUs."""
    orders = metrics["open_orders"]
    moves = metrics["movements_today"]
    rows: list[tuple[str, str, Any, Any, Any]] = [
        (
            "summary",
            "stock",
            metrics["total_products"],
            metrics["total_units"],
            metrics["inventory_value"],
        ),
        ("summary", "critical products", metrics["critical_count"], None, None),
        ("summary", "open orders", orders["count"], orders["units"], orders["value"]),
        ("summary", "movements today", moves["count"], None, None),
        ("summary", "units in today", None, moves["units_in"], None),
        ("summary", "units out today", None, moves["units_out"], None),
    ]
    rows += [
        ("category", c["category"], c["products"], c["units"], c["value"])
        for c in metrics.get("stock_value_by_category", [])
    ]
    rows += [
        ("expiring", e["bucket"], e["lots"], e["units"], e["value"])
        for e in metrics.get("expiring", [])
    ]
    rows += [
        ("critical", p["sku"], None, p["stock"], None)
        for p in metrics["critical_products"]
    ]
    return [
        dict(zip(CSV_COLUMNS, (metrics["report_date"], *row), strict=True))
        for row in rows
    ]


def neutralise_formula(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, prefixed with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _check_writable(path: Path) -> None:
    if path.is_dir():
        raise OutputFileError(
            f"{str(path)!r} is a folder; give a file name such as "
            f"{str(path / 'report.csv')!r}"
        )
    if not path.parent.is_dir():
        raise OutputFileError(
            f"cannot write {str(path)!r}: the folder {str(path.parent)!r} does not "
            "exist; create it or give another path"
        )


def export_latest_report(session: Session, path: Path) -> Report:
    """Write the latest report to `path` as CSV; return the report written."""
    report = latest_report(session)
    _check_writable(path)
    rows = [
        {name: neutralise_formula(cell) for name, cell in row.items()}
        for row in report_rows(report.metrics)
    ]
    # Object columns, so that whole numbers stay whole where cells are empty.
    frame = pd.DataFrame(rows, columns=CSV_COLUMNS, dtype=object)
    try:
        frame.to_csv(path, index=False)
    except OSError as exc:
        raise OutputFileError(
            f"cannot write {str(path)!r} ({exc.strerror}); check the folder's "
            "permissions or give another path"
        ) from None
    logger.info("exported report %s to %s: %d rows", report.id, path, len(frame))
    return report
