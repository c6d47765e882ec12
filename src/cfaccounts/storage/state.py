"""Whole-database operations: is it empty, and wipe it (keeping the schema and the
secret-hashing key)."""

from __future__ import annotations

from sqlalchemy import select

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
    """No users and no accounts. One indexed row probe per table, never a count, so
    that start-up on a large database costs nothing here."""
    with db.read() as conn:
        for table in (s.users, s.accounts):
            if conn.execute(select(table.c.id).limit(1)).first() is not None:
                return False
    return True


def wipe(db: Database) -> None:
    with db.write() as conn:
        for table in _DATA_TABLES:
            conn.execute(table.delete())
