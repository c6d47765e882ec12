"""The database behind one small interface, the same for SQLite and PostgreSQL.

Writes are serialized, on both databases, so that a handler's read-then-write inside
``db.write()`` never loses a concurrent update and a "does it exist? then insert" check
holds until commit:

- SQLite runs in WAL mode with ``synchronous=FULL``: a transaction is on disk before its
  commit returns, so a write answered with success survives the process being killed
  (and the machine losing power). Write transactions start with ``BEGIN IMMEDIATE`` so
  that two processes never deadlock upgrading a read lock; ``busy_timeout`` makes a
  writer wait for another instead of failing.
- PostgreSQL runs at READ COMMITTED; every write transaction first takes one
  transaction-level advisory lock, the equivalent of SQLite's ``BEGIN IMMEDIATE``
  across every process and instance on the database. Each statement after the lock
  sees every earlier committed write. Reads take no lock and run in parallel.

Every wait is bounded: connecting, checking a connection out of the pool, each
statement, and waiting for the write lock. Connection failures become
``DatabaseUnavailable`` (the HTTP layer answers 503); after one, the database is not
tried again for a short pause, so that a dead server costs each request a fast failure
rather than a connect timeout. A timed-out wait becomes a 503 "busy" error, and a unique
constraint broken by a concurrent change a 409, never a 500.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool

from .. import errors
from . import schema

SECRET_KEY_NAME = "secret_key"
_RETRY_PAUSE = 0.5

# One advisory lock key for all cfaccounts write transactions on a database (any
# 64-bit constant works; this one spells "cfacct").
WRITE_LOCK_KEY = 0x636661636374

# How often, at most, an instance reads the change counter (``data_version``) to learn
# that another process or host changed the data; well under the one second within
# which a revoked credential must be refused everywhere.
CHANGE_POLL = 0.05

# PostgreSQL bounds, in seconds; a parameter given in the URL's query wins.
CONNECT_TIMEOUT = 3
STATEMENT_TIMEOUT = 15
LOCK_TIMEOUT = 10
IDLE_IN_TRANSACTION_TIMEOUT = 60
POOL_TIMEOUT = 5
# Each process runs one handler at a time (handlers are synchronous), so a small pool
# is enough; the overflow covers admin requests and start-up work.
POOL_SIZE = 5
MAX_OVERFLOW = 5

# SQLSTATE classes and codes that mean "the server or the connection is gone".
_GONE_CLASSES = ("08",)  # connection exception
_GONE_CODES = {"57P01", "57P02", "57P03", "53300"}  # shutdown, cannot connect, too many
# ... and those that mean "waited too long" or "lost a race; try again".
_BUSY_CODES = {"57014", "55P03", "40001", "40P01"}


# Every Database of the process, so that a forked child (a server worker) drops the
# fast-path connections it inherited instead of talking over its parent's sockets.
_databases: weakref.WeakSet[Database] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for db in list(_databases):
        db._forget_fast_connections()


os.register_at_fork(after_in_child=_after_fork_in_child)


class DatabaseUnavailable(Exception):
    """The database cannot be reached (connection refused, server gone, timeout)."""


class UnstorableText(ValueError):
    """A text value holds a NUL character, which PostgreSQL cannot store; refused on
    SQLite as well, so that both databases accept the same data."""


def normalize_url(url: str | URL) -> URL:
    """The SQLAlchemy URL to use: PostgreSQL always through psycopg 3.

    ``postgresql://``, ``postgres://`` and ``postgresql+psycopg2://`` all name the same
    server; only psycopg 3 is a dependency, so they are all mapped to it."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in (
        "psycopg2",
        "psycopg2cffi",
        "pg8000",
        "asyncpg",
        "psycopg",
        "",
    ):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def postgresql_connect_args(url: URL) -> dict[str, Any]:
    """libpq parameters bounding every wait, unless the URL sets them itself."""
    options = (
        f"-c statement_timeout={STATEMENT_TIMEOUT * 1000}"
        f" -c lock_timeout={LOCK_TIMEOUT * 1000}"
        f" -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT * 1000}"
    )
    defaults: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT,
        "application_name": "cfaccounts",
        "options": options,
        # A peer that vanishes without closing the connection (a network partition)
        # is noticed within seconds instead of at the kernel's default of minutes.
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": STATEMENT_TIMEOUT * 1000,
    }
    return {k: v for k, v in defaults.items() if k not in url.query}


