"""One line for a command's database or file failure: what broke and the fix."""

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

# SQLSTATEs of PostgreSQL: undefined_table, undefined_column.
_NO_TABLE = "42P01"
_NO_COLUMN = "42703"


def _configured_url() -> str:
    from medstock.settings import get_settings

    return get_settings().database_url


def shown_url(url: str) -> str:
    """`url` with its password replaced by ***."""
    return make_url(url).render_as_string(hide_password=True)


def _database_failure(exc: DBAPIError, url: str) -> str | None:
    shown = shown_url(url)
    reason = str(exc.orig).strip()
    detail = reason.splitlines()[0] if reason else type(exc.orig).__name__
    lowered = reason.lower()
    state = getattr(exc.orig, "sqlstate", None)
    if state == _NO_TABLE or "no such table" in lowered:
        return f"the database {shown} has no MedStock tables; run `medstock db upgrade`"
    if state == _NO_COLUMN or "no such column" in lowered:
        return (
            f"the database {shown} has an older MedStock schema ({detail}); "
            "run `medstock db upgrade`"
        )
    if "unable to open database file" in lowered or "readonly database" in lowered:
        return (
            f"cannot open the database {shown} ({detail}); check the folder's "
            "permissions"
        )
    if "database is locked" in lowered:
        return (
            f"the database {shown} stayed locked by another process ({detail}); "
            "try again when it has finished"
        )
    if isinstance(exc, OperationalError) and "connect" in lowered:
        return (
            f"cannot connect to the database {shown} ({detail}); check that the "
            "server runs and the database exists"
        )
    return None


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database).absolute()


def _file_failure(exc: OSError, url: str) -> str:
    named = f" {exc.filename!r}" if exc.filename else ""
    reason = exc.strerror or str(exc)
    fix = "check the folder's permissions"
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason, fix = "a file stands where a folder should be", "move the file away"
    database = _sqlite_path(url)
    if database is not None and exc.filename is not None:
        failed = Path(exc.filename).absolute()
        if failed == database or failed in database.parents:
            return (
                f"cannot use{named} ({reason}) for the database {shown_url(url)}; {fix}"
            )
    return f"cannot use{named} ({reason}); {fix}"


def describe_failure(exc: BaseException) -> str | None:
    """The `error:` line for a database or file failure, or None for any other."""
    if isinstance(exc, OperationalError | ProgrammingError):
        return _database_failure(exc, _configured_url())
    if isinstance(exc, OSError):
        return _file_failure(exc, _configured_url())
    return None
