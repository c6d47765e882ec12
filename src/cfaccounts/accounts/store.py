"""Account rows, and the rows an account's creation and deletion touch."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, NamedTuple

import orjson
from sqlalchemy import ColumnElement, Connection, and_, func, select, true

from ..storage import schema as s
from ..storage.database import Database


def get(conn: Connection, account_id: str) -> Any:
    return conn.execute(select(s.accounts).where(s.accounts.c.id == account_id)).first()


class AccountRow(NamedTuple):
    id: str
    name: str
    type: str
    created_on: str
    managed_by: str | None
    settings: str


_FETCH_SQL = (
    "SELECT id, name, type, created_on, managed_by, settings FROM accounts WHERE id = ?"
)


def fetch(db: Database, account_id: str) -> AccountRow | None:
    """``get`` on the database's fast path (one statement, no transaction), for the
    Account Details read that most requests are."""
    row = db.fetch_one(_FETCH_SQL, (account_id,))
    return None if row is None else AccountRow(*row)


def _name_order(conn: Connection) -> ColumnElement[Any]:
    # Byte order on both databases, so a list reads the same on SQLite and on a
    # PostgreSQL whose default collation would otherwise sort by locale.
    name = s.accounts.c.name
    if conn.dialect.name == "postgresql":
        return name.collate("C")
    return name


def list_for_member(
    conn: Connection,
    *,
    email: str,
    include: Collection[str] | None,
    exclude: Collection[str],
    name: str | None,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """One page of the accounts where ``email`` is an accepted member, sorted by
    name then id, and their total. ``include`` (when not None) keeps only those ids;
    ``exclude`` drops ids; ``name`` keeps names containing it, ignoring case."""
    a = s.accounts.c
    m = s.members.c
    # Driven from the caller's memberships (members.email is indexed; account_id and
    # email are unique together, so the join repeats no account): the cost follows
    # the caller's accounts, not the size of the accounts table.
    joined = s.accounts.join(
        s.members,
        and_(m.account_id == a.id, m.email == email, m.status == "accepted"),
    )
    conditions: list[ColumnElement[bool]] = [true()]
    if include is not None:
        if not include:
            return [], 0
        conditions.append(a.id.in_(sorted(include)))
    if exclude:
        conditions.append(a.id.not_in(sorted(exclude)))
    if name:
        conditions.append(func.lower(a.name).contains(name.lower(), autoescape=True))
    where = and_(*conditions)
    total = conn.execute(
        select(func.count()).select_from(joined).where(where)
    ).scalar_one()
    key = _name_order(conn)
    order = (key.desc(), a.id.desc()) if descending else (key.asc(), a.id.asc())
    rows = conn.execute(
        select(s.accounts)
        .select_from(joined)
        .where(where)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def page_for_member(
    db: Database,
    *,
    email: str,
    include: Collection[str] | None,
    exclude: Collection[str],
    name: str | None,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[AccountRow], int]:
    """``list_for_member`` in one statement on the database's fast path: the page and
    the total come from the same snapshot (the total as a scalar subquery, which the
    database evaluates once; a window count made it sort every matching row whole);
    only a page past the end, which has no rows to carry the total, costs a second
    statement."""
    where = ["m.account_id = a.id", "m.email = ?", "m.status = 'accepted'"]
    params: list[Any] = [email]
    if include is not None:
        if not include:
            return [], 0
        ids = sorted(include)
        where.append(f"a.id IN ({', '.join('?' for _ in ids)})")
        params += ids
    if exclude:
        ids = sorted(exclude)
        where.append(f"a.id NOT IN ({', '.join('?' for _ in ids)})")
        params += ids
    if name:
        escaped = name.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
        where.append("lower(a.name) LIKE ? ESCAPE '/'")
        params.append(f"%{escaped}%")
    # Byte order on both databases (see _name_order).
    key = "a.name" if db.is_sqlite else 'a.name COLLATE "C"'
    way = "DESC" if descending else "ASC"
    body = f"FROM accounts a JOIN members m ON {' AND '.join(where)}"
    rows = db.fetch_all(
        "SELECT a.id, a.name, a.type, a.created_on, a.managed_by, a.settings, "
        f"(SELECT count(*) {body}) {body} "
        f"ORDER BY {key} {way}, a.id {way} LIMIT ? OFFSET ?",
        (*params, *params, limit, offset),
    )
    if rows:
        return [AccountRow(*r[:6]) for r in rows], int(rows[0][6])
    total = db.fetch_one(f"SELECT count(*) {body}", tuple(params))
    return [], int(total[0]) if total else 0


def insert(conn: Connection, **values: Any) -> None:
    conn.execute(s.accounts.insert().values(**values))


def update(conn: Connection, account_id: str, **values: Any) -> None:
    conn.execute(
        s.accounts.update().where(s.accounts.c.id == account_id).values(**values)
    )


def delete(conn: Connection, account_id: str) -> None:
    """Delete an account. Its roles, resource groups, members and account-owned tokens
    go with it through the foreign keys; idempotency keys that named it are dropped
    so that a retried create makes a new account rather than pointing at nothing."""
    k = s.idempotency_keys.c
    conn.execute(s.idempotency_keys.delete().where(k.account_id == account_id))
    conn.execute(s.accounts.delete().where(s.accounts.c.id == account_id))


def add_member(
    conn: Connection,
    *,
    member_id: str,
    account_id: str,
    user_id: str,
    email: str,
    role_ids: list[str],
    created_on: str,
) -> None:
    """An accepted member holding ``role_ids``."""
    conn.execute(
        s.members.insert().values(
            id=member_id,
            account_id=account_id,
            user_id=user_id,
            email=email,
            status="accepted",
            roles=orjson.dumps(role_ids).decode(),
            policies=None,
            created_on=created_on,
        )
    )


def idempotent_account(conn: Connection, user_id: str, key: str) -> str | None:
    """The account an earlier create by this user with this key made, if any."""
    k = s.idempotency_keys.c
    row = conn.execute(
        select(k.account_id).where(k.user_id == user_id, k.key == key)
    ).first()
    return None if row is None else str(row.account_id)


def remember_idempotency_key(
    conn: Connection, *, user_id: str, key: str, account_id: str, created_on: str
) -> None:
    conn.execute(
        s.idempotency_keys.insert().values(
            user_id=user_id, key=key, account_id=account_id, created_on=created_on
        )
    )
