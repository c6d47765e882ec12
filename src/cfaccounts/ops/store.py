"""The SQL of the operator commands: reads for listing and showing, and the three
deletions (accounts, members, tokens). Creation goes through the seed loader, which
validates everything and writes in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from ..storage import schema as s


# -- users -----------------------------------------------------------------------------
def users(conn: Connection) -> list[Any]:
    return list(conn.execute(select(s.users).order_by(s.users.c.email)))


def user(conn: Connection, id_or_email: str) -> Any:
    u = s.users.c
    return conn.execute(
        select(s.users).where(
            or_(u.id == id_or_email, u.email == id_or_email.strip().lower())
        )
    ).first()


def user_by_email(conn: Connection, email: str) -> Any:
    return conn.execute(
        select(s.users).where(s.users.c.email == email.strip().lower())
    ).first()


def memberships(conn: Connection, email: str) -> list[Any]:
    m = s.members.c
    a = s.accounts.c
    return list(
        conn.execute(
            select(
                m.id, m.account_id, m.status, m.roles, m.policies, a.name.label("name")
            )
            .join(s.accounts, a.id == m.account_id)
            .where(m.email == email)
            .order_by(a.name, a.id)
        )
    )


# -- accounts --------------------------------------------------------------------------
def accounts(conn: Connection) -> list[Any]:
    a = s.accounts.c
    members = (
        select(func.count())
        .select_from(s.members)
        .where(s.members.c.account_id == a.id)
        .scalar_subquery()
    )
    return list(
        conn.execute(
            select(s.accounts, members.label("member_count")).order_by(a.name, a.id)
        )
    )


def account(conn: Connection, account_id: str) -> Any:
    return conn.execute(select(s.accounts).where(s.accounts.c.id == account_id)).first()


def delete_account(conn: Connection, account_id: str) -> None:
    """The account and, through the foreign keys, its roles, resource groups,
    members and account-owned tokens; idempotency keys naming it go too, so a
    retried create makes a new account. Its audit log is kept."""
    k = s.idempotency_keys.c
    conn.execute(s.idempotency_keys.delete().where(k.account_id == account_id))
    conn.execute(s.accounts.delete().where(s.accounts.c.id == account_id))


def custom_roles(conn: Connection, account_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(s.roles)
            .where(s.roles.c.account_id == account_id)
            .order_by(s.roles.c.name)
        )
    )


# -- members ---------------------------------------------------------------------------
def members(conn: Connection, account_id: str) -> list[Any]:
    m = s.members.c
    return list(
        conn.execute(
            select(s.members).where(m.account_id == account_id).order_by(m.email, m.id)
        )
    )


def member(conn: Connection, account_id: str, id_or_email: str) -> Any:
    m = s.members.c
    return conn.execute(
        select(s.members).where(
            m.account_id == account_id,
            or_(m.id == id_or_email, m.email == id_or_email.strip().lower()),
        )
    ).first()


def delete_member(conn: Connection, member_id: str) -> None:
    conn.execute(s.members.delete().where(s.members.c.id == member_id))


# -- tokens ----------------------------------------------------------------------------
def tokens(
    conn: Connection, *, user_id: str | None = None, account_id: str | None = None
) -> list[Any]:
    t = s.tokens.c
    query = select(s.tokens).order_by(t.kind.desc(), t.issued_on, t.id)
    if user_id is not None:
        query = query.where(t.kind == "user", t.user_id == user_id)
    if account_id is not None:
        query = query.where(t.kind == "account", t.account_id == account_id)
    return list(conn.execute(query))


def token(conn: Connection, token_id: str) -> Any:
    return conn.execute(select(s.tokens).where(s.tokens.c.id == token_id)).first()


def delete_token(conn: Connection, token_id: str) -> None:
    conn.execute(s.tokens.delete().where(s.tokens.c.id == token_id))
