"""Token rows: the SQL behind the token operations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    func,
    not_,
    or_,
    select,
)

from ..storage import schema as s

t = s.tokens.c


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose tokens an operation is about: one user's, or one account's."""

    kind: Literal["user", "account"]
    id: str

    @classmethod
    def user(cls, user_id: str) -> Owner:
        return cls("user", user_id)

    @classmethod
    def account(cls, account_id: str) -> Owner:
        return cls("account", account_id)

    def where(self) -> ColumnElement[bool]:
        column = t.user_id if self.kind == "user" else t.account_id
        return and_(t.kind == self.kind, column == self.id)


def expired(now: str) -> ColumnElement[bool]:
    """Tokens whose status shows as expired at ``now`` (stored so, or active and past
    their ``expires_on``)."""
    return or_(
        t.status == "expired",
        and_(t.status == "active", t.expires_on.is_not(None), t.expires_on <= now),
    )


def page(
    conn: Connection,
    owner: Owner,
    *,
    now: str,
    include_expired: bool,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[list[Any], int]:
    """One page of an owner's tokens in issue order (then id), and the total."""
    where = owner.where()
    if not include_expired:
        where = and_(where, not_(expired(now)))
    total = conn.execute(
        select(func.count()).select_from(s.tokens).where(where)
    ).scalar_one()
    order = (t.issued_on.desc(), t.id.desc()) if descending else (t.issued_on, t.id)
    rows = conn.execute(
        select(s.tokens).where(where).order_by(*order).offset(offset).limit(limit)
    ).all()
    return list(rows), int(total)


def get(conn: Connection, owner: Owner, token_id: str) -> Any:
    return conn.execute(select(s.tokens).where(owner.where(), t.id == token_id)).first()


def count(conn: Connection, owner: Owner) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(s.tokens).where(owner.where())
        ).scalar_one()
    )


def lock_owner(conn: Connection, owner: Owner) -> None:
    """Serialise token creation per owner, so that two concurrent creates cannot both
    pass the quota (PostgreSQL locks the owner's row; SQLite write transactions are
    serial already)."""
    table = s.users if owner.kind == "user" else s.accounts
    conn.execute(
        select(table.c.id).where(table.c.id == owner.id).with_for_update()
    ).first()


def insert(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(s.tokens.insert().values(**values))


def update(conn: Connection, token_id: str, values: dict[str, Any]) -> None:
    conn.execute(s.tokens.update().where(t.id == token_id).values(**values))


def delete(conn: Connection, token_id: str) -> None:
    conn.execute(s.tokens.delete().where(t.id == token_id))


def member_account_ids(conn: Connection, email: str) -> list[str]:
    """The accounts where ``email`` is an accepted member."""
    m = s.members.c
    rows = conn.execute(
        select(m.account_id).where(m.email == email, m.status == "accepted")
    ).all()
    return [row.account_id for row in rows]
