"""Token policies and conditions: checked and put in canonical form before they are
stored, and shaped for the wire when they are read.

Canonical form: every policy has an id; ``permission_groups`` are sorted by id and
unique (the real API returns them so, and Terraform's diffing depends on it);
``resources`` keep the simple or the nested shape they were given; a condition is stored
under ``request_ip`` whichever spelling came in.
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
    value: Any, catalogue: Catalogue, *, where: str = "policies"
) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise PolicyError(f"{where}: must be a non-empty list of policies")
    if len(value) > MAX_POLICIES:
        raise PolicyError(f"{where}: at most {MAX_POLICIES} policies")
    out = []
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
            pid = new_id()
        out.append(
            {
                "id": pid,
                "effect": effect,
                "resources": resources,
                "permission_groups": groups,
            }
        )
    return out


def _resources(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise PolicyError(f"{where}: must be a non-empty object of resource: '*'")
    if len(value) > MAX_RESOURCES:
        raise PolicyError(f"{where}: at most {MAX_RESOURCES} resources")
    for key, inner in value.items():
        if not key or len(key) > 255:
            raise PolicyError(f"{where}: resource names must be 1 to 255 characters")
        if isinstance(inner, str):
            continue
        if isinstance(inner, dict) and inner:
            for k2, v2 in inner.items():
                if not isinstance(v2, str) or not k2 or len(k2) > 255:
                    raise PolicyError(
                        f"{where}.{key}: nested resources must map names to '*'"
                    )
            continue
        raise PolicyError(
            f"{where}.{key}: must be '*' or an object of nested resources"
        )
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
