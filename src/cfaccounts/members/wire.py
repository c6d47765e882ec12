"""Members as the API shows them: roles as full Role objects, policies with their
permission and resource groups spelled out, and the user behind the membership (for an
invitation to someone without a user yet, just the email)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection

from ..catalog import Catalogue
from ..iam import store as iam_store
from ..iam import wire as iam_wire
from ..roles import store as role_store
from ..roles import wire as role_wire


@dataclass
class Context:
    """What shaping the members of one account needs, read at most once per request
    and only when a member needs it: most members hold built-in roles and no
    policies, and are shaped from the catalogue alone."""

    catalogue: Catalogue
    conn: Connection | None  # None: shaped from the catalogue alone
    account_id: str
    _custom_roles: dict[str, Any] | None = None
    _resource_groups: dict[str, Any] | None = None
    _roles: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection, account_id: str, catalogue: Catalogue) -> Context:
        """A context reading from ``conn``, which must stay open while it is used."""
        return cls(catalogue, conn, account_id)

    @classmethod
    def catalogue_only(cls, catalogue: Catalogue) -> Context:
        """A context for a member that ``shaped_from_catalogue`` accepts."""
        return cls(catalogue, None, "")

    def _reader(self) -> Connection:
        if self.conn is None:
            raise RuntimeError("this member needs its account's roles or groups")
        return self.conn

    @property
    def custom_roles(self) -> dict[str, Any]:
        if self._custom_roles is None:
            self._custom_roles = {
                r.id: r
                for r in role_store.custom_roles(self._reader(), self.account_id)
            }
        return self._custom_roles

    @property
    def resource_groups(self) -> dict[str, Any]:
        if self._resource_groups is None:
            self._resource_groups = iam_store.by_id(self._reader(), self.account_id)
        return self._resource_groups

    def role(self, role_id: str) -> dict[str, Any] | None:
        if role_id not in self._roles:
            builtin = self.catalogue.roles_by_id.get(role_id)
            if builtin is not None:
                self._roles[role_id] = role_wire.builtin_role(builtin)
            else:
                custom = self.custom_roles.get(role_id)
                self._roles[role_id] = (
                    role_wire.custom_role(custom) if custom is not None else None
                )
        return self._roles[role_id]


def shaped_from_catalogue(row: Any, catalogue: Catalogue) -> bool:
    """Whether a member row needs nothing but the catalogue to be shaped: built-in
    roles only, and no policies (which name the account's resource groups)."""
    if row.policies and orjson.loads(row.policies):
        return False
    builtin = catalogue.roles_by_id
    return all(role_id in builtin for role_id in orjson.loads(row.roles))


def _user(row: Any) -> dict[str, Any]:
    if row.u_id is None:
        return {
            "email": row.email,
            "first_name": None,
            "last_name": None,
            "two_factor_authentication_enabled": False,
        }
    return {
        "id": row.u_id,
        "email": row.email,
        "first_name": row.u_first_name,
        "last_name": row.u_last_name,
        "two_factor_authentication_enabled": bool(row.u_two_factor),
    }


def _policy(policy: dict[str, Any], ctx: Context) -> dict[str, Any]:
    permission_groups = []
    for g in policy.get("permission_groups", ()):
        role = ctx.catalogue.roles_by_id.get(g.get("id"))
        if role is not None:
            permission_groups.append(iam_wire.permission_group(role))
    resource_groups = []
    for g in policy.get("resource_groups", ()):
        row = ctx.resource_groups.get(g.get("id"))
        if row is not None:
            resource_groups.append(iam_wire.resource_group(row))
    return {
        "id": policy["id"],
        "access": policy.get("access", "allow"),
        "permission_groups": permission_groups,
        "resource_groups": resource_groups,
    }


def member(row: Any, ctx: Context) -> dict[str, Any]:
    """A member row joined with its user (see ``store``)."""
    roles = [r for r in map(ctx.role, orjson.loads(row.roles)) if r is not None]
    policies = orjson.loads(row.policies) if row.policies else []
    return {
        "id": row.id,
        "email": row.email,
        "status": row.status,
        "roles": roles,
        "policies": [_policy(p, ctx) for p in policies],
        "user": _user(row),
    }
