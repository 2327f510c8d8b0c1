"""The app schema under Alembic: upgrade, adopt and compare with the models."""

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from medstock.errors import SchemaError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# The first revision: the schema `create_all` built before migrations existed.
BASELINE_REVISION = "0001"
BASELINE_TABLES = frozenset(
    {
        "agent_status",
        "products",
        "purchase_orders",
        "reports",
        "stock_movements",
        "task_logs",
    }
)

# Shared by env.py and the drift check so that both compare the same way.
# NOTE: every script is rendered in batch mode, whichever database it was
# generated against, because SQLite can only alter a table by copying it.
COMPARE_OPTIONS: dict[str, Any] = {
    # Check constraints are compared by name, an opt-in plugin of Alembic.
    "autogenerate_plugins": [
        "alembic.autogenerate.*",
        "alembic.ext.checkconstraint_byname",
    ],
    "compare_type": True,
    "render_as_batch": True,
    "user_module_prefix": "sqlmodel.sql.sqltypes.",
}


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the packaged migrations, bound to `connection`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision among the packaged migrations."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, or None before any migration."""
    return MigrationContext.configure(connection).get_current_revision()


def _adopt_unversioned_schema(connection: Connection) -> None:
    # A database made by `create_all` before migrations existed has tables but no
    # alembic_version: mark it with the revision it matches instead of failing.
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables or not tables & set(SQLModel.metadata.tables):
        return
    if not schema_drift(connection):
        revision = head_revision()
    elif tables & set(SQLModel.metadata.tables) == BASELINE_TABLES:
        revision = BASELINE_REVISION
    else:
        url = connection.engine.url.render_as_string(hide_password=True)
        raise SchemaError(
            f"the database at {url!r} has tables but no alembic_version, and they "
            f"match neither revision {BASELINE_REVISION!r} nor the current models; "
            "restore it into a database made by `medstock db init`, or mark its "
            "revision with `alembic stamp REVISION`"
        )
    command.stamp(alembic_config(connection), revision)
    logger.info("adopted the existing schema as revision %s", revision)


def upgrade_schema(engine: Engine, revision: str = "head") -> str:
    """Migrate the database to `revision` (the newest by default); return it."""
    with engine.begin() as connection:
        _adopt_unversioned_schema(connection)
        before = current_revision(connection)
        command.upgrade(alembic_config(connection), revision)
        after = current_revision(connection)
    if before != after:
        logger.info("schema upgraded from %s to %s", before, after)
    assert after is not None
    return after


def schema_drift(connection: Connection) -> list[Any]:
    """Alembic's differences between the models and the database's schema."""
    context = MigrationContext.configure(connection, opts=COMPARE_OPTIONS)
    return list(compare_metadata(context, SQLModel.metadata))
