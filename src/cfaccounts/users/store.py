"""User rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from ..storage import schema as s


def get(conn: Connection, user_id: str) -> Any:
    return conn.execute(select(s.users).where(s.users.c.id == user_id)).first()


def is_tenant_admin(conn: Connection, user_id: str) -> bool:
    row = conn.execute(
        select(s.users.c.tenant_admin).where(s.users.c.id == user_id)
    ).first()
    return bool(row is not None and row.tenant_admin)


def update(conn: Connection, user_id: str, **values: Any) -> None:
    conn.execute(s.users.update().where(s.users.c.id == user_id).values(**values))
