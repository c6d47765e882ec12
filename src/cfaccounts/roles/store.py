"""Custom role rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from ..storage import schema as s


def custom_roles(conn: Connection, account_id: str) -> list[Any]:
    """The account's custom roles, by name then id."""
    r = s.roles.c
    return list(
        conn.execute(
            select(r.id, r.name, r.description, r.permissions)
            .where(r.account_id == account_id)
            .order_by(r.name, r.id)
        ).all()
    )


def custom_role(conn: Connection, account_id: str, role_id: str) -> Any:
    r = s.roles.c
    return conn.execute(
        select(r.id, r.name, r.description, r.permissions).where(
            r.account_id == account_id, r.id == role_id
        )
    ).first()
