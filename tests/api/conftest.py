"""A real API server for the session and an httpx client per test."""

from collections.abc import Iterator

import httpx
import pytest

from medstock.settings import get_settings
from tests.api.server import serving

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="session")
def api_url() -> Iterator[str]:
    """The base URL of one API server for the whole session.

    It reads the settings on each request, so it serves whichever database the
    current test's `database_url` fixture has configured.
    """
    with serving() as url:
        yield url


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
