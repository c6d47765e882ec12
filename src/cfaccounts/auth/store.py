"""The reads authentication and authorization make, kept together because they run on
every request."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, select

from ..storage import schema as s


def user_by_email(conn: Connection, email: str) -> Any:
    return conn.execute(
        select(s.users.c.id, s.users.c.email, s.users.c.api_key_hash).where(
            s.users.c.email == email
        )
    ).first()


def token_by_hash(conn: Connection, value_hash: str) -> Any:
    t = s.tokens.c
    return conn.execute(
        select(
            t.id,
            t.name,
            t.kind,
            t.user_id,
            t.account_id,
            t.status,
            t.policies,
            t.condition,
            t.not_before,
            t.expires_on,
        ).where(t.value_hash == value_hash)
    ).first()


def user_email(conn: Connection, user_id: str) -> str | None:
    row = conn.execute(select(s.users.c.email).where(s.users.c.id == user_id)).first()
    return None if row is None else str(row[0])


def accepted_member(conn: Connection, account_id: str, email: str) -> Any:
    m = s.members.c
    return conn.execute(
        select(m.id, m.roles, m.policies).where(
            m.account_id == account_id, m.email == email, m.status == "accepted"
        )
    ).first()


def custom_roles(conn: Connection, account_id: str) -> dict[str, dict[str, Any]]:
    r = s.roles.c
    rows = conn.execute(
        select(r.id, r.permissions).where(r.account_id == account_id)
    ).all()
    return {row.id: orjson.loads(row.permissions) for row in rows}


def resource_groups(conn: Connection, account_id: str) -> dict[str, dict[str, Any]]:
    g = s.resource_groups.c
    rows = conn.execute(select(g.id, g.scope).where(g.account_id == account_id)).all()
    return {row.id: orjson.loads(row.scope) for row in rows}
