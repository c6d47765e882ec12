"""Factories for seed documents, so a test declares only what it is about."""

from __future__ import annotations

import secrets
from typing import Any

from cfaccounts.ids import new_id


def api_key() -> str:
    return secrets.token_hex(16)


def token_value(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(30)[:40]


def allow(account_id: str, *group_ids: str, effect: str = "allow") -> dict[str, Any]:
    """A token policy over one account."""
    return {
        "effect": effect,
        "resources": {f"com.cloudflare.api.account.{account_id}": "*"},
        "permission_groups": [{"id": g} for g in group_ids],
    }


def on_user(user_id: str, *group_ids: str) -> dict[str, Any]:
    """A token policy over the token's own user."""
    return {
        "effect": "allow",
        "resources": {f"com.cloudflare.api.user.{user_id}": "*"},
        "permission_groups": [{"id": g} for g in group_ids],
    }


def user(email: str | None = None, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": new_id(),
        "email": email or f"{new_id()[:12]}@example.com",
    }
    out.update(fields)
    return out


def account(name: str = "Test Account", **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": new_id(), "name": name}
    out.update(fields)
    return out


def member(email: str, *role_ids: str, status: str = "accepted") -> dict[str, Any]:
    return {"id": new_id(), "email": email, "status": status, "roles": list(role_ids)}


def token(
    value: str | None = None, *policies: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": new_id(),
        "name": fields.pop("name", "test token"),
        "value": value or token_value(),
        "policies": list(policies),
    }
    out.update(fields)
    return out
