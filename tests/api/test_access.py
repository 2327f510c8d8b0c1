"""Bearer-token access, error containment and the bind check."""

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from api.server import check_bind
from medstock.errors import SettingsError
from medstock.settings import Settings
from models import Product

PRODUCT = {"sku": "X-1", "name": "x", "category": "c", "unit": "u"}


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong", "Basic s3cret-token-for-tests", "s3cret-token-for-tests"],
)
def test_a_mutating_call_without_the_token_is_401_and_writes_nothing(
    client, session, token, header
):
    headers = {"Authorization": header} if header else {}

    response = client.post("/api/products", json=PRODUCT, headers=headers)

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "missing or invalid token"},
    )
    assert response.headers["www-authenticate"] == "Bearer"
    assert session.exec(select(Product)).all() == []


def test_the_right_token_is_let_through(client, session, token):
    response = client.post(
        "/api/products", json=PRODUCT, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 201


def test_reads_need_no_token(client, session, token):
    assert client.get("/api/products").status_code == 200


def test_without_a_configured_token_mutations_are_open(client, session):
    assert client.post("/api/products", json=PRODUCT).status_code == 201


def test_an_unexpected_error_is_a_bare_500_and_its_text_is_not_logged(
    client, session, caplog
):
    session.execute(text("DROP TABLE reports"))
    session.commit()

    with caplog.at_level(logging.INFO):
        response = client.get("/api/reports")

    assert (response.status_code, response.json()) == (
        500,
        {"detail": "internal error"},
    )
    logged = [r.getMessage() for r in caplog.records if r.name == "api.errors"]
    error = {"sqlite": "OperationalError", "postgresql": "ProgrammingError"}
    dialect = session.get_bind().dialect.name
    assert logged == [f"request GET /api/reports failed: {error[dialect]}"]
    assert "Traceback" not in caplog.text and "SELECT" not in caplog.text


def test_health_is_503_when_the_database_is_down(client, monkeypatch, caplog):
    from medstock.settings import get_settings

    url = "postgresql+psycopg://medstock:hunter2@127.0.0.1:9/medstock"
    monkeypatch.setenv("MEDSTOCK_DATABASE_URL", url)
    get_settings.cache_clear()

    with caplog.at_level(logging.INFO):
        response = client.get("/api/health")

    assert (response.status_code, response.json()) == (
        503,
        {"status": "error", "database": "unreachable"},
    )
    assert "hunter2" not in caplog.text


def test_an_exposed_address_without_a_token_is_refused():
    settings = Settings(api_host="0.0.0.0", api_token=None)

    with pytest.raises(SettingsError) as refused:
        check_bind(settings)

    assert str(refused.value) == (
        "MEDSTOCK_API_HOST='0.0.0.0' is reachable from other machines but "
        "MEDSTOCK_API_TOKEN is not set; set MEDSTOCK_API_TOKEN to a long random "
        "secret or bind MEDSTOCK_API_HOST=127.0.0.1."
    )


@pytest.mark.parametrize(
    ("host", "token"), [("127.0.0.1", None), ("::1", None), ("0.0.0.0", "t")]
)
def test_loopback_or_a_token_may_bind(host, token):
    check_bind(Settings(api_host=host, api_token=token))


def test_medstock_api_stops_with_the_bind_error(tmp_path):
    medstock = Path(sys.executable).with_name("medstock")
    env = {"PATH": "/usr/bin:/bin", "MEDSTOCK_API_HOST": "192.0.2.1"}

    done = subprocess.run(
        [str(medstock), "api"], cwd=tmp_path, env=env, capture_output=True, text=True
    )

    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: MEDSTOCK_API_HOST='192.0.2.1' is reachable from other machines but "
        "MEDSTOCK_API_TOKEN is not set; set MEDSTOCK_API_TOKEN to a long random "
        "secret or bind MEDSTOCK_API_HOST=127.0.0.1."
    )
