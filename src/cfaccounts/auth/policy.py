"""Policy evaluation, as pure functions over stored policies.

Token policies: an explicit deny wins over an allow, and anything not allowed is denied.
A policy applies to an account when one of its resources is
``com.cloudflare.api.account.<id>`` or ``com.cloudflare.api.account.*`` with the value
``"*"``. A nested value (``{"com.cloudflare.api.account.zone.*": "*"}``) narrows the
policy to zones of that account, so it grants that account's zone-scoped groups but not
its account-scoped ones.

Member policies use ``access`` instead of ``effect``, IAM permission groups (which are
the account roles) instead of token groups, and resource groups instead of resources.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from typing import Any

ACCOUNT_PREFIX = "com.cloudflare.api.account."
ACCOUNT_WILDCARD = "com.cloudflare.api.account.*"
USER_PREFIX = "com.cloudflare.api.user."

ResourceTest = Callable[[Mapping[str, Any]], bool]


def covers_account(account_id: str) -> ResourceTest:
    key = ACCOUNT_PREFIX + account_id

    def test(resources: Mapping[str, Any]) -> bool:
        return resources.get(key) == "*" or resources.get(ACCOUNT_WILDCARD) == "*"

    return test


def covers_user(user_id: str) -> ResourceTest:
    key = USER_PREFIX + user_id

    def test(resources: Mapping[str, Any]) -> bool:
        return resources.get(key) == "*"

    return test


def token_groups(
    policies: Iterable[Mapping[str, Any]],
    applies: ResourceTest,
    needed: frozenset[str],
) -> tuple[frozenset[str], str | None, str | None]:
    """Which of ``needed`` the policies grant on a resource: (granted, id of the last
    allow policy that granted one, id of the last deny policy that removed one)."""
    allowed: set[str] = set()
    denied: set[str] = set()
    allow_id: str | None = None
    deny_id: str | None = None
    for policy in policies:
        groups = {
            g.get("id")
            for g in policy.get("permission_groups", ())
            if isinstance(g, dict)
        }
        hit = needed.intersection(groups)
        if not hit or not applies(policy.get("resources") or {}):
            continue
        if policy.get("effect") == "deny":
            denied |= hit
            deny_id = policy.get("id")
        else:
            allowed |= hit
            allow_id = policy.get("id")
    return frozenset(allowed - denied), allow_id, (deny_id if denied else None)


def all_token_groups(
    policies: Iterable[Mapping[str, Any]], applies: ResourceTest
) -> frozenset[str]:
    """Every group the policies grant on a resource (allows minus denies)."""
    allowed: set[str] = set()
    denied: set[str] = set()
    for policy in policies:
        if not applies(policy.get("resources") or {}):
            continue
        groups: set[str] = {
            g["id"]
            for g in policy.get("permission_groups", ())
            if isinstance(g, dict) and isinstance(g.get("id"), str)
        }
        (denied if policy.get("effect") == "deny" else allowed).update(groups)
    return frozenset(allowed - denied)


def ip_allowed(condition: Mapping[str, Any] | None, ip: str) -> bool:
    """Whether a client address passes a token's ``request_ip`` condition (``in`` and
    ``not_in`` CIDR lists; the older ``request.ip`` spelling is read too)."""
    if not condition:
        return True
    rule = condition.get("request_ip") or condition.get("request.ip")
    if not rule:
        return True
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped

    def within(cidrs: Iterable[str]) -> bool:
        for cidr in cidrs:
            try:
                if addr in ipaddress.ip_network(cidr, strict=False):
                    return True
            except ValueError:
                continue
        return False

    inside = rule.get("in")
    if inside and not within(inside):
        return False
    outside = rule.get("not_in")
    return not (outside and within(outside))
