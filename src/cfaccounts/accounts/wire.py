"""Accounts as the API shows them."""

from __future__ import annotations

from typing import Any

import orjson

from .. import times


def account(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "type": row.type,
        "settings": orjson.loads(row.settings),
        "created_on": times.wire(row.created_on),
    }
    if row.managed_by:
        out["managed_by"] = orjson.loads(row.managed_by)
    return out
