"""Policy evaluation as pure functions."""

from __future__ import annotations

from typing import Any

from cfaccounts.auth.policy import covers_account, covers_user, ip_allowed, token_groups

A = "023e105f4ecef8ad9ca31a8372d0c353"
READ = "c1fde68c7bcc44588cbb6ddbc16d6480"
WRITE = "1af1fa2adc104452b74a9a3364202f20"
NEEDED = frozenset({READ, WRITE})


def policy(
    effect: str, resources: dict[str, Any], *groups: str, pid: str = "p"
) -> dict[str, Any]:
    return {
        "id": pid,
        "effect": effect,
        "resources": resources,
        "permission_groups": [{"id": g} for g in groups],
    }


def on(account: str = A) -> dict[str, Any]:
    return {f"com.cloudflare.api.account.{account}": "*"}


def test_allow_on_the_account_grants() -> None:
    granted, allow_id, deny_id = token_groups(
        [policy("allow", on(), READ, pid="p1")], covers_account(A), NEEDED
    )
    assert granted == {READ} and allow_id == "p1" and deny_id is None


def test_wildcard_account_resource_grants() -> None:
    resources = {"com.cloudflare.api.account.*": "*"}
    granted, *_ = token_groups(
        [policy("allow", resources, READ)], covers_account(A), NEEDED
    )
    assert granted == {READ}


def test_another_account_grants_nothing() -> None:
    granted, *_ = token_groups(
        [policy("allow", on("f" * 32), READ)], covers_account(A), NEEDED
    )
    assert granted == frozenset()


def test_deny_wins_over_allow() -> None:
    policies = [
        policy("allow", on(), READ, WRITE, pid="allow"),
        policy("deny", on(), WRITE, pid="deny"),
    ]
    granted, _, deny_id = token_groups(policies, covers_account(A), NEEDED)
    assert granted == {READ} and deny_id == "deny"


def test_nested_zone_resources_do_not_grant_account_groups() -> None:
    nested = {
        f"com.cloudflare.api.account.{A}": {"com.cloudflare.api.account.zone.*": "*"}
    }
    granted, *_ = token_groups(
        [policy("allow", nested, READ)], covers_account(A), NEEDED
    )
    assert granted == frozenset()


def test_groups_outside_the_needed_set_do_not_count() -> None:
    zone_read = "c8fed203ed3043cba015a93ad1616f1f"
    granted, *_ = token_groups(
        [policy("allow", on(), zone_read)], covers_account(A), NEEDED
    )
    assert granted == frozenset()


def test_user_resource_covers_only_that_user() -> None:
    res = {"com.cloudflare.api.user.abc": "*"}
    assert covers_user("abc")(res)
    assert not covers_user("abd")(res)


def test_ip_conditions() -> None:
    inside = {"request_ip": {"in": ["10.0.0.0/8", "2001:db8::/32"]}}
    assert ip_allowed(inside, "10.1.2.3")
    assert ip_allowed(inside, "2001:db8::1")
    assert not ip_allowed(inside, "192.0.2.1")
    outside = {"request_ip": {"not_in": ["10.0.0.0/8"]}}
    assert not ip_allowed(outside, "10.1.2.3")
    assert ip_allowed(outside, "192.0.2.1")
    both = {"request_ip": {"in": ["10.0.0.0/8"], "not_in": ["10.9.0.0/16"]}}
    assert ip_allowed(both, "10.1.0.1") and not ip_allowed(both, "10.9.0.1")


def test_old_spelling_and_mapped_addresses() -> None:
    old = {"request.ip": {"in": ["127.0.0.0/8"]}}
    assert ip_allowed(old, "::ffff:127.0.0.1")
    assert not ip_allowed(old, "not an address")
    assert ip_allowed(None, "192.0.2.1") and ip_allowed({}, "192.0.2.1")
