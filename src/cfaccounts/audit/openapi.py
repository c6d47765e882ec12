"""OpenAPI fields of the audit-log routes that the shipped reference document does
not carry: the whole v1 list, and the ``.not`` filters of v2 (the reference leaves
them out). The served document takes them from the routes."""

from __future__ import annotations

from typing import Any

from .query import V2_FILTERS


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"in": "query", "name": name, "schema": schema, "description": description}


_TIME = {"type": "string", "format": "date-time"}

_ITEM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "The event's id (UUID form)."},
        "action": {
            "type": "object",
            "properties": {
                "result": {"type": "boolean"},
                "type": {"type": "string", "example": "create"},
            },
        },
        "actor": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "ip": {"type": "string"},
                "type": {"type": "string", "enum": ["user", "admin", "Cloudflare"]},
            },
        },
        "interface": {"type": "string", "example": "API"},
        "metadata": {"type": "object"},
        "newValue": {"type": "string"},
        "newValueJson": {"type": "object"},
        "oldValue": {"type": "string"},
        "oldValueJson": {"type": "object"},
        "owner": {"type": "object", "properties": {"id": {"type": "string"}}},
        "resource": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "type": {"type": "string"}},
        },
        "when": _TIME,
    },
}

V1_OPENAPI: dict[str, Any] = {
    "tags": ["Audit Logs"],
    "description": (
        "Audit events of the account, newest first by default, paged by number."
    ),
    "parameters": [
        _query("id", {"type": "string"}, "Finds a specific log by its ID."),
        _query("action.type", {"type": "string"}, "Filters by the action type."),
        _query("actor.ip", {"type": "string"}, "An IP address or a CIDR range."),
        _query(
            "actor.email",
            {"type": "string", "format": "email"},
            "Filters by the email address of the actor.",
        ),
        _query("since", {"type": "string"}, "A date (2019-04-30) or RFC 3339 time."),
        _query("before", {"type": "string"}, "A date (2019-04-30) or RFC 3339 time."),
        _query("zone.name", {"type": "string"}, "Filters by the zone name."),
        _query(
            "direction",
            {"type": "string", "enum": ["desc", "asc"], "default": "desc"},
            "Changes the direction of the chronological sorting.",
        ),
        _query(
            "per_page",
            {"type": "number", "default": 100, "minimum": 1, "maximum": 1000},
            "Sets the number of results to return per page.",
        ),
        _query(
            "page",
            {"type": "number", "default": 1, "minimum": 1},
            "Defines which page of results to return.",
        ),
        _query(
            "hide_user_logs",
            {"type": "boolean", "default": False},
            "Hides events made through user-level operations (/user...).",
        ),
        _query(
            "export",
            {"type": "boolean", "default": False},
            "Accepted; the answer is JSON either way.",
        ),
    ],
    "responses": {
        "200": {
            "description": "Get account audit logs response",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["success", "errors", "messages", "result"],
                        "properties": {
                            "success": {"type": "boolean", "enum": [True]},
                            "errors": {"type": "array", "items": {"type": "object"}},
                            "messages": {"type": "array", "items": {"type": "object"}},
                            "result": {"type": "array", "items": _ITEM},
                            "result_info": {"type": "object"},
                        },
                    }
                }
            },
        }
    },
}


def _not_filter(name: str) -> dict[str, Any]:
    spec = V2_FILTERS[name]
    item: dict[str, Any] = {
        "type": "integer" if name == "raw_status_code" else "string"
    }
    if spec.choices:
        item["enum"] = list(spec.choices)
    return {
        "in": "query",
        "name": f"{name}.not",
        "schema": {"type": "array", "items": item},
        "explode": True,
        "description": f"Excludes the events whose {name} is one of these values.",
    }


V2_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "in": "query",
            "name": "audit_log_id",
            "schema": {"type": "array", "items": {"type": "string"}},
            "explode": True,
            "deprecated": True,
            "description": "The former name of id.",
        },
        *(_not_filter(name) for name in V2_FILTERS if name != "audit_log_id"),
    ]
}
