"""Rate limits as the real API applies them, on a server started with a small limit
(5 requests per 60 s): the headers on every reply, one budget per user shared by the
global key and the user's tokens, one per account token, and 429 with code 971 once a
budget is spent."""

from __future__ import annotations

import re
from collections.abc import Iterator

import cloudflare
import httpx
import pytest

from ..conftest import (
    ADMIN_TOKEN,
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_USER_TOKEN,
    RunningServer,
    bearer,
    error_codes,
    key_headers,
    sdk,
)
from ..servers import start_server

QUOTA = 5
ACCOUNT_PATH = f"/accounts/{DEMO_ACCOUNT}"
STATE = re.compile(r'"default";r=(\d+);t=(\d+)')


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory, "limited", rate_limit=f"{QUOTA}/60")
    yield running
    running.stop()


@pytest.fixture
def api(limited: RunningServer) -> Iterator[httpx.Client]:
    """Plain HTTP to the limited server, every budget full again (reset)."""
    limited.reset()
    with httpx.Client(base_url=limited.base_url) as client:
        yield client


def remaining(response: httpx.Response) -> int:
    match = STATE.fullmatch(response.headers["ratelimit"])
    assert match, response.headers["ratelimit"]
    return int(match[1])


def test_every_reply_announces_the_policy_and_what_is_left(api: httpx.Client) -> None:
    first = api.get(ACCOUNT_PATH, headers=key_headers())
    assert first.status_code == 200
    assert first.headers["ratelimit-policy"] == f'"default";q={QUOTA};w=60'
    match = STATE.fullmatch(first.headers["ratelimit"])
    assert match is not None
    assert int(match[1]) == QUOTA - 1
    assert 1 <= int(match[2]) <= 60
    second = api.get(ACCOUNT_PATH, headers=key_headers())
    assert remaining(second) == QUOTA - 2
    assert "retry-after" not in second.headers


def test_a_spent_budget_is_refused_with_429_971_and_retry_after(
    api: httpx.Client,
) -> None:
    for _ in range(QUOTA):
        assert api.get(ACCOUNT_PATH, headers=key_headers()).status_code == 200
    refused = api.get(ACCOUNT_PATH, headers=key_headers())
    assert refused.status_code == 429
    assert error_codes(refused) == [971]
    assert refused.json()["errors"][0]["message"] == (
        "Please wait and consider throttling your request speed"
    )
    assert remaining(refused) == 0
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 60
    assert STATE.fullmatch(refused.headers["ratelimit"])[2] == str(wait)  # type: ignore[index]


def test_the_global_key_and_the_users_tokens_share_one_budget(
    api: httpx.Client,
) -> None:
    for _ in range(3):
        assert api.get(ACCOUNT_PATH, headers=key_headers()).status_code == 200
    for _ in range(2):
        assert api.get(ACCOUNT_PATH, headers=bearer(DEMO_USER_TOKEN)).status_code == 200
    assert api.get(ACCOUNT_PATH, headers=bearer(DEMO_USER_TOKEN)).status_code == 429
    assert api.get(ACCOUNT_PATH, headers=key_headers()).status_code == 429


def test_an_account_token_has_its_own_budget(api: httpx.Client) -> None:
    for _ in range(QUOTA + 1):
        api.get(ACCOUNT_PATH, headers=key_headers())
    own = api.get(ACCOUNT_PATH, headers=bearer(DEMO_ACCOUNT_TOKEN))
    assert own.status_code == 200
    assert remaining(own) == QUOTA - 1


def test_requests_refused_by_authorization_spend_the_budget(api: httpx.Client) -> None:
    refused = api.get(f"/accounts/{'0' * 32}", headers=key_headers())
    assert refused.status_code == 403
    assert remaining(refused) == QUOTA - 1
    assert remaining(api.get(ACCOUNT_PATH, headers=key_headers())) == QUOTA - 2


def test_unauthenticated_requests_spend_nothing_but_see_the_headers(
    api: httpx.Client,
) -> None:
    for _ in range(QUOTA + 2):
        anonymous = api.get(ACCOUNT_PATH)
        assert anonymous.status_code == 400
        assert anonymous.headers["ratelimit"] == f'"default";r={QUOTA};t=60'
    assert api.get(ACCOUNT_PATH, headers=key_headers()).status_code == 200


def test_the_admin_api_is_neither_limited_nor_labelled(
    limited: RunningServer, api: httpx.Client
) -> None:
    for _ in range(QUOTA + 1):
        health = limited.admin("GET", "/state")
        assert health.status_code == 200
        assert "ratelimit" not in health.headers


def test_a_reset_starts_every_budget_again(
    limited: RunningServer, api: httpx.Client
) -> None:
    for _ in range(QUOTA + 1):
        api.get(ACCOUNT_PATH, headers=key_headers())
    limited.reset()
    assert api.get(ACCOUNT_PATH, headers=key_headers()).status_code == 200


def test_the_sdk_raises_rate_limit_error_once_its_retries_are_spent(
    limited: RunningServer, api: httpx.Client
) -> None:
    for _ in range(QUOTA):
        api.get(ACCOUNT_PATH, headers=bearer(DEMO_ACCOUNT_TOKEN))
    client = sdk(limited, api_token=DEMO_ACCOUNT_TOKEN)
    with pytest.raises(cloudflare.RateLimitError) as caught:
        client.accounts.get(account_id=DEMO_ACCOUNT)
    assert caught.value.status_code == 429
    assert caught.value.errors[0].code == 971


def test_limits_are_off_unless_asked_for(server: RunningServer) -> None:
    reply = httpx.get(server.base_url + ACCOUNT_PATH, headers=key_headers())
    assert reply.status_code == 200
    assert "ratelimit" not in reply.headers
    assert "ratelimit-policy" not in reply.headers


def test_the_admin_token_is_not_a_credential_with_a_budget(api: httpx.Client) -> None:
    for _ in range(QUOTA + 1):
        reply = api.get(ACCOUNT_PATH, headers=bearer(ADMIN_TOKEN))
        assert reply.status_code == 401
        assert reply.headers["ratelimit"] == f'"default";r={QUOTA};t=60'
