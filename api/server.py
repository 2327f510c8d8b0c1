"""Starting the API with uvicorn, refusing an exposed address without a token."""

import ipaddress
import logging

import uvicorn

from medstock.errors import SettingsError
from medstock.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """True for localhost and addresses such as 127.0.0.1 and ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings) -> None:
    """Refuse to serve beyond this machine unless mutating calls need a token."""
    if is_loopback(settings.api_host) or settings.api_token:
        return
    raise SettingsError(
        f"MEDSTOCK_API_HOST={settings.api_host!r} is reachable from other machines "
        "but MEDSTOCK_API_TOKEN is not set; set MEDSTOCK_API_TOKEN to a long random "
        "secret or bind MEDSTOCK_API_HOST=127.0.0.1."
    )


def serve_api(settings: Settings | None = None) -> None:
    """Serve the API and dashboard until interrupted."""
    settings = settings or get_settings()
    check_bind(settings)
    logger.info(
        "dashboard: http://%s:%d/ (OpenAPI at /docs)",
        settings.api_host,
        settings.api_port,
    )
    # Polling would fill an access log with one line every few seconds.
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        access_log=False,
        log_level="info",
        # The process's own logging format, not uvicorn's.
        log_config=None,
    )
