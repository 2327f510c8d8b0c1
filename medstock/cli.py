"""The `medstock` command line."""

import logging
import sys
from typing import Annotated

import typer

from medstock.errors import MedStockError

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
db_app = typer.Typer(no_args_is_help=True, help="The app database.")
app.add_typer(db_app, name="db")

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


@app.command()
def demo() -> None:
    """Run the demo: database, Prefect server, scheduled agents; Ctrl-C stops all."""
    from medstock.demo import run_demo

    raise typer.Exit(run_demo())


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
    try:
        app()
    except MedStockError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
