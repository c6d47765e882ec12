"""Schema migrations (Alembic), applied by ``cfaccounts migrate`` and at start.

Several instances may start at once against one database: each upgrade runs in one
transaction holding a migration lock (an advisory lock on PostgreSQL, the write lock on
SQLite), so the first applies the migrations and the others, once they get the lock,
find the schema current and do nothing. PostgreSQL runs DDL in the transaction, so a
failed upgrade leaves the schema as it was.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when a migration may be needed: importing it costs a good
# part of a start-up, and a current schema is recognised without it (``_is_current``).

_HERE = Path(__file__).parent / "migrations"

# Distinct from the write lock, so that an upgrade never waits on itself.
MIGRATION_LOCK_KEY = 0x6366616D6967  # "cfamig"
# Upgrades may rewrite whole tables: no statement limit, but a bounded wait for the
# table locks (rather than stalling every request behind a queued ALTER).
_MIGRATION_LOCK_TIMEOUT = "60s"


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    return cfg


def head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the newest by default)."""
    if revision == "head" and _is_current(engine):
        return
    from alembic import command

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


_REVISION_RE = re.compile(r"^revision(?:\s*:[^=]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN_RE = re.compile(r"^down_revision(?:\s*:[^=]+)?\s*=\s*(.+)$", re.M)


def _declared_head() -> str | None:
    """The newest revision, read from the migration files' ``revision`` and
    ``down_revision`` lines without importing Alembic; None when the files are not
    a plain chain (then Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (_HERE / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        rev = _REVISION_RE.search(source)
        down = _DOWN_RE.search(source)
        if rev is None or down is None:
            if path.name == "__init__.py":
                continue
            return None
        revisions.add(rev.group(1))
        value = down.group(1).split("#", 1)[0].strip()
        if value != "None":
            if not re.fullmatch(r"['\"][^'\"]+['\"]", value):
                return None  # a merge point: leave it to Alembic
            parents.add(value[1:-1])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _is_current(engine: Engine) -> bool:
    """True when the database is certainly at the newest revision: one indexed
    read, no Alembic import. False means "maybe not" (Alembic then decides)."""
    newest = _declared_head()
    if newest is None:
        return False
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except Exception:  # no version table yet (a new database), or unreadable
        return False
    return [r[0] for r in rows] == [newest]


def is_current(engine: Engine) -> bool:
    if _is_current(engine):
        return True
    return current(engine) == head()
