"""Reading audit events of one account, in the order they were recorded.

Events are ordered by ``seq``, the position the database gave each event when it was
written, which follows the time of recording; both lists page on it (v2 with a cursor
holding the last ``seq`` seen, v1 with an offset).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, select

from ..storage import schema as s
from .query import Cursor, V1Query, in_network

t = s.audit_logs


def _ordered(descending: bool) -> Any:
    return t.c.seq.desc() if descending else t.c.seq.asc()


def v2_page(
    conn: Connection,
    account_id: str,
    conditions: Sequence[ColumnElement[bool]],
    *,
    descending: bool,
    cursor: Cursor | None,
    limit: int,
) -> tuple[list[Row[Any]], bool]:
    """Up to ``limit`` events after ``cursor``, and whether more follow."""
    where = [t.c.account_id == account_id, *conditions]
    if cursor is not None:
        where.append(cursor.condition())
    rows = list(
        conn.execute(
            select(t).where(*where).order_by(_ordered(descending)).limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def v1_page(
    conn: Connection,
    account_id: str,
    query: V1Query,
    conditions: Sequence[ColumnElement[bool]],
    *,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[int, list[Row[Any]]]:
    """The number of matching events and one page of them."""
    where = [t.c.account_id == account_id, *query.conditions, *conditions]
    if query.network is None:
        total = conn.execute(
            select(func.count()).select_from(t).where(*where)
        ).scalar_one()
        rows = conn.execute(
            select(t)
            .where(*where)
            .order_by(_ordered(descending))
            .offset(offset)
            .limit(limit)
        )
        return total, list(rows)
    # A CIDR range cannot be matched in portable SQL over text addresses: read the
    # addresses of the candidates, keep those inside the range, then load the page.
    network = query.network
    candidates = conn.execute(
        select(t.c.seq, t.c.actor_ip).where(*where).order_by(_ordered(descending))
    )
    inside: dict[str | None, bool] = {}  # a log holds few distinct addresses
    seqs = []
    for seq, ip in candidates:
        found = inside.get(ip)
        if found is None:
            found = inside[ip] = in_network(network, ip)
        if found:
            seqs.append(seq)
    wanted = seqs[offset : offset + limit]
    if not wanted:
        return len(seqs), []
    rows = conn.execute(
        select(t).where(t.c.seq.in_(wanted)).order_by(_ordered(descending))
    )
    return len(seqs), list(rows)


def event(conn: Connection, account_id: str, event_id: str) -> Row[Any] | None:
    """One event of the account by id."""
    return conn.execute(
        select(t).where(t.c.account_id == account_id, t.c.id == event_id)
    ).first()


def same_resource(source: Row[Any]) -> list[ColumnElement[bool]]:
    """Conditions for the events that changed the resource ``source`` changed."""
    return [
        t.c.resource_type == source.resource_type,
        t.c.resource_id == source.resource_id,
    ]
