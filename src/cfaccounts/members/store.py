"""Member rows, each joined with the user of the same email (if one exists yet)."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select

from ..storage import schema as s
from ..storage.database import Database

_m = s.members.c
_u = s.users.c

_JOINED = s.members.outerjoin(s.users, _u.email == _m.email)
_COLUMNS = (
    _m.id,
    _m.account_id,
    _m.user_id,
    _m.email,
    _m.status,
    _m.roles,
    _m.policies,
    _m.created_on,
    _u.id.label("u_id"),
    _u.first_name.label("u_first_name"),
    _u.last_name.label("u_last_name"),
    _u.two_factor_enabled.label("u_two_factor"),
)

# The sort key of each ``order`` value; names sort without regard to case.
_ORDER = {
    "user.first_name": func.lower(_u.first_name),
    "user.last_name": func.lower(_u.last_name),
    "user.email": _m.email,
    "status": _m.status,
}


def page(
    conn: Connection,
    account_id: str,
    *,
    status: str | None,
    order: str | None,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[int, list[Any]]:
    """One page of the account's members and how many match in all. Without ``order``
    members come in the order they were added. Members without a value for the order
    field (an invitation has no user, so no name yet) come last either way."""
    where = [_m.account_id == account_id]
    if status is not None:
        where.append(_m.status == status)
    total = conn.execute(
        select(func.count()).select_from(s.members).where(*where)
    ).scalar_one()
    keys: list[Any] = []
    if order is not None:
        key = _ORDER[order]
        keys += [key.is_(None), key.desc() if descending else key.asc()]
    for tie in (_m.created_on, _m.id):
        keys.append(tie.desc() if descending else tie.asc())
    rows = conn.execute(
        select(*_COLUMNS)
        .select_from(_JOINED)
        .where(*where)
        .order_by(*keys)
        .offset(offset)
        .limit(limit)
    ).all()
    return int(total), list(rows)


def get(conn: Connection, account_id: str, member_id: str) -> Any:
    return conn.execute(
        select(*_COLUMNS)
        .select_from(_JOINED)
        .where(_m.account_id == account_id, _m.id == member_id)
    ).first()


class MemberRow(NamedTuple):
    """A row of ``get``, as the fast path reads it (the same names)."""

    id: str
    account_id: str
    user_id: str | None
    email: str
    status: str
    roles: str
    policies: str | None
    created_on: str
    u_id: str | None
    u_first_name: str | None
    u_last_name: str | None
    u_two_factor: Any  # 0/1 on SQLite, a boolean on PostgreSQL


_FETCH_SQL = (
    "SELECT m.id, m.account_id, m.user_id, m.email, m.status, m.roles, m.policies, "
    "m.created_on, u.id, u.first_name, u.last_name, u.two_factor_enabled "
    "FROM members m LEFT OUTER JOIN users u ON u.email = m.email "
    "WHERE m.account_id = ? AND m.id = ?"
)


def fetch(db: Database, account_id: str, member_id: str) -> MemberRow | None:
    """``get`` on the database's fast path (one statement, no transaction)."""
    row = db.fetch_one(_FETCH_SQL, (account_id, member_id))
    return None if row is None else MemberRow(*row)


def id_by_email(conn: Connection, account_id: str, email: str) -> str | None:
    row = conn.execute(
        select(_m.id).where(_m.account_id == account_id, _m.email == email)
    ).first()
    return None if row is None else str(row.id)


def user_id_by_email(conn: Connection, email: str) -> str | None:
    row = conn.execute(select(_u.id).where(_u.email == email)).first()
    return None if row is None else str(row.id)


def accepted_emails(conn: Connection, account_id: str) -> list[str]:
    rows = conn.execute(
        select(_m.email)
        .where(_m.account_id == account_id, _m.status == "accepted")
        .order_by(_m.created_on, _m.id)
    ).all()
    return [str(r.email) for r in rows]


def insert(conn: Connection, **values: Any) -> None:
    conn.execute(s.members.insert().values(**values))


def update(conn: Connection, member_id: str, **values: Any) -> None:
    conn.execute(s.members.update().where(_m.id == member_id).values(**values))


def delete(conn: Connection, member_id: str) -> None:
    conn.execute(s.members.delete().where(_m.id == member_id))
