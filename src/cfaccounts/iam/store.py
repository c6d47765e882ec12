"""Resource group rows."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from ..storage import schema as s

_g = s.resource_groups.c
_COLUMNS = (_g.id, _g.name, _g.scope, _g.meta)


def resource_groups(
    conn: Connection,
    account_id: str,
    *,
    group_id: str | None = None,
    name: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[Any]]:
    """The account's resource groups matching the filters, by name then id, and how
    many match in all."""
    where = [_g.account_id == account_id]
    if group_id is not None:
        where.append(_g.id == group_id)
    if name is not None:
        where.append(_g.name == name)
    total = conn.execute(
        select(func.count()).select_from(s.resource_groups).where(*where)
    ).scalar_one()
    query = select(*_COLUMNS).where(*where).order_by(_g.name, _g.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return int(total), list(conn.execute(query).all())


def resource_group(conn: Connection, account_id: str, group_id: str) -> Any:
    return conn.execute(
        select(*_COLUMNS).where(_g.account_id == account_id, _g.id == group_id)
    ).first()


def by_id(conn: Connection, account_id: str) -> dict[str, Any]:
    """Every resource group of the account, by id."""
    rows = conn.execute(select(*_COLUMNS).where(_g.account_id == account_id)).all()
    return {row.id: row for row in rows}


def insert(conn: Connection, **values: Any) -> None:
    conn.execute(s.resource_groups.insert().values(**values))


def update(conn: Connection, group_id: str, **values: Any) -> None:
    conn.execute(s.resource_groups.update().where(_g.id == group_id).values(**values))


def delete(conn: Connection, group_id: str) -> None:
    conn.execute(s.resource_groups.delete().where(_g.id == group_id))


def members_using(conn: Connection, account_id: str, group_id: str) -> int:
    """How many members of the account have a policy naming the resource group."""
    m = s.members.c
    rows = conn.execute(
        select(m.policies).where(m.account_id == account_id, m.policies.is_not(None))
    ).all()
    return sum(
        1
        for row in rows
        if any(
            g.get("id") == group_id
            for p in orjson.loads(row.policies)
            for g in p.get("resource_groups", ())
        )
    )
