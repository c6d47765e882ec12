"""Whole-database operations: is it empty, and wipe it (keeping the schema and the
secret-hashing key)."""

from __future__ import annotations

from sqlalchemy import func, select

from . import schema as s
from .database import Database

# Children before parents, so foreign keys hold at every step.
_DATA_TABLES = (
    s.audit_logs,
    s.tokens,
    s.members,
    s.roles,
    s.resource_groups,
    s.idempotency_keys,
    s.accounts,
    s.users,
)


def is_empty(db: Database) -> bool:
    with db.read() as conn:
        users = conn.execute(select(func.count()).select_from(s.users)).scalar_one()
        accounts = conn.execute(
            select(func.count()).select_from(s.accounts)
        ).scalar_one()
    return users == 0 and accounts == 0


def wipe(db: Database) -> None:
    with db.write() as conn:
        for table in _DATA_TABLES:
            conn.execute(table.delete())
