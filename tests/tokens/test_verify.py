"""Verify Token, on the user and the account endpoint: it judges the bearer token
itself, needs no permission group, and says so in its message."""

from __future__ import annotations

from collections.abc import Callable

import cloudflare
import httpx
import pytest

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_ACCOUNT_TOKEN_ID,
    DEMO_USER_TOKEN,
    DEMO_USER_TOKEN_ID,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
)
from .helpers import ACCOUNT_TOKENS, USER_TOKENS, create, on_account

USER_VERIFY = f"{USER_TOKENS}/verify"
ACCOUNT_VERIFY = f"{ACCOUNT_TOKENS}/verify"
VALID = {"code": 10000, "message": "This API Token is valid and active", "type": None}


def test_a_user_token_verifies_with_the_sdk(
    client: Callable[..., cloudflare.Cloudflare],
) -> None:
    # The demo user token holds no token permission group: verify needs none.
    result = client(api_token=DEMO_USER_TOKEN).user.tokens.verify()
    assert result is not None
    assert result.id == DEMO_USER_TOKEN_ID and result.status == "active"
    assert result.expires_on is None and result.not_before is None


def test_an_account_token_verifies_with_the_sdk(
    client: Callable[..., cloudflare.Cloudflare],
) -> None:
    result = client(api_token=DEMO_ACCOUNT_TOKEN).accounts.tokens.verify(
        account_id=DEMO_ACCOUNT
    )
    assert result is not None
    assert result.id == DEMO_ACCOUNT_TOKEN_ID and result.status == "active"


async def test_both_verify_with_the_async_sdk(server: RunningServer) -> None:
    async with async_sdk(server, api_token=DEMO_USER_TOKEN) as user:
        result = await user.user.tokens.verify()
        assert result is not None and result.id == DEMO_USER_TOKEN_ID
    async with async_sdk(server, api_token=DEMO_ACCOUNT_TOKEN) as account:
        result = await account.accounts.tokens.verify(account_id=DEMO_ACCOUNT)
        assert result is not None and result.id == DEMO_ACCOUNT_TOKEN_ID


def test_the_answer_carries_the_valid_message(http: httpx.Client) -> None:
    for path, token in (
        (USER_VERIFY, DEMO_USER_TOKEN),
        (ACCOUNT_VERIFY, DEMO_ACCOUNT_TOKEN),
    ):
        body = http.get(path, headers=bearer(token)).json()
        assert body["success"] is True and body["errors"] == []
        assert body["messages"] == [VALID]
        assert set(body["result"]) == {"id", "status"}


def test_the_validity_window_is_shown(
    server: RunningServer, http: httpx.Client
) -> None:
    made = create(
        http,
        ACCOUNT_TOKENS,
        on_account("Account Settings Read"),
        not_before="2020-01-01T00:00:00Z",
        expires_on="2099-12-31T23:59:59Z",
    )
    result = http.get(ACCOUNT_VERIFY, headers=bearer(made["value"])).json()["result"]
    assert result == {
        "id": made["id"],
        "status": "active",
        "not_before": "2020-01-01T00:00:00Z",
        "expires_on": "2099-12-31T23:59:59Z",
    }


@pytest.mark.parametrize("path", [USER_VERIFY, ACCOUNT_VERIFY])
def test_a_global_key_alone_is_not_enough(http: httpx.Client, path: str) -> None:
    r = http.get(path, headers=key_headers())
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {"code": 1001, "message": 'Missing "Authorization" header'}
    ]


def test_the_token_beside_a_global_key_is_the_one_verified(
    http: httpx.Client,
) -> None:
    r = http.get(USER_VERIFY, headers={**key_headers(), **bearer(DEMO_USER_TOKEN)})
    assert r.status_code == 200
    assert r.json()["result"]["id"] == DEMO_USER_TOKEN_ID


def test_an_account_token_is_not_a_user_token(
    client: Callable[..., cloudflare.Cloudflare],
) -> None:
    with pytest.raises(cloudflare.AuthenticationError) as refused:
        client(api_token=DEMO_ACCOUNT_TOKEN).user.tokens.verify()
    assert refused.value.status_code == 401
    assert refused.value.body["errors"] == [
        {"code": 1000, "message": "Invalid API Token"}
    ]


def test_a_user_token_does_not_verify_on_an_account(http: httpx.Client) -> None:
    r = http.get(ACCOUNT_VERIFY, headers=bearer(DEMO_USER_TOKEN))
    assert r.status_code == 401 and error_codes(r) == [1000]


def test_an_account_token_verifies_only_on_its_own_account(
    server: RunningServer, http: httpx.Client
) -> None:
    other = "f" * 32
    server.seed({"accounts": [{"id": other, "name": "Other"}]})
    r = http.get(f"/accounts/{other}/tokens/verify", headers=bearer(DEMO_ACCOUNT_TOKEN))
    assert r.status_code == 401 and error_codes(r) == [1000]


def test_unknown_disabled_and_malformed_tokens(
    server: RunningServer, http: httpx.Client
) -> None:
    unknown = http.get(USER_VERIFY, headers=bearer("A" * 40))
    assert unknown.status_code == 401 and error_codes(unknown) == [1000]
    malformed = http.get(USER_VERIFY, headers=bearer("short"))
    assert malformed.status_code == 400 and error_codes(malformed) == [6003]
    made = create(http, ACCOUNT_TOKENS, on_account("Account Settings Read"))
    http.put(
        f"{ACCOUNT_TOKENS}/{made['id']}",
        json={
            "name": "off",
            "policies": [on_account("Account Settings Read")],
            "status": "disabled",
        },
        headers=key_headers(),
    )
    disabled = http.get(ACCOUNT_VERIFY, headers=bearer(made["value"]))
    assert disabled.status_code == 401 and error_codes(disabled) == [1000]
    nothing = http.get(USER_VERIFY)
    assert nothing.status_code == 400 and error_codes(nothing) == [9106]