class Database:
    """An engine plus transactions. ``read()`` and ``write()`` yield a connection in a
    transaction that commits on success and rolls back on any exception.

    A Database belongs to the process that made it: a child process must build its own
    (pooled connections are never shared across ``fork``)."""

    def __init__(self, url: str | URL, *, echo: bool = False) -> None:
        self.url = normalize_url(url)
        self.dialect = self.url.get_backend_name()
        self._down_until = 0.0
        self._pid = os.getpid()
        # Run first by dispose(): whatever writes in the background stops (and writes
        # what it holds) before the connections close, so none opens a new one after.
        self.on_dispose: list[Callable[[], None]] = []
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            # One connection per thread, kept open: opening a SQLite file is cheap but
            # not free, and WAL lets readers and the writer proceed together.
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
            if self.url.database in (None, "", ":memory:"):
                raise ValueError(
                    "an in-memory SQLite database cannot be shared; give a file path"
                )
        elif self.dialect == "postgresql":
            kwargs["pool_pre_ping"] = True
            kwargs["pool_size"] = POOL_SIZE
            kwargs["max_overflow"] = MAX_OVERFLOW
            kwargs["pool_timeout"] = POOL_TIMEOUT
            kwargs["connect_args"] = postgresql_connect_args(self.url)
        else:
            raise ValueError(
                f"unsupported database {self.dialect!r}: use sqlite:///PATH or "
                "postgresql://USER@HOST:PORT/NAME"
            )
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            self._configure_sqlite(self.engine)
        self._guard_fork(self.engine)
        # Bumped after every write transaction in this process, and when the change
        # counter shows that another process wrote: caches of reads (storage/cache.py)
        # compare it to see that the data may have changed since they read it.
        self.generation = 0
        self._seen_version: int | None = None
        self._version_read_at = -CHANGE_POLL
        self._fast = threading.local()
        self._fast_conns: list[tuple[int, Any]] = []
        self._fast_lock = threading.Lock()
        _databases.add(self)
        self._fast_sql: dict[str, str] = {}
        event.listen(self.engine, "before_cursor_execute", _refuse_nul)

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

    def _guard_fork(self, engine: Engine) -> None:
        # Should a process fork with this engine's pool populated, the child must not
        # talk over its parent's sockets: it discards them and opens its own.
        @event.listens_for(engine, "connect")
        def _on_connect(_dbapi_conn: Any, record: Any) -> None:
            record.info["pid"] = os.getpid()

        @event.listens_for(engine, "checkout")
        def _on_checkout(_dbapi_conn: Any, record: Any, proxy: Any) -> None:
            if record.info.get("pid") != os.getpid():
                record.dbapi_connection = proxy.dbapi_connection = None
                raise DisconnectionError("connection made in another process")

    @contextmanager
    def _transaction(self, write: bool, counted: bool = True) -> Iterator[Connection]:
        now = time.monotonic()
        if now < self._down_until:
            raise DatabaseUnavailable("database unreachable (retrying shortly)")
        try:
            with self.engine.connect() as conn:
                if self.is_sqlite:
                    conn.info["begin"] = "IMMEDIATE" if write else "DEFERRED"
                with conn.begin():
                    if write and not self.is_sqlite:
                        conn.exec_driver_sql(
                            f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"
                        )
                    if write and counted:
                        conn.exec_driver_sql(_BUMP_VERSION_SQL)
                    yield conn
        except UnstorableText as exc:
            raise errors.INVALID_REQUEST(detail=str(exc)) from None
        except DataError as exc:
            # Handlers validate lengths and formats; this is the database's own
            # check (PostgreSQL enforces varchar lengths, SQLite does not).
            raise errors.INVALID_REQUEST(
                detail="a value does not fit its field (too long or malformed)"
            ) from exc
        except IntegrityError as exc:
            # With writes serialized this is a handler that did not check first, or a
            # seed/document conflicting with stored data: the caller's to resolve.
            raise errors.CONFLICT(
                detail="the change conflicts with existing data (a unique value is "
                "already taken)"
            ).with_headers(x_should_retry="false") from exc
        except PoolTimeout as exc:
            raise errors.DATABASE_BUSY().with_headers(retry_after="1") from exc
        except DBAPIError as exc:
            kind = self._classify(exc)
            if kind == "gone":
                self._down_until = time.monotonic() + _RETRY_PAUSE
                raise DatabaseUnavailable(_first_line(exc)) from exc
            if kind == "busy":
                raise errors.DATABASE_BUSY().with_headers(retry_after="1") from exc
            raise

    def _classify(self, exc: DBAPIError) -> str:
        """ "gone" (unreachable), "busy" (a timeout or lost race) or "other"."""
        if exc.connection_invalidated:
            return "gone"
        if self.is_sqlite:
            if not isinstance(exc, OperationalError):
                return "other"
            text = str(exc.orig).lower()
            if "unable to open" in text or "disk i/o" in text:
                return "gone"
            if "locked" in text or "busy" in text:
                return "busy"
            return "other"
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if sqlstate in _BUSY_CODES:
            return "busy"
        if sqlstate is None and isinstance(exc, OperationalError):
            return "gone"  # no server answer at all: refused, reset, timed out
        if sqlstate is not None and (
            sqlstate in _GONE_CODES or sqlstate.startswith(_GONE_CLASSES)
        ):
            return "gone"
        return "other"

    def read(self) -> Any:
        """A transaction for reading (a context manager yielding a Connection)."""
        return self._transaction(write=False)

    def write(self, *, counted: bool = True) -> Any:
        """A transaction for writing; it holds the database's write lock from its
        start to its end, so writes never interleave.

        It increments the change counter, so that every instance drops what it
        cached from the database. ``counted=False`` is for writes no cache depends
        on (when a token was last used), which would otherwise empty every cache
        each time they run."""
        transaction = self._transaction(write=True, counted=counted)
        return self._counted(transaction) if counted else transaction

    def generation_now(self, now: float | None = None) -> int:
        """``generation``, after counting changes other processes and hosts committed:
        the change counter is read at most every ``CHANGE_POLL`` seconds (one indexed
        row on the fast path), so what an instance caches is dropped at most that long
        after another instance changed the database. ``now`` is ``time.monotonic()``
        when the caller has just read it. Raises DatabaseUnavailable like any read
        when the database cannot be reached."""
        if now is None:
            now = time.monotonic()
        if now - self._version_read_at >= CHANGE_POLL:
            row = self.fetch_one(_READ_VERSION_SQL, ())
            self._version_read_at = now
            version = None if row is None else int(row[0])
            if version != self._seen_version:
                self._seen_version = version
                self.generation += 1
        return self.generation

    @contextmanager
    def _counted(self, transaction: Any) -> Iterator[Connection]:
        try:
            with transaction as conn:
                yield conn
        finally:
            self.generation += 1

    # -- the fast read path ------------------------------------------------------------
    def fetch_one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The first row of one SELECT (``?`` placeholders), or None.

        For the few reads every request makes (credentials, membership, the account):
        the statement runs on its own, outside any transaction (a single statement
        sees one consistent snapshot), on a DB-API connection kept for this thread, so
        it skips the engine's per-statement and per-transaction work. Failures map as
        in ``read()``: unreachable is DatabaseUnavailable, busy is a 503."""
        row: tuple[Any, ...] | None = self._fast_execute(sql, params, True)
        return row

    def fetch_all(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Every row of one SELECT, as ``fetch_one``."""
        rows: list[tuple[Any, ...]] = self._fast_execute(sql, params, False)
        return rows

    def _fast_execute(self, sql: str, params: tuple[Any, ...], one: bool) -> Any:
        # Every request runs this a few times: it is kept to the bare minimum.
        if self._down_until and time.monotonic() < self._down_until:
            raise DatabaseUnavailable("database unreachable (retrying shortly)")
        for value in params:
            if isinstance(value, str) and "\x00" in value:
                # No stored text holds a NUL, so nothing can match.
                return None if one else []
        text = self._fast_sql.get(sql)
        if text is None:
            text = sql if self.is_sqlite else _numbered(sql)
            self._fast_sql[sql] = text
        conn = getattr(self._fast, "conn", None) or self._fast_connection()
        try:
            if self.is_sqlite:
                # Closed at once: a statement left open would hold its read
                # transaction (and the snapshot) until the next one.
                cur = conn.execute(text, params)
                result = cur.fetchone() if one else cur.fetchall()
                cur.close()
            else:
                # One raw cursor per connection, reused: no placeholder parsing,
                # and half the client-side cost of a cursor made per statement.
                cur = self._fast.cursor
                cur.execute(text, params)
                result = cur.fetchone() if one else cur.fetchall()
        except Exception as exc:
            self._drop_fast_connection()
            self._fast_failure(exc)
            raise
        return result

    def _forget_fast_connections(self) -> None:
        # In a forked child: the parent's connections are not ours to use or close.
        self._fast = threading.local()
        self._fast_conns = []
        self._fast_lock = threading.Lock()

    def _fast_connection(self) -> Any:
        local = self._fast
        try:
            # Made by the engine, so every connect-time setting applies; then taken
            # out of the pool for this thread's own use.
            proxy = self.engine.raw_connection()
            conn = proxy.driver_connection
            proxy.detach()
            assert conn is not None
            if not self.is_sqlite:
                import psycopg  # the PostgreSQL driver, installed with that extra

                conn.rollback()
                conn.autocommit = True
                local.cursor = psycopg.RawCursor(conn)
        except DBAPIError as exc:
            if self._classify(exc) == "gone":
                self._down_until = time.monotonic() + _RETRY_PAUSE
                raise DatabaseUnavailable(_first_line(exc)) from exc
            raise
        except PoolTimeout as exc:
            raise errors.DATABASE_BUSY().with_headers(retry_after="1") from exc
        except Exception as exc:
            # The pool reconnecting after a failed pre-ping, and the driver calls
            # above, raise the driver's own exceptions, not SQLAlchemy's.
            self._fast_failure(exc)
            raise
        local.conn = conn
        with self._fast_lock:
            self._fast_conns.append((os.getpid(), conn))
        return conn

    def _drop_fast_connection(self) -> None:
        conn = getattr(self._fast, "conn", None)
        self._fast.conn = None
        if conn is not None:
            with self._fast_lock:
                self._fast_conns = [
                    (p, c) for p, c in self._fast_conns if c is not conn
                ]
            with contextlib.suppress(Exception):  # already broken: nothing to free
                conn.close()

    def _fast_failure(self, exc: Exception) -> None:
        """Raise the error ``read()`` would for this driver exception (or return, to
        let it propagate as it is)."""
        text = str(exc).lower()
        if self.is_sqlite:
            if "unable to open" in text or "disk i/o" in text:
                self._down_until = time.monotonic() + _RETRY_PAUSE
                raise DatabaseUnavailable(str(exc)) from exc
            if "locked" in text or "busy" in text:
                raise errors.DATABASE_BUSY().with_headers(retry_after="1") from exc
            return
        sqlstate = getattr(exc, "sqlstate", None)
        if sqlstate in _BUSY_CODES:
            raise errors.DATABASE_BUSY().with_headers(retry_after="1") from exc
        if (sqlstate is None and exc.__class__.__name__ == "OperationalError") or (
            sqlstate is not None
            and (sqlstate in _GONE_CODES or sqlstate.startswith(_GONE_CLASSES))
        ):
            self._down_until = time.monotonic() + _RETRY_PAUSE
            raise DatabaseUnavailable(str(exc).strip().split("\n")[0]) from exc

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
        if os.getpid() == self._pid:  # a forked child's dispose is only a reset
            hooks, self.on_dispose = self.on_dispose, []
            for hook in hooks:
                with contextlib.suppress(Exception):  # closing anyway
                    hook()
        with self._fast_lock:
            mine = [c for p, c in self._fast_conns if p == os.getpid()]
            self._fast_conns = []
        for conn in mine:
            with contextlib.suppress(Exception):  # best effort at shutdown
                conn.close()
        self._fast = threading.local()
        self.engine.dispose()


