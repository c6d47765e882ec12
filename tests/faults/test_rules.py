"""Fault rules on their own: defaults, probability, counts and the seed form."""

from __future__ import annotations

import random

import pytest

from cfaccounts.faults import FaultError, FaultRegistry, parse_rule
from cfaccounts.http.routing import Access, Route


class FakeRequest:
    def __init__(self, method: str = "GET", template: str = "/accounts/{account_id}"):
        self.method = method
        self.path = "/client/v4/accounts/x"
        self.route = Route(method, template, lambda r: r, "op", Access.ACCOUNT)
        self.principal = None


def test_a_429_rule_answers_like_the_real_rate_limit_by_default() -> None:
    answer = parse_rule({"status": 429}).answer()
    assert answer is not None and answer.status == 429
    assert b'"code":971' in answer.body


def test_a_rule_answers_its_own_code_message_and_headers() -> None:
    answer = parse_rule(
        {
            "status": 503,
            "code": 10013,
            "message": "try later",
            "retry_after": 2.5,
            "should_retry": True,
        }
    ).answer()
    assert answer is not None and answer.status == 503
    assert b'"code":10013' in answer.body and b"try later" in answer.body
    assert (b"retry-after", b"2.5") in answer.headers
    assert (b"x-should-retry", b"true") in answer.headers


def test_a_probability_fires_about_that_often() -> None:
    registry = FaultRegistry(random.Random(7))
    registry.add(parse_rule({"status": 500, "probability": 0.25}))
    fired = sum(registry.pick(FakeRequest()) is not None for _ in range(2000))  # type: ignore[arg-type]
    assert 400 < fired < 600


def test_a_count_fires_that_many_times_then_lets_later_rules_try() -> None:
    registry = FaultRegistry()
    first = parse_rule({"status": 500, "count": 2})
    second = parse_rule({"status": 502})
    registry.extend([first, second])
    picked = [registry.pick(FakeRequest()) for _ in range(4)]  # type: ignore[arg-type]
    assert picked == [first, first, second, second]
    assert first.fired == 2 and first.count == 0


def test_method_and_route_must_both_match() -> None:
    rule = parse_rule({"status": 500, "method": "delete", "route": "/accounts"})
    assert rule.method == "DELETE"
    assert not rule.matches(FakeRequest("DELETE"))  # type: ignore[arg-type]
    assert not rule.matches(FakeRequest("GET", "/accounts"))  # type: ignore[arg-type]
    assert rule.matches(FakeRequest("DELETE", "/accounts"))  # type: ignore[arg-type]


def test_a_credential_rule_never_matches_an_anonymous_request() -> None:
    rule = parse_rule({"status": 500, "credential": {"kind": "api_key"}})
    assert not rule.matches(FakeRequest())  # type: ignore[arg-type]


def test_the_seed_form_keeps_only_what_was_chosen() -> None:
    rule = parse_rule({"status": 500, "route": "/accounts", "count": 1})
    assert rule.to_seed() == {
        "id": rule.id,
        "method": "*",
        "route": "/accounts",
        "status": 500,
        "count": 1,
    }
    assert parse_rule(rule.to_seed()).to_wire() == rule.to_wire()


def test_the_same_id_twice_in_one_list_is_refused() -> None:
    from cfaccounts.faults import parse_rules

    with pytest.raises(FaultError, match=r"faults\[1\]\.id"):
        parse_rules([{"id": "a" * 32, "status": 500}, {"id": "a" * 32, "status": 502}])
