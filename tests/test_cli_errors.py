"""Database and folder failures of any command end in one `error:` line."""

import os
import sys

import pytest
from sqlalchemy.engine import make_url

from medstock import db as medstock_db
from medstock.cli import main
from medstock.settings import get_settings
from tests.processes import free_port


def _run(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["medstock", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    return stopped.value.code, capsys.readouterr().err


@pytest.fixture
def use_url(monkeypatch):
    """Set MEDSTOCK_DATABASE_URL for one test, with fresh settings and engines."""

    def use(url):
        monkeypatch.setenv("MEDSTOCK_DATABASE_URL", url)
        get_settings.cache_clear()
        medstock_db.dispose_engines()
        return url

    yield use
    medstock_db.dispose_engines()
    get_settings.cache_clear()


def test_a_database_without_schema_says_to_upgrade(
    empty_database_url, monkeypatch, capsys
):
    shown = make_url(empty_database_url).render_as_string(hide_password=True)

    assert _run(monkeypatch, capsys, "db", "check") == (
        2,
        f"error: the database {shown} has no MedStock tables; run `medstock db "
        "upgrade`\n",
    )


def test_a_server_that_is_down_is_named_with_its_password_hidden(
    use_url, monkeypatch, capsys
):
    port = free_port()
    use_url(f"postgresql+psycopg://medstock:secret@127.0.0.1:{port}/medstock")

    assert _run(monkeypatch, capsys, "orders", "list") == (
        2,
        f"error: cannot connect to the database postgresql+psycopg://medstock:***@"
        f"127.0.0.1:{port}/medstock (connection failed: connection to server at "
        f'"127.0.0.1", port {port} failed: Connection refused); check that the '
        "server runs and the database exists\n",
    )


def test_a_missing_postgresql_database_is_named(
    postgres_database, use_url, monkeypatch, capsys
):
    if postgres_database is None:
        pytest.skip("needs the PostgreSQL backend (python -m tests.backends)")
    missing = make_url(postgres_database).set(database="medstock_no_such_db")
    use_url(missing.render_as_string(hide_password=False))
    shown = missing.render_as_string(hide_password=True)

    assert _run(monkeypatch, capsys, "db", "check") == (
        2,
        f"error: cannot connect to the database {shown} (connection failed: "
        f'connection to server at "{missing.host}", port {missing.port or 5432} '
        'failed: FATAL:  database "medstock_no_such_db" does not exist); check '
        "that the server runs and the database exists\n",
    )


def test_a_file_where_the_data_folder_should_be_is_named(
    tmp_path, use_url, monkeypatch, capsys
):
    (tmp_path / "data").write_text("not a folder")
    url = use_url(f"sqlite:///{tmp_path}/data/medstock.db")

    assert _run(monkeypatch, capsys, "db", "upgrade") == (
        2,
        f"error: cannot use '{tmp_path}/data' (a file stands where a folder "
        f"should be) for the database {url}; move the file away\n",
    )


def test_a_database_path_that_cannot_be_opened_says_to_check_permissions(
    tmp_path, use_url, monkeypatch, capsys
):
    url = use_url(f"sqlite:///{tmp_path}")

    assert _run(monkeypatch, capsys, "db", "check") == (
        2,
        f"error: cannot open the database {url} (unable to open database file); "
        "check the folder's permissions\n",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_data_folder_says_to_check_permissions(
    tmp_path, use_url, monkeypatch, capsys
):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o555)
    url = use_url(f"sqlite:///{folder}/medstock.db")

    try:
        result = _run(monkeypatch, capsys, "db", "upgrade")
    finally:
        folder.chmod(0o755)

    assert result == (
        2,
        f"error: cannot open the database {url} (unable to open database file); "
        "check the folder's permissions\n",
    )