def _numbered(sql: str) -> str:
    """A fast-path statement's ``?`` placeholders as PostgreSQL's ``$1, $2, ...``
    (the statements are this package's own and hold no ``?`` in a literal)."""
    parts = sql.split("?")
    out = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        out.append(f"${n}{part}")
    return "".join(out)


# An upsert, so that a database whose counter row went missing gets it back.
_BUMP_VERSION_SQL = (
    "INSERT INTO data_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = data_version.version + 1"
)
_READ_VERSION_SQL = "SELECT version FROM data_version WHERE id = 1"


def _refuse_nul(
    _conn: Any,
    _cursor: Any,
    _statement: str,
    parameters: Any,
    _context: Any,
    executemany: bool,
) -> None:
    rows = parameters if executemany else (parameters,)
    for row in rows:
        values = row.values() if isinstance(row, dict) else row
        for value in values or ():
            if isinstance(value, str) and "\x00" in value:
                raise UnstorableText("text values may not contain NUL characters")


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "error"


def null_pool_engine(url: str | URL) -> Engine:
    """An engine without pooling, for one-off tools such as migrations."""
    parsed = normalize_url(url)
    connect_args = (
        postgresql_connect_args(parsed)
        if parsed.get_backend_name() == "postgresql"
        else {}
    )
    return create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
