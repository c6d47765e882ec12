"""The admin API answers only loopback clients unless told otherwise: to any other
address it does not exist (404 with an envelope), admin token or not. Driven through
the ASGI app directly, with a scope whose client is the address under test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from cfaccounts.admin.guard import is_loopback
from cfaccounts.http.app import App

from ..conftest import ADMIN_TOKEN, DEMO_ACCOUNT, RunningServer, key_headers
from ..servers import start_server


async def call(
    app: App,
    method: str,
    path: str,
    client: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> tuple[int, dict[str, Any]]:
    """One request through the ASGI interface, as if from ``client``."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [
            (k.lower().encode(), v.encode()) for k, v in (headers or {}).items()
        ],
        "client": (client, 50000),
        "server": ("127.0.0.1", 8787),
    }
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = sent[0]["status"]
    return status, orjson.loads(sent[1]["body"]) if sent[1]["body"] else {}


ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
REMOTE = ["192.0.2.10", "10.0.0.1", "2001:db8::1", "::ffff:192.0.2.10", "fe80::1%eth0"]
LOCAL = ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]


@pytest.mark.parametrize("address", REMOTE)
async def test_a_remote_client_does_not_see_the_admin_api(
    server: RunningServer, address: str
) -> None:
    for method, path in (
        ("GET", "/_cfaccounts/state"),
        ("POST", "/_cfaccounts/reset"),
        ("POST", "/_cfaccounts/faults"),
        ("DELETE", "/_cfaccounts/faults"),
    ):
        status, body = await call(server.app, method, path, address, ADMIN)
        assert status == 404
        assert body["success"] is False
        assert [e["code"] for e in body["errors"]] == [7000]


@pytest.mark.parametrize("address", LOCAL)
async def test_a_loopback_client_reaches_the_admin_api(
    server: RunningServer, address: str
) -> None:
    status, body = await call(server.app, "GET", "/_cfaccounts/state", address, ADMIN)
    assert status == 200 and body["success"] is True


async def test_the_api_and_health_still_answer_remote_clients(
    server: RunningServer,
) -> None:
    status, _ = await call(
        server.app,
        "GET",
        f"/client/v4/accounts/{DEMO_ACCOUNT}",
        "192.0.2.10",
        key_headers(),
    )
    assert status == 200
    status, _ = await call(server.app, "GET", "/_cfaccounts/health", "192.0.2.10")
    assert status == 200


@pytest.fixture(scope="module")
def open_admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory, "open-admin", admin_allow_remote=True)
    yield running
    running.stop()


async def test_admin_allow_remote_opens_it_to_every_address(
    open_admin: RunningServer,
) -> None:
    status, _ = await call(
        open_admin.app, "GET", "/_cfaccounts/state", "192.0.2.10", ADMIN
    )
    assert status == 200
    # Still behind the token.
    status, body = await call(open_admin.app, "GET", "/_cfaccounts/state", "192.0.2.10")
    assert status == 401 and body["errors"][0]["code"] == 10000


def test_the_setting_comes_from_the_environment() -> None:
    from cfaccounts import Settings

    assert Settings.from_env({"CFACCOUNTS_ADMIN_ALLOW_REMOTE": "1"}).admin_allow_remote
    assert not Settings.from_env({}).admin_allow_remote


def test_addresses_that_do_not_parse_are_not_loopback() -> None:
    assert not is_loopback("localhost")
    assert not is_loopback("")
    assert not is_loopback("127.0.0.1.evil")
