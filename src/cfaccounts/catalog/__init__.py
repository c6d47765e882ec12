"""The catalogues that ship with cfaccounts: API-token permission groups, built-in
account roles, and the table of which permission groups each role implies.

The permission-group and role ids and names are facts gathered from Cloudflare's public
API documentation and SDKs (see ``data/NOTICE.md``); users hard-code them, so they are
served exactly as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

ACCOUNT_SCOPE = "com.cloudflare.api.account"
ZONE_SCOPE = "com.cloudflare.api.account.zone"
USER_SCOPE = "com.cloudflare.api.user"
R2_SCOPE = "com.cloudflare.edge.r2.bucket"


@dataclass(frozen=True, slots=True)
class PermissionGroup:
    id: str
    name: str
    description: str
    scope: str

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "scopes": [self.scope],
        }


@dataclass(frozen=True, slots=True)
class BuiltinRole:
    id: str
    name: str
    description: str
    permissions: dict[str, dict[str, bool]]
    permission_groups: frozenset[str]
    manage_members: bool


@dataclass(frozen=True, slots=True)
class CustomKey:
    read: frozenset[str]
    write: frozenset[str]
    manage_members: bool


def _load(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath("data", name).read_text())


class Catalogue:
    """Lookups over the shipped data, built once per process."""

    def __init__(self) -> None:
        groups = [
            PermissionGroup(
                g["id"], g["name"], g.get("description", ""), g["scopes"][0]
            )
            for g in _load("permission-groups.json")
        ]
        self.groups: tuple[PermissionGroup, ...] = tuple(sorted(groups, key=_by_id))
        self.groups_by_id = {g.id: g for g in self.groups}
        self._by_name_scope = {(g.name, g.scope): g for g in self.groups}
        grants = _load("role_grants.json")
        roles = []
        for r in _load("roles.json"):
            g = grants["roles"][r["id"]]
            roles.append(
                BuiltinRole(
                    id=r["id"],
                    name=r["name"],
                    description=r["description"],
                    permissions=g["permissions"],
                    permission_groups=frozenset(g["permission_groups"]),
                    manage_members=bool(g["manage_members"]),
                )
            )
        self.roles: tuple[BuiltinRole, ...] = tuple(roles)
        self.roles_by_id = {r.id: r for r in self.roles}
        self.custom_keys = {
            key: CustomKey(
                frozenset(v.get("read", ())),
                frozenset(v.get("write", ())),
                bool(v.get("manage_members", False)),
            )
            for key, v in grants["custom_permission_keys"].items()
        }

    def group(self, name: str, scope: str = ACCOUNT_SCOPE) -> PermissionGroup:
        """A permission group by name and scope (names repeat across scopes)."""
        try:
            return self._by_name_scope[(name, scope)]
        except KeyError:
            raise KeyError(f"no permission group {name!r} at scope {scope}") from None

    def group_ids(self, *names: str, scope: str = ACCOUNT_SCOPE) -> frozenset[str]:
        return frozenset(self.group(n, scope).id for n in names)

    def custom_role_groups(
        self, permissions: dict[str, Any]
    ) -> tuple[frozenset[str], bool]:
        """The groups a custom role's ``permissions`` object implies, and whether it
        may manage members. ``write`` and ``edit`` mean the same."""
        out: set[str] = set()
        manage = False
        for key, grant in permissions.items():
            spec = self.custom_keys.get(key)
            if spec is None or not isinstance(grant, dict):
                continue
            if grant.get("read"):
                out |= spec.read
            if grant.get("write") or grant.get("edit"):
                out |= spec.write | spec.read
                manage = manage or spec.manage_members
        return frozenset(out), manage


def _by_id(g: PermissionGroup) -> str:
    return g.id


@cache
def catalogue() -> Catalogue:
    return Catalogue()


def groups(*names: str, scope: str = ACCOUNT_SCOPE) -> frozenset[str]:
    """The ids of the named permission groups, for a route's accepted list."""
    return catalogue().group_ids(*names, scope=scope)
