"""A uvicorn server of the app in a thread, for tests."""

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from api.app import create_app
from tests.processes import free_port, wait_for


@contextmanager
def serving() -> Iterator[str]:
    """Serve a new app on a free port until the block ends; yield its base URL.

    The thread runs in a copy of the caller's context, so that settings a test
    harness holds in context variables (such as Prefect's API URL) reach it.
    """
    port = free_port()
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, access_log=False, log_level="warning"
    )
    server = uvicorn.Server(config)
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(server.run,), name="api-server", daemon=True
    )
    thread.start()
    try:
        wait_for(lambda: server.started, timeout=20, what="the API server", step=0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
