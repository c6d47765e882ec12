"""Token quotas: a user may have so many tokens, an account may own so many. A
dedicated server with small quotas keeps the test short."""

from __future__ import annotations

from collections.abc import Iterator

import cloudflare
import httpx
import pytest

from cfaccounts import Settings

from ..conftest import (
    ADMIN_TOKEN,
    DEMO_ACCOUNT_TOKEN_ID,
    DEMO_USER_TOKEN_ID,
    RunningServer,
    database_url,
    error_codes,
    key_headers,
    sdk,
)
from .helpers import ACCOUNT_TOKENS, KEY, USER_TOKENS, on_account

READER = on_account("Account Settings Read")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    settings = Settings.from_env(
        env={},
        database_url=database_url(tmp_path_factory.mktemp("quota"), "quota"),
        admin_token=ADMIN_TOKEN,
        demo=True,
        log_level="warning",
        user_token_quota=3,
        account_token_quota=2,
    )
    running = RunningServer(settings).start()
    yield running
    running.stop()


@pytest.fixture
def small_http(small: RunningServer) -> Iterator[httpx.Client]:
    small.reset()
    with httpx.Client(base_url=small.base_url) as client:
        yield client


def _create(http: httpx.Client, path: str) -> httpx.Response:
    return http.post(
        path, json={"name": "t", "policies": [READER]}, headers=key_headers()
    )


def test_an_account_owns_at_most_its_quota(small_http: httpx.Client) -> None:
    # The demo account owns one token already.
    assert _create(small_http, ACCOUNT_TOKENS).status_code == 200
    r = _create(small_http, ACCOUNT_TOKENS)
    assert r.status_code == 400 and error_codes(r) == [1005]
    assert r.json()["errors"][0]["message"] == (
        "An account may own at most 2 API tokens"
    )
    # Deleting one makes room again.
    small_http.delete(
        f"{ACCOUNT_TOKENS}/{DEMO_ACCOUNT_TOKEN_ID}", headers=key_headers()
    )
    assert _create(small_http, ACCOUNT_TOKENS).status_code == 200


def test_a_user_has_at_most_their_quota(
    small: RunningServer, small_http: httpx.Client
) -> None:
    assert _create(small_http, USER_TOKENS).status_code == 200
    assert _create(small_http, USER_TOKENS).status_code == 200
    with sdk(small, **KEY) as c:
        with pytest.raises(cloudflare.BadRequestError) as refused:
            c.user.tokens.create(name="fourth", policies=[READER])
        assert refused.value.body["errors"] == [
            {"code": 1005, "message": "A user may have at most 3 API tokens"}
        ]
        c.user.tokens.delete(DEMO_USER_TOKEN_ID)
        assert c.user.tokens.create(name="fourth", policies=[READER]) is not None


def test_expired_tokens_count_too(small_http: httpx.Client) -> None:
    r = small_http.post(
        ACCOUNT_TOKENS,
        json={"name": "t", "policies": [READER], "expires_on": "2001-01-01T00:00:00Z"},
        headers=key_headers(),
    )
    assert r.status_code == 200
    assert _create(small_http, ACCOUNT_TOKENS).status_code == 400
    listed = small_http.get(ACCOUNT_TOKENS, headers=key_headers()).json()["result"]
    assert [t["id"] for t in listed] == [DEMO_ACCOUNT_TOKEN_ID]
