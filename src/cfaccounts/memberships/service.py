"""The rules of memberships: what a membership grants, answering an invitation, and
leaving an account.

A membership is a member row seen from its user's side, so its id is the member id.
Answering ``rejected`` to an invitation deletes the member row (a rejected invitation
is not a member); the answer still shows ``status: rejected`` once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection

from .. import errors
from ..auth.authorize import Authorizer
from ..catalog import Catalogue
from . import store

STATUSES = ("accepted", "pending", "rejected")


@dataclass
class Grants:
    """What a membership gives: role names, and read/write per permission key."""

    role_names: list[str] = field(default_factory=list)
    permissions: dict[str, dict[str, bool]] = field(default_factory=dict)
    _keys: list[str] | None = field(default=None, repr=False, compare=False)

    def add(self, name: str, permissions: Any) -> None:
        self._keys = None
        if name not in self.role_names:
            self.role_names.append(name)
        if not isinstance(permissions, dict):
            return
        for key, grant in permissions.items():
            if not isinstance(grant, dict):
                continue
            held = self.permissions.setdefault(key, {"read": False, "write": False})
            held["read"] = held["read"] or bool(grant.get("read"))
            # Roles say "edit" (built-in) or "write" (custom); the membership says
            # "write".
            held["write"] = (
                held["write"] or bool(grant.get("write")) or bool(grant.get("edit"))
            )

    def permission_keys(self) -> list[str]:
        """The legacy ``#key:read`` / ``#key:edit`` strings, sorted (worked out
        once: a user's many memberships share a few Grants)."""
        if self._keys is None:
            out = []
            for key, grant in self.permissions.items():
                if grant["read"]:
                    out.append(f"#{key}:read")
                if grant["write"]:
                    out.append(f"#{key}:edit")
            self._keys = sorted(out)
        return self._keys


def _ids(refs: Any) -> list[str]:
    """The ids of a stored ``[{"id": ...}]`` list."""
    return [
        r["id"]
        for r in refs or ()
        if isinstance(r, dict) and isinstance(r.get("id"), str)
    ]


def grants(conn: Connection, catalogue: Catalogue, row: Any) -> Grants:
    """The roles of a member row (its role list, or the roles its allow policies
    name) and the permissions they add up to. The answer may be shared with other
    calls: read it, do not change it."""
    role_ids = [r for r in store.json_list(row.roles) if isinstance(r, str)]
    for policy in store.json_list(row.policies):
        if isinstance(policy, dict) and policy.get("access", "allow") == "allow":
            role_ids += _ids(policy.get("permission_groups"))
    unknown = [r for r in role_ids if r not in catalogue.roles_by_id]
    if not unknown:
        # Built-in roles only: the same for every account, and a user with many
        # memberships usually holds the same few sets of them.
        return _builtin_grants(catalogue, tuple(role_ids))
    custom = store.custom_roles(conn, row.account_id, unknown)
    out = Grants()
    for role_id in role_ids:
        builtin = catalogue.roles_by_id.get(role_id)
        if builtin is not None:
            out.add(builtin.name, builtin.permissions)
        elif role_id in custom:
            role = custom[role_id]
            out.add(role.name, orjson.loads(role.permissions or "{}"))
    out.permissions = dict(sorted(out.permissions.items()))
    return out


@functools.lru_cache(maxsize=256)
def _builtin_grants(catalogue: Catalogue, role_ids: tuple[str, ...]) -> Grants:
    out = Grants()
    for role_id in role_ids:
        role = catalogue.roles_by_id[role_id]
        out.add(role.name, role.permissions)
    out.permissions = dict(sorted(out.permissions.items()))
    return out


def policies(conn: Connection, catalogue: Catalogue, row: Any) -> list[dict[str, Any]]:
    """A member row's policies with their permission and resource groups spelled
    out (for the membership details)."""
    stored = [p for p in store.json_list(row.policies) if isinstance(p, dict)]
    group_ids = [i for p in stored for i in _ids(p.get("resource_groups"))]
    groups = store.resource_groups(conn, row.account_id, group_ids)
    out = []
    for p in stored:
        permission_groups = []
        for g in p.get("permission_groups") or ():
            gid = g.get("id") if isinstance(g, dict) else None
            if not isinstance(gid, str):
                continue
            shown: dict[str, Any] = {"id": gid}
            role = catalogue.roles_by_id.get(gid)
            if role is not None:
                shown["name"] = role.name
            permission_groups.append(shown)
        resource_groups = []
        for g in p.get("resource_groups") or ():
            gid = g.get("id") if isinstance(g, dict) else None
            rg = groups.get(gid) if isinstance(gid, str) else None
            if rg is None:
                continue
            scope = orjson.loads(rg.scope)
            resource_groups.append(
                {
                    "id": rg.id,
                    "name": rg.name,
                    "scope": {
                        "key": scope.get("key", ""),
                        "objects": [
                            {"key": o.get("key", "")}
                            for o in scope.get("objects") or ()
                            if isinstance(o, dict)
                        ],
                    },
                }
            )
        out.append(
            {
                "id": p.get("id"),
                "access": p.get("access", "allow"),
                "permission_groups": permission_groups,
                "resource_groups": resource_groups,
            }
        )
    return out


def parse_answer(body: dict[str, Any]) -> str:
    """The ``status`` of a PUT body: accepted or rejected."""
    for key in body:
        if key != "status":
            raise errors.INVALID_REQUEST(detail=f"{key}: is not a known field")
    status = body.get("status")
    if status is None:
        raise errors.INVALID_REQUEST(detail="status: is required")
    if status not in ("accepted", "rejected"):
        raise errors.INVALID_REQUEST(detail="status: must be one of accepted, rejected")
    return str(status)


def answer(conn: Connection, row: Any, status: str, user_id: str) -> bool:
    """Accept or reject an invitation. Returns whether anything changed (accepting
    an accepted membership changes nothing). Rejecting an accepted membership is
    refused: leaving is DELETE."""
    if status == "accepted":
        if row.status == "accepted":
            return False
        store.accept(conn, row.id, user_id)
        return True
    if row.status == "accepted":
        raise errors.INVALID_REQUEST(
            detail="status: an accepted membership cannot be rejected; "
            "delete the membership to leave the account"
        )
    store.delete(conn, row.id)
    return True


def leave(conn: Connection, authorizer: Authorizer, row: Any) -> None:
    """Remove the user from the account (or decline a pending invitation). The last
    accepted member able to manage members cannot leave: no one could manage the
    account after them."""
    if row.status == "accepted":
        _, manages = authorizer.member_groups(conn, row.account_id, row.email)
        if manages and not any(
            authorizer.member_groups(conn, row.account_id, email)[1]
            for email in store.accepted_emails(conn, row.account_id)
            if email != row.email
        ):
            raise errors.CONFLICT(
                detail="The last member who can manage members cannot leave the account"
            ).with_headers(x_should_retry="false")
    store.delete(conn, row.id)
