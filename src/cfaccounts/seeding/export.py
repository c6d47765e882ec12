"""Export the whole state as a seed document that loads back. Secrets appear only as
their hashes (``api_key_hash``, ``value_hash``), which load back as they are."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, select

from ..storage import schema as s
from .load import account_resource_group_id


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _token(row: Any) -> dict[str, Any]:
    return _drop_none(
        {
            "id": row.id,
            "name": row.name,
            "status": row.status,
            "value_hash": row.value_hash,
            "issued_on": row.issued_on,
            "modified_on": row.modified_on,
            "last_used_on": row.last_used_on,
            "not_before": row.not_before,
            "expires_on": row.expires_on,
            "policies": orjson.loads(row.policies),
            "condition": orjson.loads(row.condition) if row.condition else None,
            "creator_email": row.creator_email,
        }
    )


def export_state(conn: Connection) -> dict[str, Any]:
    tokens_by_user: dict[str, list[dict[str, Any]]] = {}
    tokens_by_account: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute(select(s.tokens).order_by(s.tokens.c.id)):
        if row.kind == "user":
            tokens_by_user.setdefault(row.user_id, []).append(_token(row))
        else:
            tokens_by_account.setdefault(row.account_id, []).append(_token(row))
    users = []
    for u in conn.execute(select(s.users).order_by(s.users.c.email)):
        users.append(
            _drop_none(
                {
                    "id": u.id,
                    "email": u.email,
                    "first_name": u.first_name,
                    "last_name": u.last_name,
                    "telephone": u.telephone,
                    "country": u.country,
                    "zipcode": u.zipcode,
                    "api_key_hash": u.api_key_hash,
                    "tenant_admin": u.tenant_admin or None,
                    "two_factor_authentication_enabled": u.two_factor_enabled or None,
                    "suspended": u.suspended or None,
                    "tokens": tokens_by_user.get(u.id),
                }
            )
        )
    roles: dict[str, list[dict[str, Any]]] = {}
    for r in conn.execute(select(s.roles).order_by(s.roles.c.account_id, s.roles.c.id)):
        roles.setdefault(r.account_id, []).append(
            {
                "id": r.id,
                "name": r.name,
                "description": r.description,
                "permissions": orjson.loads(r.permissions),
            }
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    for g in conn.execute(select(s.resource_groups).order_by(s.resource_groups.c.id)):
        if g.id == account_resource_group_id(g.account_id):
            continue  # implicit in every account
        groups.setdefault(g.account_id, []).append(
            _drop_none(
                {
                    "id": g.id,
                    "name": g.name,
                    "scope": orjson.loads(g.scope),
                    "meta": orjson.loads(g.meta) if g.meta else None,
                }
            )
        )
    members: dict[str, list[dict[str, Any]]] = {}
    for m in conn.execute(
        select(s.members).order_by(s.members.c.account_id, s.members.c.created_on)
    ):
        members.setdefault(m.account_id, []).append(
            _drop_none(
                {
                    "id": m.id,
                    "email": m.email,
                    "status": m.status,
                    "roles": orjson.loads(m.roles) or None,
                    "policies": orjson.loads(m.policies) if m.policies else None,
                }
            )
        )
    accounts = []
    for a in conn.execute(
        select(s.accounts).order_by(s.accounts.c.name, s.accounts.c.id)
    ):
        accounts.append(
            _drop_none(
                {
                    "id": a.id,
                    "name": a.name,
                    "type": a.type,
                    "created_on": a.created_on,
                    "managed_by": orjson.loads(a.managed_by) if a.managed_by else None,
                    "settings": orjson.loads(a.settings),
                    "roles": roles.get(a.id),
                    "resource_groups": groups.get(a.id),
                    "members": members.get(a.id),
                    "tokens": tokens_by_account.get(a.id),
                }
            )
        )
    return {"users": users, "accounts": accounts}
