"""The member rows of one user, each with its account.

A user's memberships are the member rows bearing the user's email: invitations
(``pending``) may predate the user, so the email, not the user id, is what ties them
together (as it is for authorization).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import orjson
from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from ..storage import schema as s

Order = Literal["member_id", "account_id", "account_name", "status"]

_m = s.members.c
_a = s.accounts.c

_COLUMNS = (
    _m.id,
    _m.account_id,
    _m.user_id,
    _m.email,
    _m.status,
    _m.roles,
    _m.policies,
    _m.created_on,
    _a.name.label("account_name"),
    _a.type.label("account_type"),
    _a.settings.label("account_settings"),
    _a.created_on.label("account_created_on"),
    _a.managed_by.label("account_managed_by"),
)


def _joined() -> Any:
    return s.members.join(s.accounts, s.accounts.c.id == _m.account_id)


def name_contains(text: str) -> ColumnElement[bool]:
    """The account name contains ``text``, ignoring case."""
    return func.lower(_a.name).contains(text.lower(), autoescape=True)


def status_is(*statuses: str) -> ColumnElement[bool]:
    return _m.status.in_(statuses)


def _order_column(conn: Connection, order: Order) -> Any:
    if order == "member_id":
        return _m.id
    if order == "account_id":
        return _a.id
    if order == "status":
        return _m.status
    if conn.dialect.name == "postgresql":
        return _a.name.collate("C")  # byte order, as on SQLite
    return _a.name


def list_for_email(
    conn: Connection,
    email: str,
    *,
    filters: Sequence[ColumnElement[bool]] = (),
    match_any: bool = False,
    order: Order = "account_name",
    descending: bool = False,
    limit: int | None,
    offset: int = 0,
) -> tuple[list[Any], int]:
    """One page of the member rows for ``email`` (with their accounts) and the total.
    ``filters`` must all hold, or with ``match_any`` at least one. Ties are broken by
    member id, in the same direction."""
    where = _m.email == email
    if filters:
        where = and_(where, or_(*filters) if match_any else and_(*filters))
    total = conn.execute(
        select(func.count()).select_from(_joined()).where(where)
    ).scalar_one()
    primary = _order_column(conn, order)
    keys = [primary] if order == "member_id" else [primary, _m.id]
    query = (
        select(*_COLUMNS)
        .select_from(_joined())
        .where(where)
        .order_by(*(k.desc() if descending else k.asc() for k in keys))
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(conn.execute(query).all()), int(total)


def all_for_email(conn: Connection, email: str) -> list[Any]:
    """Every member row for ``email``, by account name (for the user object)."""
    rows, _ = list_for_email(conn, email, limit=None)
    return rows


def get(conn: Connection, member_id: str, email: str) -> Any:
    """The member row ``member_id`` if it is ``email``'s, else None."""
    return conn.execute(
        select(*_COLUMNS)
        .select_from(_joined())
        .where(_m.id == member_id, _m.email == email)
    ).first()


def get_by_account(conn: Connection, account_id: str, email: str) -> Any:
    """``email``'s member row in an account, if any."""
    return conn.execute(
        select(*_COLUMNS)
        .select_from(_joined())
        .where(_m.account_id == account_id, _m.email == email)
    ).first()


def accept(conn: Connection, member_id: str, user_id: str) -> None:
    conn.execute(
        s.members.update()
        .where(_m.id == member_id)
        .values(status="accepted", user_id=user_id)
    )


def delete(conn: Connection, member_id: str) -> None:
    conn.execute(s.members.delete().where(_m.id == member_id))


def accepted_emails(conn: Connection, account_id: str) -> list[str]:
    """The emails of an account's accepted members."""
    rows = conn.execute(
        select(_m.email).where(_m.account_id == account_id, _m.status == "accepted")
    ).all()
    return [str(r.email) for r in rows]


def custom_roles(
    conn: Connection, account_id: str, role_ids: Sequence[str]
) -> dict[str, Any]:
    """The account's custom roles among ``role_ids``, by id."""
    if not role_ids:
        return {}
    r = s.roles.c
    rows = conn.execute(
        select(r.id, r.name, r.permissions).where(
            r.account_id == account_id, r.id.in_(list(role_ids))
        )
    ).all()
    return {row.id: row for row in rows}


def resource_groups(
    conn: Connection, account_id: str, group_ids: Sequence[str]
) -> dict[str, Any]:
    if not group_ids:
        return {}
    g = s.resource_groups.c
    rows = conn.execute(
        select(g.id, g.name, g.scope, g.meta).where(
            g.account_id == account_id, g.id.in_(list(group_ids))
        )
    ).all()
    return {row.id: row for row in rows}


def json_list(text: str | None) -> list[Any]:
    if not text:
        return []
    value = orjson.loads(text)
    return value if isinstance(value, list) else []
