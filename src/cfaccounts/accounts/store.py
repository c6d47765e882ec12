"""Account rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from ..storage import schema as s


def get(conn: Connection, account_id: str) -> Any:
    return conn.execute(select(s.accounts).where(s.accounts.c.id == account_id)).first()
