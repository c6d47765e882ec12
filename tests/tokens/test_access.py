"""Who may call each token operation: the accepted permission groups of every route,
for tokens and for global keys."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ..conftest import (
    DEMO_ACCOUNT_TOKEN,
    DEMO_ACCOUNT_TOKEN_ID,
    DEMO_USER_TOKEN,
    DEMO_USER_TOKEN_ID,
    VIEWER_EMAIL,
    VIEWER_KEY,
    RunningServer,
    bearer,
    error_codes,
    key_headers,
)
from .helpers import ACCOUNT_TOKENS, USER_TOKENS, create, on_account, on_user

READER = on_account("Account Settings Read")


def _operations(base: str, token_id: str) -> dict[str, tuple[str, str, Any]]:
    body = {"name": "x", "policies": [READER]}
    return {
        "list": ("GET", base, None),
        "permission groups": ("GET", f"{base}/permission_groups", None),
        "details": ("GET", f"{base}/{token_id}", None),
        "create": ("POST", base, body),
        "update": ("PUT", f"{base}/{token_id}", body),
        "roll": ("PUT", f"{base}/{token_id}/value", {}),
        "delete": ("DELETE", f"{base}/{token_id}", None),
    }


READS = ("list", "permission groups", "details")
WRITES = ("create", "update", "roll", "delete")


def _call(
    http: httpx.Client, op: tuple[str, str, Any], headers: dict[str, str]
) -> httpx.Response:
    method, path, body = op
    return http.request(method, path, json=body, headers=headers)


def _check(
    http: httpx.Client,
    ops: dict[str, tuple[str, str, Any]],
    headers: dict[str, str],
    allowed: tuple[str, ...],
) -> None:
    for name in (*READS, *WRITES):  # writes last: delete ends the token
        r = _call(http, ops[name], headers)
        if name in allowed:
            assert r.status_code == 200, (name, r.text)
        else:
            assert r.status_code == 403, (name, r.text)
            assert error_codes(r) == [9109]


@pytest.mark.parametrize(
    ("groups", "allowed"),
    [
        (("Account API Tokens Read",), READS),
        (("Account API Tokens Write",), (*READS, *WRITES)),
        (("Account Settings Write",), ()),
    ],
    ids=["read", "write", "unrelated"],
)
@pytest.mark.parametrize("kind", ["user", "account"])
def test_account_token_routes_accept_their_groups(
    server: RunningServer,
    http: httpx.Client,
    groups: tuple[str, ...],
    allowed: tuple[str, ...],
    kind: str,
) -> None:
    path = USER_TOKENS if kind == "user" else ACCOUNT_TOKENS
    caller = create(http, path, on_account("Account Settings Read", *groups))
    _check(
        http,
        _operations(ACCOUNT_TOKENS, DEMO_ACCOUNT_TOKEN_ID),
        bearer(caller["value"]),
        allowed,
    )


@pytest.mark.parametrize(
    ("groups", "allowed"),
    [
        (("API Tokens Read",), READS),
        (("API Tokens Write",), (*READS, *WRITES)),
        (("User Details Write",), ()),
    ],
    ids=["read", "write", "unrelated"],
)
def test_user_token_routes_accept_their_groups(
    server: RunningServer,
    http: httpx.Client,
    groups: tuple[str, ...],
    allowed: tuple[str, ...],
) -> None:
    caller = create(http, USER_TOKENS, on_user(*groups))
    _check(
        http,
        _operations(USER_TOKENS, DEMO_USER_TOKEN_ID),
        bearer(caller["value"]),
        allowed,
    )


def test_a_user_level_group_on_another_resource_grants_nothing(
    server: RunningServer, http: httpx.Client
) -> None:
    misplaced = on_account("Account Settings Read")
    misplaced["permission_groups"].append(
        on_user("API Tokens Write")["permission_groups"][0]
    )
    caller = create(http, USER_TOKENS, misplaced)
    r = http.get(USER_TOKENS, headers=bearer(caller["value"]))
    assert r.status_code == 403


def test_demo_credentials_without_token_groups_are_refused(http: httpx.Client) -> None:
    for headers in (
        bearer(DEMO_USER_TOKEN),
        bearer(DEMO_ACCOUNT_TOKEN),
        key_headers(VIEWER_EMAIL, VIEWER_KEY),
    ):
        r = http.get(ACCOUNT_TOKENS, headers=headers)
        assert r.status_code == 403 and error_codes(r) == [9109]
    r = http.get(USER_TOKENS, headers=bearer(DEMO_USER_TOKEN))
    assert r.status_code == 403 and error_codes(r) == [9109]


def test_a_global_key_manages_its_own_user_tokens(http: httpx.Client) -> None:
    viewer = key_headers(VIEWER_EMAIL, VIEWER_KEY)
    assert http.get(USER_TOKENS, headers=viewer).json()["result"] == []


def test_no_credentials(http: httpx.Client) -> None:
    for path in (ACCOUNT_TOKENS, USER_TOKENS):
        r = http.get(path)
        assert r.status_code == 400 and error_codes(r) == [9106]
