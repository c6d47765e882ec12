"""Authorization remembers, on a cached token, what its policies grant on each
resource; the answers must be those of evaluating the policies afresh."""

from __future__ import annotations

from typing import Any

import pytest

from cfaccounts.auth import authorize
from cfaccounts.auth.authorize import Authorizer
from cfaccounts.auth.principal import Principal, TokenGrant
from cfaccounts.catalog import catalogue

A = "023e105f4ecef8ad9ca31a8372d0c353"
B = "01a7362d577a6c3019a474fd6f485823"
READ = "c1fde68c7bcc44588cbb6ddbc16d6480"
WRITE = "1af1fa2adc104452b74a9a3364202f20"


def _token(*policies: dict[str, Any]) -> Principal:
    grant = TokenGrant(
        id="t" * 32,
        name="t",
        kind="user",
        user_id="u" * 32,
        account_id=None,
        status="active",
        policies=list(policies),
        condition=None,
        not_before=None,
        expires_on=None,
    )
    return Principal("user_token", "u" * 32, "u@example.com", grant)


def _allow(resources: dict[str, str], *groups: str) -> dict[str, Any]:
    return {
        "id": "p",
        "effect": "allow",
        "resources": resources,
        "permission_groups": [{"id": g} for g in groups],
    }


@pytest.fixture
def authorizer() -> Authorizer:
    # Member lookups are not exercised: the member groups are given directly.
    az = Authorizer(None, catalogue(), None)  # type: ignore[arg-type]
    az.cached_member_groups = lambda *_: (frozenset({READ, WRITE}), False)  # type: ignore[method-assign]
    return az


def test_each_account_gets_its_own_answer(authorizer: Authorizer) -> None:
    principal = _token(_allow({f"com.cloudflare.api.account.{A}": "*"}, READ))
    needed = frozenset({READ})
    for _ in range(2):  # the second round is answered from what was remembered
        assert authorizer.on_account(principal, A, needed).allowed
        assert not authorizer.on_account(principal, B, needed).allowed


def test_each_set_of_groups_gets_its_own_answer(authorizer: Authorizer) -> None:
    principal = _token(_allow({f"com.cloudflare.api.account.{A}": "*"}, READ))
    for _ in range(2):
        assert authorizer.on_account(principal, A, frozenset({READ})).allowed
        assert not authorizer.on_account(principal, A, frozenset({WRITE})).allowed


def test_a_token_on_every_account_remembers_a_bounded_number(
    authorizer: Authorizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(authorize, "GRANTS_REMEMBERED", 4)
    principal = _token(_allow({"com.cloudflare.api.account.*": "*"}, READ))
    for i in range(10):
        assert authorizer.on_account(principal, f"{i:032x}", frozenset({READ})).allowed
    assert principal.token is not None
    assert len(principal.token.granted) == 4


def test_a_remembered_decision_follows_what_the_member_holds(
    authorizer: Authorizer,
) -> None:
    key = Principal("api_key", "u" * 32, "u@example.com")
    token = _token(_allow({f"com.cloudflare.api.account.{A}": "*"}, READ))
    needed = frozenset({READ})
    for principal in (key, token):
        assert authorizer.on_account(principal, A, needed).allowed
        authorizer.cached_member_groups = lambda *_: (frozenset({WRITE}), False)  # type: ignore[method-assign]
        refused = authorizer.on_account(principal, A, needed)
        assert not refused.allowed
        authorizer.cached_member_groups = lambda *_: (frozenset({READ}), True)  # type: ignore[method-assign]
        decision = authorizer.on_account(principal, A, needed)
        assert decision.allowed and decision.details["manage_members"] is True
        authorizer.cached_member_groups = lambda *_: (frozenset({READ, WRITE}), False)  # type: ignore[method-assign]
