"""The database behind one small interface, the same for SQLite and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL``: a transaction is on disk before its
commit returns, so a write answered with success survives the process being killed (and
the machine losing power). Write transactions start with ``BEGIN IMMEDIATE`` so that two
processes never deadlock upgrading a read lock; ``busy_timeout`` makes a writer wait for
another instead of failing.

Connection failures are turned into ``DatabaseUnavailable`` so the HTTP layer can answer
503; after one, the database is not tried again for a short pause, so that a dead server
costs each request a fast failure rather than a connect timeout.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from . import schema

SECRET_KEY_NAME = "secret_key"
_RETRY_PAUSE = 0.5


class DatabaseUnavailable(Exception):
    """The database cannot be reached (connection refused, server gone, timeout)."""


class Database:
    """An engine plus transactions. ``read()`` and ``write()`` yield a connection in a
    transaction that commits on success and rolls back on any exception."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()
        self._down_until = 0.0
        self._lock = threading.Lock()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            # One connection per thread, kept open: opening a SQLite file is cheap but
            # not free, and WAL lets readers and the writer proceed together.
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
            if self.url.database in (None, "", ":memory:"):
                raise ValueError(
                    "an in-memory SQLite database cannot be shared; give a file path"
                )
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_size"] = 10
            kwargs["max_overflow"] = 20
            kwargs["pool_timeout"] = 5
            kwargs["connect_args"] = {"connect_timeout": 3}
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            self._configure_sqlite(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @staticmethod
    def _configure_sqlite(engine: Engine) -> None:
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Take transaction control from the driver so BEGIN is ours to emit.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = conn.info.get("begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Connection]:
        now = time.monotonic()
        if now < self._down_until:
            raise DatabaseUnavailable("database unreachable (retrying shortly)")
        try:
            with self.engine.connect() as conn:
                if self.is_sqlite:
                    conn.info["begin"] = "IMMEDIATE" if write else "DEFERRED"
                with conn.begin():
                    yield conn
        except OperationalError as exc:
            if self._is_connection_error(exc):
                self._down_until = time.monotonic() + _RETRY_PAUSE
                raise DatabaseUnavailable(str(exc.orig)) from exc
            raise
        except DBAPIError as exc:
            if exc.connection_invalidated:
                self._down_until = time.monotonic() + _RETRY_PAUSE
                raise DatabaseUnavailable(str(exc.orig)) from exc
            raise

    def _is_connection_error(self, exc: OperationalError) -> bool:
        if self.is_sqlite:
            text = str(exc.orig).lower()
            return "unable to open" in text or "disk i/o" in text
        return True

    def read(self) -> Any:
        """A transaction for reading (a context manager yielding a Connection)."""
        return self._transaction(write=False)

    def write(self) -> Any:
        """A transaction for writing; on SQLite it takes the write lock at once."""
        return self._transaction(write=True)

    def secret_key(self, configured: str | None) -> bytes:
        """The key for hashing secrets: the configured one, else the one kept in the
        database (generated on first use, so a copied database keeps working)."""
        if configured:
            return configured.encode()
        with self.write() as conn:
            row = conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == SECRET_KEY_NAME)
            ).first()
            if row is not None:
                return str(row[0]).encode()
            key = secrets.token_hex(32)
            conn.execute(schema.meta.insert().values(key=SECRET_KEY_NAME, value=key))
            return key.encode()

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless a trivial query succeeds."""
        with self.read() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()


def null_pool_engine(url: str) -> Engine:
    """An engine without pooling, for one-off tools such as migrations."""
    return create_engine(url, poolclass=NullPool)
