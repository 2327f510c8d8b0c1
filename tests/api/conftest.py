"""A real API server for the session and an httpx client per test."""

import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from api.app import create_app
from medstock.settings import get_settings
from tests.processes import free_port, wait_for

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="session")
def api_url() -> Iterator[str]:
    """The base URL of one uvicorn server, in a thread, for the whole session.

    It reads the settings on each request, so it serves whichever database the
    current test's `database_url` fixture has configured.
    """
    port = free_port()
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, access_log=False, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="api-server", daemon=True)
    thread.start()
    wait_for(lambda: server.started, timeout=20, what="the API server", step=0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def client(database_url: str, api_url: str) -> Iterator[httpx.Client]:
    """An httpx client of the API, on the test's fresh database."""
    with httpx.Client(base_url=api_url, timeout=30) as http:
        yield http


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[str]:
    """Require TOKEN on mutating calls for the test."""
    monkeypatch.setenv("MEDSTOCK_API_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield TOKEN
    get_settings.cache_clear()
