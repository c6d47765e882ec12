"""The reads authentication and authorization make, kept together because they run on
every request."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import orjson
from sqlalchemy import Connection, select

from ..storage import schema as s
from ..storage.database import Database


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


# -- the request path -------------------------------------------------------------
# The same reads as above for the credential and membership checks every request makes,
# as plain SQL on the database's fast path (``Database.fetch_one``): one statement each,
# no transaction, no statement compilation.


class TokenRow(NamedTuple):
    id: str
    name: str
    kind: Literal["user", "account"]
    user_id: str | None
    account_id: str | None
    status: str
    policies: str
    condition: str | None
    not_before: str | None
    expires_on: str | None
    email: str | None  # the owner's, for a user token whose user exists


class UserKeyRow(NamedTuple):
    id: str
    email: str
    api_key_hash: str | None


class MemberRow(NamedTuple):
    id: str
    roles: str
    policies: str | None


_TOKEN_SQL = (
    "SELECT t.id, t.name, t.kind, t.user_id, t.account_id, t.status, t.policies, "
    "t.condition, t.not_before, t.expires_on, u.email "
    "FROM tokens t LEFT JOIN users u ON u.id = t.user_id WHERE t.value_hash = ?"
)
_USER_SQL = "SELECT id, email, api_key_hash FROM users WHERE email = ?"
_MEMBER_SQL = (
    "SELECT id, roles, policies FROM members "
    "WHERE account_id = ? AND email = ? AND status = 'accepted'"
)


def fetch_token(db: Database, value_hash: str) -> TokenRow | None:
    """The token with this value hash, with its owner's email (None if no owner)."""
    row = db.fetch_one(_TOKEN_SQL, (value_hash,))
    return None if row is None else TokenRow(*row)


def fetch_user_key(db: Database, email: str) -> UserKeyRow | None:
    row = db.fetch_one(_USER_SQL, (email,))
    return None if row is None else UserKeyRow(*row)


def fetch_accepted_member(
    db: Database, account_id: str, email: str
) -> MemberRow | None:
    row = db.fetch_one(_MEMBER_SQL, (account_id, email))
    return None if row is None else MemberRow(*row)
