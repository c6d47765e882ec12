"""What the official SDK does under injected faults, as it would against the real
API: it retries 429 and 5xx answers (honouring ``retry-after``), not when told
``x-should-retry: false``, retries any status when told ``true``, and gives up with
APITimeoutError when an answer is slower than its timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import cloudflare
import httpx
import pytest

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_ACCOUNT_TOKEN_ID,
    DEMO_EMAIL,
    DEMO_KEY,
    RunningServer,
    key_headers,
)

ACCOUNT = "/accounts/{account_id}"


def add(server: RunningServer, **rule: Any) -> dict[str, Any]:
    reply = server.admin("POST", "/faults", json=rule)
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()["result"]
    return result


class Attempts:
    """Each request the SDK sends: its retry count, and the status it got."""

    def __init__(self) -> None:
        self.retry_counts: list[str] = []
        self.statuses: list[int] = []

    def on_request(self, request: httpx.Request) -> None:
        self.retry_counts.append(request.headers.get("x-stainless-retry-count", ""))

    def on_response(self, response: httpx.Response) -> None:
        self.statuses.append(response.status_code)


@pytest.fixture
def attempts() -> Attempts:
    return Attempts()


@pytest.fixture
def client(
    server: RunningServer, attempts: Attempts
) -> Iterator[cloudflare.Cloudflare]:
    """The SDK with its default of two retries, its requests recorded."""
    http = httpx.Client(
        event_hooks={
            "request": [attempts.on_request],
            "response": [attempts.on_response],
        }
    )
    with cloudflare.Cloudflare(
        base_url=server.base_url,
        api_email=DEMO_EMAIL,
        api_key=DEMO_KEY,
        max_retries=2,
        http_client=http,
        _strict_response_validation=True,
    ) as sdk_client:
        yield sdk_client


def test_the_sdk_retries_a_5xx_and_succeeds_when_the_fault_passes(
    server: RunningServer, client: cloudflare.Cloudflare, attempts: Attempts
) -> None:
    add(server, route=ACCOUNT, method="GET", status=503, retry_after=0.05, count=2)
    account = client.accounts.get(account_id=DEMO_ACCOUNT)
    assert account is not None and account.id == DEMO_ACCOUNT
    assert attempts.statuses == [503, 503, 200]
    assert attempts.retry_counts == ["0", "1", "2"]


def test_the_sdk_gives_up_on_429_after_its_retries(
    server: RunningServer, client: cloudflare.Cloudflare, attempts: Attempts
) -> None:
    add(server, route=ACCOUNT, status=429, retry_after=0.05)
    with pytest.raises(cloudflare.RateLimitError) as caught:
        client.accounts.get(account_id=DEMO_ACCOUNT)
    assert attempts.statuses == [429, 429, 429]
    assert caught.value.errors[0].code == 971
    assert caught.value.errors[0].message == (
        "Please wait and consider throttling your request speed"
    )


def test_x_should_retry_false_stops_the_retries(
    server: RunningServer, client: cloudflare.Cloudflare, attempts: Attempts
) -> None:
    add(
        server,
        route=ACCOUNT,
        status=500,
        code=10001,
        message="storage offline",
        should_retry=False,
    )
    with pytest.raises(cloudflare.InternalServerError) as caught:
        client.accounts.get(account_id=DEMO_ACCOUNT)
    assert attempts.statuses == [500]
    assert caught.value.errors[0].code == 10001
    assert caught.value.errors[0].message == "storage offline"


def test_x_should_retry_true_makes_a_400_retried(
    server: RunningServer, client: cloudflare.Cloudflare, attempts: Attempts
) -> None:
    add(server, route=ACCOUNT, status=400, should_retry=True, retry_after=0.05, count=1)
    assert client.accounts.get(account_id=DEMO_ACCOUNT) is not None
    assert attempts.statuses == [400, 200]


def test_a_slow_answer_times_the_sdk_out(server: RunningServer) -> None:
    add(server, route=ACCOUNT, method="GET", latency=1.5)
    with (
        cloudflare.Cloudflare(
            base_url=server.base_url,
            api_email=DEMO_EMAIL,
            api_key=DEMO_KEY,
            max_retries=0,
            timeout=0.3,
        ) as slow_client,
        pytest.raises(cloudflare.APITimeoutError),
    ):
        slow_client.accounts.get(account_id=DEMO_ACCOUNT)


def test_latency_alone_delays_the_real_answer(
    server: RunningServer, client: cloudflare.Cloudflare
) -> None:
    rule = add(server, route=ACCOUNT, latency=0.2, count=1)
    account = client.accounts.get(account_id=DEMO_ACCOUNT)
    assert account is not None and account.name == "Demo Account"
    assert server.admin("GET", f"/faults/{rule['id']}").json()["result"]["fired"] == 1


async def test_a_delayed_request_does_not_hold_up_the_others(
    server: RunningServer,
) -> None:
    add(server, route=ACCOUNT, method="GET", latency=1.0, count=1)
    finished: list[str] = []
    async with httpx.AsyncClient(base_url=server.base_url) as http:

        async def call(name: str, path: str) -> None:
            reply = await http.get(path, headers=key_headers())
            assert reply.status_code == 200
            finished.append(name)

        slow = asyncio.create_task(call("slow", f"/accounts/{DEMO_ACCOUNT}"))
        await asyncio.sleep(0.1)  # the slow request is in, and waiting
        await asyncio.gather(
            *(call(f"fast{i}", f"/accounts/{DEMO_ACCOUNT}") for i in range(3))
        )
        await slow
    assert finished[-1] == "slow"


async def test_the_async_sdk_retries_too(server: RunningServer) -> None:
    add(server, route=ACCOUNT, status=502, retry_after=0.05, count=2)
    statuses: list[int] = []

    async def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    async with cloudflare.AsyncCloudflare(
        base_url=server.base_url,
        api_email=DEMO_EMAIL,
        api_key=DEMO_KEY,
        max_retries=2,
        http_client=httpx.AsyncClient(event_hooks={"response": [record]}),
        _strict_response_validation=True,
    ) as async_client:
        account = await async_client.accounts.get(account_id=DEMO_ACCOUNT)
    assert account is not None
    assert statuses == [502, 502, 200]


def test_a_rule_for_one_credential_leaves_the_others_alone(
    server: RunningServer,
) -> None:
    add(
        server,
        route=ACCOUNT,
        status=503,
        credential={"kind": "account_token", "id": DEMO_ACCOUNT_TOKEN_ID},
    )
    path = f"{server.base_url}/accounts/{DEMO_ACCOUNT}"
    assert httpx.get(path, headers=key_headers()).status_code == 200
    token = {"Authorization": f"Bearer {DEMO_ACCOUNT_TOKEN}"}
    assert httpx.get(path, headers=token).status_code == 503


def test_a_rule_for_one_method_leaves_the_others_alone(server: RunningServer) -> None:
    add(server, route=ACCOUNT, method="PUT", status=503)
    path = f"{server.base_url}/accounts/{DEMO_ACCOUNT}"
    assert httpx.get(path, headers=key_headers()).status_code == 200


def test_a_rule_that_never_wins_its_roll_never_fires(server: RunningServer) -> None:
    add(server, route="*", status=500, probability=0)
    path = f"{server.base_url}/accounts/{DEMO_ACCOUNT}"
    with httpx.Client() as http:
        for _ in range(5):
            assert http.get(path, headers=key_headers()).status_code == 200


def test_the_admin_api_is_never_faulted(server: RunningServer) -> None:
    add(server, route="*", status=500)
    assert server.admin("GET", "/faults").status_code == 200
    assert server.admin("GET", "/state").status_code == 200
