"""IAM permission groups and resource groups as the API shows them."""

from __future__ import annotations

import re
from typing import Any

import orjson

from ..catalog import ACCOUNT_SCOPE, BuiltinRole

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def label(name: str) -> str:
    """A permission group's label: its name in lower snake case (``Cloudflare R2
    Admin`` -> ``cloudflare_r2_admin``)."""
    return _NOT_WORD.sub("_", name.lower()).strip("_")


def permission_group(role: BuiltinRole) -> dict[str, Any]:
    """A built-in role shown as an IAM permission group."""
    meta: dict[str, Any] = {
        "label": label(role.name),
        "scopes": ACCOUNT_SCOPE,
        "editable": "false",
    }
    if role.description:
        meta["description"] = role.description
    return {"id": role.id, "name": role.name, "meta": meta}


def resource_group(row: Any) -> dict[str, Any]:
    """A row of ``resource_groups`` (id, name, scope JSON, meta JSON)."""
    scope = orjson.loads(row.scope)
    out: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "scope": {
            "key": scope.get("key", ""),
            "objects": [{"key": o.get("key", "")} for o in scope.get("objects", ())],
        },
    }
    if row.meta:
        out["meta"] = orjson.loads(row.meta)
    return out
