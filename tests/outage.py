"""A real outage of the app database, started from inside a running statement.

SQLite: the database's folder is moved away and open connections are closed, so
every new connection fails with "unable to open database file". PostgreSQL: the
database stops accepting connections and its sessions are terminated.
"""

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url


class Outage:
    """Makes the database at `url` unavailable, then available again."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = make_url(url)
        self.engine = engine
        self.started = threading.Event()
        self.ended = threading.Event()
        self._timer: threading.Timer | None = None

    @property
    def _folder(self) -> Path:
        return Path(self.url.database or "").parent

    def _admin(self) -> Engine:
        return create_engine(
            self.url.set(database="postgres"), isolation_level="AUTOCOMMIT"
        )

    def start(self, connection: Any = None) -> None:
        """Take the database away; `connection`, in use right now, is cut off."""
        if self.url.get_backend_name() == "sqlite":
            self._folder.rename(self._folder.with_name(self._folder.name + ".away"))
            if connection is not None:
                connection.close()
            self.engine.dispose()
        else:
            admin = self._admin()
            with admin.connect() as conn:
                name = self.url.database
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
            admin.dispose()
        self.started.set()

    def end(self) -> None:
        """Bring the database back."""
        if self.ended.is_set():
            return
        if self.url.get_backend_name() == "sqlite":
            self._folder.with_name(self._folder.name + ".away").rename(self._folder)
        else:
            admin = self._admin()
            with admin.connect() as conn:
                conn.execute(
                    text(f'ALTER DATABASE "{self.url.database}" ALLOW_CONNECTIONS true')
                )
            admin.dispose()
        self.ended.set()

    def on_statement(self, marker: str, *, lasting: float | None) -> None:
        """Start the outage when a statement containing `marker` is about to run.

        With `lasting`, the database comes back that many seconds later.
        """

        def before(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
            if marker not in statement or self.started.is_set():
                return
            if self.url.get_backend_name() == "sqlite":
                self.start(cursor.connection)
            else:
                self.start()
            if lasting is not None:
                self._timer = threading.Timer(lasting, self.end)
                self._timer.start()

        event.listen(self.engine, "before_cursor_execute", before)
        self._listener = before

    def close(self) -> None:
        """Remove the trigger and make sure the database is back."""
        if self._timer is not None:
            self._timer.join()
        if getattr(self, "_listener", None) is not None:
            event.remove(self.engine, "before_cursor_execute", self._listener)
        if self.started.is_set():
            self.end()
