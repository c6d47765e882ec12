"""Rows as the operator commands show them: plain values, times in RFC 3339, role and
permission-group names beside their ids, and never a secret or its hash."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from .. import times

if TYPE_CHECKING:
    from ..catalog import Catalogue


def user(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "email": row.email,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "api_key": bool(row.api_key_hash),
        "suspended": bool(row.suspended),
        "created_on": times.wire(row.created_on),
    }


def account(row: Any) -> dict[str, Any]:
    out = {
        "id": row.id,
        "name": row.name,
        "type": row.type,
        "created_on": times.wire(row.created_on),
        "settings": orjson.loads(row.settings),
    }
    if hasattr(row, "member_count"):
        out["members"] = row.member_count
    return out


def role_names(
    role_ids: list[str], catalogue: Catalogue, custom: dict[str, str]
) -> list[str]:
    names = []
    for rid in role_ids:
        builtin = catalogue.roles_by_id.get(rid)
        names.append(builtin.name if builtin else custom.get(rid, rid))
    return names


def member(row: Any, catalogue: Catalogue, custom: dict[str, str]) -> dict[str, Any]:
    role_ids = orjson.loads(row.roles)
    return {
        "id": row.id,
        "account_id": row.account_id,
        "email": row.email,
        "user_id": row.user_id,
        "status": row.status,
        "roles": [
            {"id": rid, "name": name}
            for rid, name in zip(
                role_ids, role_names(role_ids, catalogue, custom), strict=True
            )
        ],
        "policies": orjson.loads(row.policies) if row.policies else [],
        "created_on": times.wire(row.created_on),
    }


def token(row: Any, catalogue: Catalogue) -> dict[str, Any]:
    policies = orjson.loads(row.policies)
    for policy in policies:
        for group in policy.get("permission_groups", ()):
            known = catalogue.groups_by_id.get(group.get("id"))
            if known is not None:
                group["name"] = known.name
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "status": row.status,
        "user_id": row.user_id,
        "account_id": row.account_id,
        "issued_on": times.wire(row.issued_on),
        "modified_on": times.wire(row.modified_on),
        "last_used_on": times.wire(row.last_used_on),
        "not_before": times.wire(row.not_before),
        "expires_on": times.wire(row.expires_on),
        "policies": policies,
        "condition": orjson.loads(row.condition) if row.condition else None,
    }
