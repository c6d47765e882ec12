"""Token policies and conditions: checked and put in canonical form before they are
stored, and shaped for the wire when they are read.

Canonical form: every policy has an id, unique within its token (a policy given
without one keeps the id of an identical stored policy, so re-sending a token's policies
does not churn their ids); ``permission_groups`` are sorted by id and unique (the real
API returns them so, and Terraform's diffing depends on it) and keep only their ids
(``meta`` is dropped, ``name`` is added back on the way out); ``resources`` keep the
simple (``{key: "*"}``) or the nested (``{account key: {zone key: "*"}}``) shape they
were given, but not both in one policy, which no client model can read back; a
condition is stored under ``request_ip`` whichever spelling came in.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ..catalog import Catalogue
from ..ids import is_id, new_id

MAX_POLICIES = 100
MAX_RESOURCES = 500


class PolicyError(ValueError):
    """A policy or condition that cannot be stored; the message names the field."""


def normalize_policies(
    value: Any,
    catalogue: Catalogue,
    *,
    where: str = "policies",
    previous: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Check ``value`` and return it in canonical form, or raise PolicyError naming
    the offending field. ``previous`` are the policies stored before an update, whose
    ids are kept for policies that come back unchanged and without an id."""
    if not isinstance(value, list) or not value:
        raise PolicyError(f"{where}: must be a non-empty list of policies")
    if len(value) > MAX_POLICIES:
        raise PolicyError(f"{where}: at most {MAX_POLICIES} policies")
    out: list[dict[str, Any]] = []
    for i, policy in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(policy, dict):
            raise PolicyError(f"{here}: must be an object")
        effect = policy.get("effect")
        if effect not in ("allow", "deny"):
            raise PolicyError(f"{here}.effect: must be 'allow' or 'deny'")
        resources = _resources(policy.get("resources"), f"{here}.resources")
        groups = _groups(policy.get("permission_groups"), catalogue, here)
        pid = policy.get("id")
        if not (isinstance(pid, str) and is_id(pid)):
            pid = None  # ids are the server's to give; a malformed one is ignored
        out.append(
            {
                "id": pid,
                "effect": effect,
                "resources": resources,
                "permission_groups": groups,
            }
        )
    _assign_ids(out, previous or [])
    return out


def _assign_ids(policies: list[dict[str, Any]], previous: list[dict[str, Any]]) -> None:
    """Give every policy a unique id: the one it came with (the first of a repeated
    id keeps it), else that of an identical stored policy, else a new one."""
    taken: set[str] = set()
    for p in policies:
        if p["id"] in taken:
            p["id"] = None
        elif p["id"] is not None:
            taken.add(p["id"])
    for p in policies:
        if p["id"] is None:
            match = next(
                (
                    old["id"]
                    for old in previous
                    if old.get("id") not in taken and _same_policy(old, p)
                ),
                None,
            )
            pid = match or new_id()
            p["id"] = pid
            taken.add(pid)


def _same_policy(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(
        a.get("effect") == b["effect"]
        and a.get("resources") == b["resources"]
        and a.get("permission_groups") == b["permission_groups"]
    )


def _resources(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise PolicyError(f"{where}: must be a non-empty object of resource: '*'")
    if len(value) > MAX_RESOURCES:
        raise PolicyError(f"{where}: at most {MAX_RESOURCES} resources")
    nested = None
    for key, inner in value.items():
        if not key or len(key) > 255:
            raise PolicyError(f"{where}: resource names must be 1 to 255 characters")
        if inner == "*":
            shape = False
        elif isinstance(inner, dict) and inner:
            for k2, v2 in inner.items():
                if v2 != "*" or not k2 or len(k2) > 255:
                    raise PolicyError(
                        f"{where}.{key}: nested resources must map names to '*'"
                    )
            shape = True
        else:
            raise PolicyError(
                f"{where}.{key}: must be '*' or an object of nested resources"
            )
        if nested is not None and shape != nested:
            raise PolicyError(
                f"{where}: use either simple ('*') or nested resources in one policy, "
                "not both"
            )
        nested = shape
    return dict(value)


def _groups(value: Any, catalogue: Catalogue, where: str) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        raise PolicyError(
            f"{where}.permission_groups: must be a non-empty list of {{id}} objects"
        )
    ids: set[str] = set()
    for j, group in enumerate(value):
        gid = group.get("id") if isinstance(group, dict) else None
        if not isinstance(gid, str) or not gid:
            raise PolicyError(f"{where}.permission_groups[{j}].id: id must be present")
        if gid not in catalogue.groups_by_id:
            raise PolicyError(
                f"{where}.permission_groups[{j}].id: unknown permission group {gid!r}"
            )
        ids.add(gid)
    return [{"id": gid} for gid in sorted(ids)]


def normalize_condition(
    value: Any, *, where: str = "condition"
) -> dict[str, Any] | None:
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: must be an object")
    unknown = set(value) - {"request_ip", "request.ip"}
    if unknown:
        raise PolicyError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    rule = value.get("request_ip", value.get("request.ip"))
    if rule is None:
        return None
    if not isinstance(rule, dict):
        raise PolicyError(f"{where}.request_ip: must be an object with in / not_in")
    out: dict[str, list[str]] = {}
    for key in ("in", "not_in"):
        cidrs = rule.get(key)
        if cidrs is None:
            continue
        if not isinstance(cidrs, list) or len(cidrs) > 1000:
            raise PolicyError(f"{where}.request_ip.{key}: must be a list of CIDRs")
        for k, cidr in enumerate(cidrs):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except (TypeError, ValueError):
                raise PolicyError(
                    f"{where}.request_ip.{key}[{k}]: {cidr!r} is not a CIDR"
                ) from None
        out[key] = list(cidrs)
    unknown = set(rule) - {"in", "not_in"}
    if unknown:
        raise PolicyError(f"{where}.request_ip: unknown key {sorted(unknown)[0]!r}")
    return {"request_ip": out} if out else None


def wire_policies(
    policies: list[dict[str, Any]], catalogue: Catalogue
) -> list[dict[str, Any]]:
    """Stored policies as the API shows them: groups with their names."""
    out = []
    for p in policies:
        groups = []
        for g in p["permission_groups"]:
            known = catalogue.groups_by_id.get(g["id"])
            item: dict[str, Any] = {"id": g["id"]}
            if known is not None:
                item["name"] = known.name
            groups.append(item)
        out.append(
            {
                "id": p["id"],
                "effect": p["effect"],
                "resources": p["resources"],
                "permission_groups": groups,
            }
        )
    return out
