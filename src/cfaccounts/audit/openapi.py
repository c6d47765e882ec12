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


def _envelope(result: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    return {
        "200": {
            "description": "Successful response",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["success", "errors", "result"],
                        "properties": {
                            "success": {"type": "boolean", "enum": [True]},
                            "errors": {"type": "array", "items": {"type": "object"}},
                            "messages": {"type": "array", "items": {"type": "object"}},
                            "result": result,
                            "result_info": info,
                        },
                    }
                }
            },
        }
    }


_PRODUCT = {
    "type": "object",
    "properties": {"label": {"type": "string"}, "value": {"type": "string"}},
}

CATEGORIES_OPENAPI: dict[str, Any] = {
    "tags": ["Audit Logs"],
    "description": (
        "The product categories the product_category filter of the v2 list takes, "
        "and the resource products each one expands to."
    ),
    "responses": _envelope(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "label": {"type": "string"},
                    "value": {"type": "string"},
                    "products": {"type": "array", "items": _PRODUCT},
                },
            },
        },
        {"type": "object"},
    ),
}

HISTORY_OPENAPI: dict[str, Any] = {
    "tags": ["Audit Logs"],
    "description": (
        "The events that changed the resource of the given event, within the "
        "since/before window, cursor-paged like the list."
    ),
    "parameters": [
        {
            "in": "query",
            "name": name,
            "required": name != "cursor",
            "schema": {"type": "string"},
            "description": description,
        }
        for name, description in (
            ("action_time", "The action.time of the event named by id."),
            ("since", "A date (2019-04-30) or RFC 3339 time; inclusive."),
            ("before", "A date (2019-04-30) or RFC 3339 time; exclusive."),
            ("cursor", "The cursor of the previous page."),
        )
    ]
    + [
        {
            "in": "query",
            "name": "direction",
            "schema": {"type": "string", "enum": ["desc", "asc"], "default": "desc"},
        },
        {
            "in": "query",
            "name": "limit",
            "schema": {"type": "number", "minimum": 1, "maximum": 1000, "default": 100},
        },
    ],
    "responses": _envelope(
        {"type": "array", "items": {"$ref": "#/components/schemas/aaaAuditLogsV2"}},
        {
            "type": "object",
            "properties": {
                "count": {"type": "string"},
                "cursor": {"type": "string"},
                "history_status": {
                    "type": "string",
                    "enum": ["exact", "approximate", "unavailable"],
                },
            },
        },
    ),
}
