"""OpenAPI fields of the membership routes, which the shipped reference document does
not describe. The served document takes them from the routes."""

from __future__ import annotations

from typing import Any

_ID = {"type": "string", "pattern": "^[0-9a-f]{32}$"}

_GRANT = {
    "type": "object",
    "properties": {"read": {"type": "boolean"}, "write": {"type": "boolean"}},
}

MEMBERSHIP: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {**_ID, "description": "Membership identifier tag (the member id)."},
        "account": {"type": "object", "description": "The Account."},
        "permissions": {
            "type": "object",
            "description": "Read and write per permission key, from the roles.",
            "additionalProperties": _GRANT,
        },
        "roles": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Names of the membership's roles.",
        },
        "status": {"type": "string", "enum": ["accepted", "pending", "rejected"]},
        "policies": {
            "type": "array",
            "items": {"type": "object"},
            "description": "The member's policies (details and update only).",
        },
    },
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"in": "query", "name": name, "schema": schema, "description": description}


def _answer(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["success", "errors", "messages", "result"],
                        "properties": {
                            "success": {"type": "boolean", "enum": [True]},
                            "errors": {"type": "array", "items": {}},
                            "messages": {"type": "array", "items": {}},
                            "result": schema,
                        },
                    }
                }
            },
        }
    }


_TAGS = ["User's Account Memberships"]

LIST: dict[str, Any] = {
    "tags": _TAGS,
    "description": "Memberships of the calling user, accepted and pending.",
    "parameters": [
        _query(
            "account.name",
            {"type": "string", "maxLength": 100},
            "Account name contains this, ignoring case.",
        ),
        _query(
            "name",
            {"type": "string", "maxLength": 100},
            "Account name contains this, ignoring case.",
        ),
        _query(
            "status",
            {"type": "string", "enum": ["accepted", "pending", "rejected"]},
            "Status of the membership.",
        ),
        _query(
            "order",
            {"type": "string", "enum": ["id", "account.name", "status"]},
            "Field to order memberships by (default account.name).",
        ),
        _query("direction", {"type": "string", "enum": ["asc", "desc"]}, "Direction."),
        _query("page", {"type": "number", "default": 1, "minimum": 1}, "Page number."),
        _query(
            "per_page",
            {"type": "number", "default": 20, "minimum": 5, "maximum": 50},
            "Memberships per page.",
        ),
    ],
    "responses": _answer({"type": "array", "items": MEMBERSHIP}, "One page."),
}

DETAILS: dict[str, Any] = {
    "tags": _TAGS,
    "description": "One membership of the calling user.",
    "responses": _answer(MEMBERSHIP, "The membership."),
}

UPDATE: dict[str, Any] = {
    "tags": _TAGS,
    "description": (
        "Accept or reject a pending invitation. A rejected invitation is removed."
    ),
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["status"],
                    "additionalProperties": False,
                    "properties": {
                        "status": {"type": "string", "enum": ["accepted", "rejected"]}
                    },
                }
            }
        },
    },
    "responses": _answer(MEMBERSHIP, "The membership after the answer."),
}

DELETE: dict[str, Any] = {
    "tags": _TAGS,
    "description": "Leave the account (or decline a pending invitation).",
    "responses": _answer(
        {"type": "object", "required": ["id"], "properties": {"id": _ID}},
        "The id of the membership removed.",
    ),
}
