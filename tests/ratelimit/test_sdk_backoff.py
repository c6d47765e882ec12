"""The official SDK against a spent budget behaves as against the real API: it waits
for ``retry-after`` and tries again, and the call succeeds once the window closes."""

from __future__ import annotations

from collections.abc import Iterator

import cloudflare
import httpx
import pytest

from ..conftest import DEMO_ACCOUNT, DEMO_EMAIL, DEMO_KEY, RunningServer
from ..servers import start_server

QUOTA, WINDOW = 3, 2


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory, "tight", rate_limit=f"{QUOTA}/{WINDOW}")
    yield running
    running.stop()


class Recorder:
    """What the SDK sent and got, request by request."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.statuses: list[int] = []
        self.retry_after: list[str | None] = []

    def request(self, request: httpx.Request) -> None:
        self.sent.append(request.headers.get("x-stainless-retry-count", ""))

    def response(self, response: httpx.Response) -> None:
        self.statuses.append(response.status_code)
        self.retry_after.append(response.headers.get("retry-after"))


def test_the_sync_sdk_backs_off_and_retries_until_the_window_closes(
    tight: RunningServer,
) -> None:
    tight.reset()
    seen = Recorder()
    http = httpx.Client(
        event_hooks={"request": [seen.request], "response": [seen.response]}
    )
    with cloudflare.Cloudflare(
        base_url=tight.base_url,
        api_email=DEMO_EMAIL,
        api_key=DEMO_KEY,
        max_retries=2,
        http_client=http,
        _strict_response_validation=True,
    ) as client:
        for _ in range(QUOTA + 1):
            account = client.accounts.get(account_id=DEMO_ACCOUNT)
            assert account is not None and account.id == DEMO_ACCOUNT
    # Three calls within the budget, the fourth refused once and retried after the
    # server's retry-after (at most the window), which lands in a fresh window.
    assert seen.statuses == [200, 200, 200, 429, 200]
    assert seen.sent == ["0", "0", "0", "0", "1"]
    wait = seen.retry_after[3]
    assert wait is not None and 1 <= int(wait) <= WINDOW


async def test_the_async_sdk_backs_off_and_retries_too(tight: RunningServer) -> None:
    tight.reset()
    statuses: list[int] = []

    async def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    async with cloudflare.AsyncCloudflare(
        base_url=tight.base_url,
        api_email=DEMO_EMAIL,
        api_key=DEMO_KEY,
        max_retries=2,
        http_client=httpx.AsyncClient(event_hooks={"response": [record]}),
        _strict_response_validation=True,
    ) as client:
        for _ in range(QUOTA + 1):
            account = await client.accounts.get(account_id=DEMO_ACCOUNT)
            assert account is not None
    assert statuses == [200, 200, 200, 429, 200]
