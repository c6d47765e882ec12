"""Schema migrations (Alembic), applied by ``cfaccounts migrate`` and at start.

Several instances may start at once against one database: each upgrade runs in one
transaction holding a migration lock (an advisory lock on PostgreSQL, the write lock on
SQLite), so the first applies the migrations and the others, once they get the lock,
find the schema current and do nothing. PostgreSQL runs DDL in the transaction, so a
failed upgrade leaves the schema as it was.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

_HERE = Path(__file__).parent / "migrations"

# Distinct from the write lock, so that an upgrade never waits on itself.
MIGRATION_LOCK_KEY = 0x6366616D6967  # "cfamig"
# Upgrades may rewrite whole tables: no statement limit, but a bounded wait for the
# table locks (rather than stalling every request behind a queued ALTER).
_MIGRATION_LOCK_TIMEOUT = "60s"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    return cfg


def head() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the newest by default)."""
    cfg = _config()
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.info["begin"] = "IMMEDIATE"
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
                conn.exec_driver_sql(
                    f"SET LOCAL lock_timeout = '{_MIGRATION_LOCK_TIMEOUT}'"
                )
                conn.exec_driver_sql(
                    f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"
                )
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)


def is_current(engine: Engine) -> bool:
    return current(engine) == head()
