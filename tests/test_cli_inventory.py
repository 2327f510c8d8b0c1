"""The inventory commands: import, db check and report, against a real database."""

import csv
from datetime import date
from decimal import Decimal

from typer.testing import CliRunner

from medstock.cli import app
from medstock.reporting import compute_metrics
from models import Report
from tests.factories import add_movement, add_product

runner = CliRunner()


def test_import_products_prints_what_it_wrote(database_url, tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "sku,name,category,unit,stock,min_stock,unit_cost\n"
        "GLV-NIT-M,Nitrile gloves M,Gloves,box,18,40,6.80\n"
    )

    result = runner.invoke(app, ["import", "products", str(path)])

    assert (result.exit_code, result.output) == (
        0,
        "imported catalogue.csv: 1 created, 0 updated, 1 stock adjustment\n",
    )


def test_a_bad_lots_file_is_refused_listing_its_problems(database_url, tmp_path):
    path = tmp_path / "lots.csv"
    path.write_text("sku,lot_number,quantity\nMED-XYZ,X1,5\n")

    result = runner.invoke(app, ["import", "lots", str(path)])

    assert result.exit_code == 1
    assert str(result.exception).splitlines() == [
        "lots.csv has 1 problem; nothing was imported; fix the file and import it "
        "again:",
        "row 2, column 'sku': 'MED-XYZ' is not a known SKU; import it with "
        "`medstock import products` first",
    ]


def test_db_check_lists_differences_and_fails(session):
    gloves = add_product(session, "GLV-NIT-M", stock=18)
    add_movement(session, gloves, "ADJUST", 20, gloves.created_at)
    add_product(session, "PPE-MSK-SUR", stock=0)
    session.commit()

    result = runner.invoke(app, ["db", "check"])

    assert (result.exit_code, result.output) == (
        1,
        "difference: GLV-NIT-M: stock 18, ledger 20\nledger check: 1 differences\n",
    )


def test_report_csv_exports_the_latest_report(session, tmp_path):
    add_product(
        session,
        "GLV-NIT-M",
        stock=18,
        min_stock=40,
        category="Gloves",
        unit_cost=Decimal("6.80"),
    )
    day = date(2026, 3, 10)
    metrics = compute_metrics(session, day=day, timezone="UTC")
    session.add(Report(report_date=day, metrics={**metrics, "total_units": 0}))
    session.add(Report(report_date=day, metrics=metrics))
    session.commit()
    target = tmp_path / "report.csv"

    result = runner.invoke(app, ["report", "--csv", str(target)])

    assert (result.exit_code, result.output) == (
        0,
        f"report 2 for 2026-03-10 written to {target}\n",
    )
    with target.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["report_date", "section", "item", "count", "units", "value"],
        ["2026-03-10", "summary", "stock", "1", "18", "122.40"],
        ["2026-03-10", "summary", "critical products", "1", "", ""],
        ["2026-03-10", "summary", "open orders", "0", "0", "0.00"],
        ["2026-03-10", "summary", "movements today", "0", "", ""],
        ["2026-03-10", "summary", "units in today", "", "0", ""],
        ["2026-03-10", "summary", "units out today", "", "0", ""],
        ["2026-03-10", "category", "Gloves", "1", "18", "122.40"],
        ["2026-03-10", "expiring", "EXPIRED", "0", "0", "0.00"],
        ["2026-03-10", "expiring", "30", "0", "0", "0.00"],
        ["2026-03-10", "expiring", "60", "0", "0", "0.00"],
        ["2026-03-10", "expiring", "90", "0", "0", "0.00"],
        ["2026-03-10", "critical", "GLV-NIT-M", "", "18", ""],
    ]


def test_report_without_a_stored_report_says_how_to_get_one(database_url):
    result = runner.invoke(app, ["report"])

    assert str(result.exception) == (
        "no inventory report is stored yet; let the inventory-report agent run "
        "once (make demo, or python -m flows.inventory_report)"
    )


def _stored_report(session, sku="GLV-NIT-M", category="Gloves"):
    add_product(session, sku, stock=18, min_stock=40, category=category)
    day = date(2026, 3, 10)
    session.add(
        Report(
            report_date=day, metrics=compute_metrics(session, day=day, timezone="UTC")
        )
    )
    session.commit()


def test_report_csv_neutralises_cells_a_spreadsheet_would_run(session, tmp_path):
    _stored_report(session, sku="=cmd|' /C calc'!A0", category="@SUM(A1)")
    target = tmp_path / "report.csv"

    result = runner.invoke(app, ["report", "--csv", str(target)])

    assert result.exit_code == 0
    with target.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[1:3] for row in rows if row[1] in ("category", "critical")] == [
        ["category", "'@SUM(A1)"],
        ["critical", "'=cmd|' /C calc'!A0"],
    ]


def test_report_csv_into_a_missing_folder_or_onto_a_folder_says_so(session, tmp_path):
    _stored_report(session)
    missing = tmp_path / "nowhere" / "report.csv"

    into_missing = runner.invoke(app, ["report", "--csv", str(missing)])
    onto_folder = runner.invoke(app, ["report", "--csv", str(tmp_path)])

    assert str(into_missing.exception) == (
        f"cannot write {str(missing)!r}: the folder {str(missing.parent)!r} does "
        "not exist; create it or give another path"
    )
    assert str(onto_folder.exception) == (
        f"{str(tmp_path)!r} is a folder; give a file name such as "
        f"{str(tmp_path / 'report.csv')!r}"
    )
    assert not missing.parent.exists()
