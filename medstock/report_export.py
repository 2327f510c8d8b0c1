"""The latest stored inventory report, as a CSV a spreadsheet opens."""

import logging
from pathlib import Path
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from medstock.errors import NotFoundError
from models import Report

logger = logging.getLogger(__name__)

CSV_COLUMNS = ["report_date", "section", "item", "count", "units", "value"]


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


def export_latest_report(session: Session, path: Path) -> Report:
    """Write the latest report to `path` as CSV; return the report written."""
    report = latest_report(session)
    # Object columns, so that whole numbers stay whole where cells are empty.
    frame = pd.DataFrame(report_rows(report.metrics), columns=CSV_COLUMNS, dtype=object)
    frame.to_csv(path, index=False)
    logger.info("exported report %s to %s: %d rows", report.id, path, len(frame))
    return report
