"""The reads and the two token actions behind the dashboard."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, func, or_, select

from .. import times
from ..storage import schema as s


def _like(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def accounts(
    conn: Connection, q: str, offset: int, limit: int
) -> tuple[list[Any], int]:
    a = s.accounts.c
    where = (
        or_(func.lower(a.name).like(_like(q), escape="\\"), a.id == q.lower())
        if q
        else None
    )
    members = (
        select(func.count()).where(s.members.c.account_id == a.id).scalar_subquery()
    )
    tokens = select(func.count()).where(s.tokens.c.account_id == a.id).scalar_subquery()
    query = select(
        a.id,
        a.name,
        a.type,
        a.created_on,
        members.label("members"),
        tokens.label("tokens"),
    )
    count = select(func.count()).select_from(s.accounts)
    if where is not None:
        query = query.where(where)
        count = count.where(where)
    rows = conn.execute(query.order_by(a.name, a.id).offset(offset).limit(limit)).all()
    return list(rows), int(conn.execute(count).scalar_one())


def users(conn: Connection, q: str, offset: int, limit: int) -> tuple[list[Any], int]:
    u = s.users.c
    where = (
        or_(
            func.lower(u.email).like(_like(q), escape="\\"),
            u.id == q.lower(),
            func.lower(u.first_name).like(_like(q), escape="\\"),
            func.lower(u.last_name).like(_like(q), escape="\\"),
        )
        if q
        else None
    )
    tokens = (
        select(func.count())
        .where(s.tokens.c.user_id == u.id, s.tokens.c.kind == "user")
        .scalar_subquery()
    )
    query = select(
        u.id, u.email, u.first_name, u.last_name, u.tenant_admin, tokens.label("tokens")
    )
    count = select(func.count()).select_from(s.users)
    if where is not None:
        query = query.where(where)
        count = count.where(where)
    rows = conn.execute(query.order_by(u.email).offset(offset).limit(limit)).all()
    return list(rows), int(conn.execute(count).scalar_one())


def account(conn: Connection, account_id: str) -> Any:
    return conn.execute(select(s.accounts).where(s.accounts.c.id == account_id)).first()


def members(conn: Connection, account_id: str) -> list[Any]:
    m = s.members.c
    u = s.users.c
    return list(
        conn.execute(
            select(
                m.id, m.email, m.status, m.roles, m.policies, u.first_name, u.last_name
            )
            .select_from(s.members.outerjoin(s.users, u.id == m.user_id))
            .where(m.account_id == account_id)
            .order_by(m.email)
        ).all()
    )


def custom_roles(conn: Connection, account_id: str) -> list[Any]:
    r = s.roles.c
    return list(
        conn.execute(
            select(s.roles).where(r.account_id == account_id).order_by(r.name)
        ).all()
    )


def tokens_of(
    conn: Connection, *, account_id: str | None = None, user_id: str | None = None
) -> list[Any]:
    t = s.tokens.c
    query = select(
        t.id,
        t.kind,
        t.name,
        t.status,
        t.issued_on,
        t.modified_on,
        t.last_used_on,
        t.not_before,
        t.expires_on,
        t.policies,
        t.condition,
        t.user_id,
        t.account_id,
    )
    if account_id is not None:
        query = query.where(t.account_id == account_id, t.kind == "account")
    if user_id is not None:
        query = query.where(t.user_id == user_id, t.kind == "user")
    return list(conn.execute(query.order_by(t.name, t.id)).all())


def user(conn: Connection, user_id: str) -> Any:
    return conn.execute(select(s.users).where(s.users.c.id == user_id)).first()


def memberships(conn: Connection, user_id: str) -> list[Any]:
    m = s.members.c
    a = s.accounts.c
    return list(
        conn.execute(
            select(m.id, m.status, m.roles, a.id.label("account_id"), a.name)
            .select_from(s.members.join(s.accounts, a.id == m.account_id))
            .where(m.user_id == user_id)
            .order_by(a.name)
        ).all()
    )


def set_token_status(conn: Connection, token_id: str, status: str) -> bool:
    t = s.tokens.c
    result = conn.execute(
        s.tokens.update()
        .where(t.id == token_id)
        .values(status=status, modified_on=times.now_db())
    )
    return bool(result.rowcount)


def delete_token(conn: Connection, token_id: str) -> bool:
    result = conn.execute(s.tokens.delete().where(s.tokens.c.id == token_id))
    return bool(result.rowcount)


def loads(text: str | None) -> Any:
    return orjson.loads(text) if text else None
