"""The Alembic migrations build exactly the schema the models declare."""

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel
from typer.testing import CliRunner

from medstock.cli import app
from medstock.db import get_engine
from medstock.errors import SchemaError
from medstock.schema import (
    BASELINE_REVISION,
    alembic_config,
    current_revision,
    head_revision,
    schema_drift,
    upgrade_schema,
)


def _names(diffs):
    """Each difference as (operation, table, object name), for readable asserts."""
    named = []
    for diff in diffs:
        operation, *args = diff
        if operation in ("add_index", "remove_index"):
            named.append((operation, args[0].table.name, args[0].name))
        elif operation in ("add_column", "remove_column"):
            named.append((operation, args[1], args[2].name))
        elif operation in ("add_constraint", "remove_constraint"):
            named.append((operation, args[0].table.name, args[0].name))
        else:
            named.append((operation, repr(args)))
    return named


def test_the_migrated_schema_matches_the_models(database_url):
    with get_engine(database_url).connect() as conn:
        drift = schema_drift(conn)

    # A model change needs a revision: `make migration MESSAGE="..."` writes it.
    assert _names(drift) == [], "the models and the migrations disagree"


def test_the_drift_check_names_what_the_database_lacks_or_has_extra(database_url):
    with get_engine(database_url).begin() as conn:
        conn.execute(text("DROP INDEX uq_purchase_orders_one_pending_per_product"))
        conn.execute(text("ALTER TABLE task_logs ADD COLUMN not_in_the_models INTEGER"))

    with get_engine(database_url).connect() as conn:
        drift = schema_drift(conn)

    assert _names(drift) == [
        ("add_index", "purchase_orders", "uq_purchase_orders_one_pending_per_product"),
        ("remove_column", "task_logs", "not_in_the_models"),
    ]


def test_the_drift_check_compares_check_constraints_by_name(database_url):
    with get_engine(database_url).begin() as conn:
        # SQLite drops a constraint only by copying the table: batch mode does.
        operations = Operations(MigrationContext.configure(conn))
        with operations.batch_alter_table("products") as batch:
            batch.drop_constraint("ck_products_stock_non_negative", type_="check")

    with get_engine(database_url).connect() as conn:
        drift = schema_drift(conn)

    assert _names(drift) == [
        ("add_constraint", "products", "ck_products_stock_non_negative")
    ]


def test_downgrading_to_base_leaves_no_app_table_and_upgrading_restores_all(
    database_url,
):
    engine = get_engine(database_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    left = set(inspect(engine).get_table_names())

    assert upgrade_schema(engine) == head_revision()
    assert left == {"alembic_version"}
    assert set(inspect(engine).get_table_names()) == {
        "alembic_version",
        *SQLModel.metadata.tables,
    }


def test_a_database_made_before_migrations_is_adopted_then_upgraded(
    empty_database_url,
):
    engine = get_engine(empty_database_url)
    # The baseline's tables without alembic_version, as create_all left them.
    upgrade_schema(engine, BASELINE_REVISION)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))

    revision = upgrade_schema(engine)

    with engine.connect() as conn:
        assert (revision, current_revision(conn)) == (head_revision(),) * 2
        assert _names(schema_drift(conn)) == []


def test_a_database_made_by_create_all_of_the_models_is_adopted_as_the_head(
    empty_database_url,
):
    engine = get_engine(empty_database_url)
    SQLModel.metadata.create_all(engine)

    revision = upgrade_schema(engine)

    with engine.connect() as conn:
        assert (revision, current_revision(conn)) == (head_revision(),) * 2


def test_an_unversioned_schema_matching_no_revision_is_refused(empty_database_url):
    engine = get_engine(empty_database_url)
    upgrade_schema(engine, BASELINE_REVISION)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        # Half of a later revision: lots without expiry_alerts.
        SQLModel.metadata.tables["lots"].create(conn)

    with pytest.raises(SchemaError) as error:
        upgrade_schema(engine)

    url = engine.url.render_as_string(hide_password=True)
    assert str(error.value) == (
        f"the database at {url!r} has tables but no alembic_version, and they "
        "match neither revision '0001' nor the current models; restore it into a "
        "database made by `medstock db init`, or mark its revision with "
        "`alembic stamp REVISION`"
    )


def test_the_baseline_is_the_first_revision():
    [base] = ScriptDirectory.from_config(alembic_config()).get_bases()

    assert base == BASELINE_REVISION


def test_medstock_db_upgrade_migrates_the_configured_database(empty_database_url):
    result = CliRunner().invoke(app, ["db", "upgrade"])

    assert (result.exit_code, result.output) == (
        0,
        f"database at revision {head_revision()}\n",
    )
    with get_engine(empty_database_url).connect() as conn:
        assert current_revision(conn) == head_revision()
        assert _names(schema_drift(conn)) == []
