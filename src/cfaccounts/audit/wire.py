"""Audit events as the two list operations show them.

Keys whose value is unknown are left out rather than sent as ``null``: the reference
schemas type them as plain strings and objects.
"""

from __future__ import annotations

from typing import Any

import orjson

from .. import times
from .query import SCOPE_PREFIXES

# v1 knows three actor types; an account acting through its own token has no v1 name.
_V1_ACTOR_TYPES = {"user": "user", "cloudflare_admin": "admin", "system": "Cloudflare"}


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _load(text: str | None) -> Any:
    return orjson.loads(text) if text is not None else None


def scope_of(uri: str | None) -> str:
    """The resource scope of an event: the kind of object its URI starts from."""
    if uri:
        for scope, prefix in SCOPE_PREFIXES.items():
            if uri == prefix or uri.startswith(prefix + "/"):
                return scope
    return "accounts"


def _scope(row: Any) -> dict[str, Any]:
    scope = scope_of(row.raw_uri)
    owner = row.account_id if scope == "accounts" else row.actor_id
    return _compact({"type": scope, "id": owner})


def _object(value: Any) -> Any:
    # request/response are objects in the schema; a recorded state that is not an
    # object (never the case for the resources of this family) is wrapped.
    if value is None or isinstance(value, dict):
        return value
    return {"value": value}


def v2(row: Any) -> dict[str, Any]:
    """One event in the Audit Logs v2 shape."""
    return {
        "id": row.id,
        "account": _compact({"id": row.account_id, "name": row.account_name}),
        "action": _compact(
            {
                "description": row.action_description,
                "result": row.action_result,
                "time": times.wire(row.time),
                "type": row.action_type,
            }
        ),
        "actor": _compact(
            {
                "id": row.actor_id,
                "context": row.actor_context,
                "email": row.actor_email,
                "ip_address": row.actor_ip,
                "token_id": row.actor_token_id,
                "token_name": row.actor_token_name,
                "type": row.actor_type,
            }
        ),
        "raw": _compact(
            {
                "cf_ray_id": row.cf_ray,
                "method": row.raw_method,
                "status_code": row.raw_status,
                "uri": row.raw_uri,
                "user_agent": row.user_agent,
            }
        ),
        "resource": _compact(
            {
                "id": row.resource_id,
                "product": row.resource_product,
                "request": _object(_load(row.before)),
                "response": _object(_load(row.after)),
                "scope": _scope(row),
                "type": row.resource_type,
            }
        ),
    }


def uuid_form(event_id: str) -> str:
    """A 32-hex id in the 8-4-4-4-12 form v1 shows ids in."""
    h = event_id
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" if len(h) == 32 else h


def v1(row: Any) -> dict[str, Any]:
    """One event in the v1 (``/audit_logs``) shape. ``oldValue``/``newValue`` are the
    states as JSON text, ``oldValueJson``/``newValueJson`` the same as objects."""
    before, after = _load(row.before), _load(row.after)
    return _compact(
        {
            "id": uuid_form(row.id),
            "action": {
                "result": row.action_result == "success",
                "type": row.action_type,
            },
            "actor": _compact(
                {
                    "id": row.actor_id,
                    "email": row.actor_email,
                    "ip": row.actor_ip,
                    "type": _V1_ACTOR_TYPES.get(row.actor_type),
                }
            ),
            "interface": "API",
            "metadata": _compact(
                {
                    "description": row.action_description,
                    "product": row.resource_product,
                    "context": row.actor_context,
                    "token_id": row.actor_token_id,
                    "token_name": row.actor_token_name,
                    "cf_ray_id": row.cf_ray,
                    "uri": row.raw_uri,
                }
            ),
            "newValue": row.after,
            "newValueJson": after,
            "oldValue": row.before,
            "oldValueJson": before,
            "owner": {"id": row.account_id},
            "resource": _compact({"id": row.resource_id, "type": row.resource_type}),
            "when": times.wire(row.time),
        }
    )
