"""Roles as the API shows them.

A grant in a ``permissions`` object is spelt two ways: the real API sends ``{"read",
"edit"}``, while the published schema and the SDK models read ``{"read", "write"}``, and
stored data may use either. Every grant is sent with all three keys, ``write`` and
``edit`` always equal, so clients of either spelling read the same answer; any extra
flag of a grant (``report``, ``publish``) is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ..catalog import BuiltinRole


def grant(value: Any) -> dict[str, Any]:
    """One grant with ``read``, ``write`` and ``edit`` (``write == edit``)."""
    if not isinstance(value, Mapping):
        value = {}
    edit = bool(value.get("edit") or value.get("write"))
    out: dict[str, Any] = {"read": bool(value.get("read")), "write": edit, "edit": edit}
    for key, extra in value.items():
        if key not in out:
            out[key] = extra
    return out


def permissions(value: Any) -> dict[str, dict[str, Any]]:
    """A whole ``permissions`` object, every grant in the three-key form."""
    if not isinstance(value, Mapping):
        return {}
    return {str(key): grant(g) for key, g in value.items()}


_BUILTIN: dict[str, dict[str, Any]] = {}


def builtin_role(role: BuiltinRole) -> dict[str, Any]:
    """A built-in role; built once per process, since built-in roles never change
    (callers must not modify the answer)."""
    shown = _BUILTIN.get(role.id)
    if shown is None:
        shown = _BUILTIN[role.id] = {
            "id": role.id,
            "name": role.name,
            "description": role.description,
            "permissions": permissions(role.permissions),
        }
    return shown


def custom_role(row: Any) -> dict[str, Any]:
    """A row of the ``roles`` table (id, name, description, permissions JSON)."""
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description or "",
        "permissions": permissions(orjson.loads(row.permissions)),
    }
