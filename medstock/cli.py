"""The `medstock` command line."""

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from medstock import cli_inventory
from medstock.errors import MedStockError
from medstock.supervisor import cli as supervisor_cli

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
cli_inventory.register(app)
db_app = typer.Typer(no_args_is_help=True, help="The app database.")
app.add_typer(db_app, name="db")
import_app = typer.Typer(no_args_is_help=True, help="Import CSV files, all or nothing.")
app.add_typer(import_app, name="import")
app.add_typer(supervisor_cli.agents_app, name="agents")
app.command("stats")(supervisor_cli.stats)
app.command("logs")(supervisor_cli.logs)
app.command("supervise")(supervisor_cli.supervise)

logger = logging.getLogger("medstock")


@db_app.command("init")
def db_init(
    sample: Annotated[
        bool, typer.Option("--sample", help="also load the sample catalogue")
    ] = False,
) -> None:
    """Create the schema; with --sample, add the sample catalogue once."""
    from medstock.setup import init_database

    added = init_database(sample=sample)
    if sample:
        typer.echo(f"sample catalogue: {added} products added")
    typer.echo("database ready")


@db_app.command("check")
def db_check() -> None:
    """Check that every product's stock equals its ledger and its lots."""
    from medstock.db import session_scope
    from medstock.ledger import check_ledger

    with session_scope() as session:
        differences = check_ledger(session)
    for difference in differences:
        typer.echo(f"difference: {difference}")
    typer.echo(f"ledger check: {len(differences)} differences")
    raise typer.Exit(1 if differences else 0)


CsvFile = Annotated[
    Path, typer.Argument(help="CSV file, UTF-8, separated by commas or semicolons")
]


@import_app.command("products")
def import_products_file(file: CsvFile) -> None:
    """Create or update products by SKU; stock changes are booked as ADJUST."""
    from medstock.db import session_scope
    from medstock.importer import import_products

    with session_scope(exclusive=True) as session:
        typer.echo(f"imported {import_products(session, file)}")


@import_app.command("lots")
def import_lots_file(file: CsvFile) -> None:
    """Create or update lots by SKU and lot number; stock follows as ADJUST."""
    from medstock.db import session_scope
    from medstock.importer import import_lots

    with session_scope(exclusive=True) as session:
        typer.echo(f"imported {import_lots(session, file)}")


@app.command()
def report(
    csv: Annotated[
        Path | None, typer.Option("--csv", help="write the latest report to FILE")
    ] = None,
) -> None:
    """Show the latest inventory report, or export it with --csv FILE."""
    from medstock.db import session_scope
    from medstock.report_export import export_latest_report, latest_report
    from medstock.reporting import render_markdown

    with session_scope() as session:
        if csv is None:
            typer.echo(render_markdown(latest_report(session).metrics))
            return
        stored = export_latest_report(session, csv)
    typer.echo(f"report {stored.id} for {stored.report_date} written to {csv}")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[
        str, typer.Argument(help="target revision; the newest by default")
    ] = "head",
) -> None:
    """Migrate the schema of MEDSTOCK_DATABASE_URL to a revision (the newest)."""
    from medstock.db import get_engine
    from medstock.schema import upgrade_schema

    typer.echo(f"database at revision {upgrade_schema(get_engine(), revision)}")


@app.command()
def demo() -> None:
    """Run the demo: database, Prefect server, scheduled agents; Ctrl-C stops all."""
    from medstock.demo import run_demo

    raise typer.Exit(run_demo())


@app.command()
def distributed() -> None:
    """Prefect server on PostgreSQL, agents deployed to a work pool, two workers."""
    from deployments.distributed import run_distributed

    raise typer.Exit(run_distributed())


@app.command()
def api() -> None:
    """Serve the REST API and dashboard on MEDSTOCK_API_HOST:MEDSTOCK_API_PORT."""
    from api.server import serve_api

    serve_api()


@app.command()
def serve() -> None:
    """Serve the agents on their crons against the configured Prefect API."""
    from deployments.serve import main as serve_main

    serve_main()


def main() -> None:
    """Entry point: run the CLI, turning MedStock errors into one clear line."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # One line per request is Prefect's and httpx's detail, not a business event.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        app()
    except MedStockError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:
        from medstock.cli_errors import describe_failure

        line = describe_failure(exc)
        if line is None:
            raise
        typer.echo(f"error: {line}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
