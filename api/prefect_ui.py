"""Where the Prefect UI is, for links from the dashboard."""

from functools import lru_cache


@lru_cache(maxsize=1)
def prefect_ui_url() -> str | None:
    """The Prefect UI's base URL, or None when no Prefect server is configured."""
    from prefect.settings import get_current_settings

    url = get_current_settings().ui_url
    return str(url).rstrip("/") if url else None
