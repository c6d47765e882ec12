"""Path and query tricks: encoded slashes, dot segments, overlong or malformed ids,
NUL and non-UTF-8 bytes. Each is refused (7003/7000, 404, or 400), never a 500."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from cfaccounts.http.limits import MAX_URL_BYTES

from ..conftest import DEMO_ACCOUNT, RunningServer, error_codes, key_headers
from .helpers import ROUTES, assert_envelope_refusal, fill, route_id


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers=key_headers()) as client:
        yield client


def raw_status(server: RunningServer, target: bytes) -> int:
    """The status for a request target sent as raw bytes (httpx would normalise or
    refuse it)."""
    head = (
        b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n"
        b"X-Auth-Email: user@example.com\r\n"
        b"X-Auth-Key: 144c9defac04969c7bfad8efaa8ea194\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(head)
        return int(conn.recv(64).split(b" ", 2)[1])


MALFORMED_IDS = [
    "023e105f4ecef8ad9ca31a8372d0c353%2F..",
    "023e105f4ecef8ad%2F9ca31a8372d0c353",
    "..%2F..%2Fuser",
    "%2e%2e",
    "023E105F4ECEF8AD9CA31A8372D0C353",
    "023e105f4ecef8ad9ca31a8372d0c35",
    "023e105f4ecef8ad9ca31a8372d0c3533",
    "a" * 10_000,
    "%00" * 32,
    "%FF%FE",
    "%C3%A9" * 16,
    "' OR 1=1 --",
    "1;DROP TABLE accounts",
]


def test_a_malformed_account_id_is_7003_then_7000(api: httpx.Client) -> None:
    for account_id in MALFORMED_IDS:
        reply = api.get(f"/accounts/{account_id}")
        assert_envelope_refusal(reply, 400)
        assert error_codes(reply) == [7003, 7000], account_id


DOTTED = [
    f"/client/v4/accounts/{DEMO_ACCOUNT}/../../user",
    f"/client/v4/accounts/../accounts/{DEMO_ACCOUNT}",
    "/client/v4/../_cfaccounts/state",
    "/client/v4//accounts",
    "/client/v4/accounts/./",
    "/_cfaccounts/../client/v4/user",
]


def test_dot_segments_and_empty_segments_route_nowhere(server: RunningServer) -> None:
    for target in DOTTED:
        assert raw_status(server, target.encode()) in (400, 404), target


def test_raw_bytes_that_are_not_allowed_in_a_target_are_refused(
    server: RunningServer,
) -> None:
    for target in (
        b"/client/v4/accounts/\xff\xfe",
        b"/client/v4/accounts?name=\xff",
        b"/\x00",
    ):
        assert raw_status(server, target) == 400, target


def test_a_nul_in_a_query_is_refused(api: httpx.Client) -> None:
    reply = api.get("/accounts", params={"name": "Demo\x00"})
    assert_envelope_refusal(reply, 400)


def test_a_query_that_is_not_utf8_once_decoded_is_refused(api: httpx.Client) -> None:
    reply = api.get("/accounts?name=%FF%FE")
    assert reply.status_code in (200, 400)
    if reply.status_code == 400:
        assert_envelope_refusal(reply)


def test_a_long_query_value_under_the_url_limit_is_not_a_crash(
    api: httpx.Client,
) -> None:
    reply = api.get("/accounts", params={"name": "x" * 12_000})
    assert reply.status_code == 200 and reply.json()["result"] == []
    reply = api.get("/accounts", params={"page": "9" * 400})
    assert_envelope_refusal(reply, 400)


@pytest.mark.parametrize("size", [MAX_URL_BYTES, 60_000])
def test_a_url_over_the_limit_is_refused_with_414(api: httpx.Client, size: int) -> None:
    reply = api.get("/accounts", params={"name": "x" * size})
    assert_envelope_refusal(reply, 414)
    assert error_codes(reply) == [10414]


def test_every_operation_refuses_an_overlong_id_in_each_place(
    api: httpx.Client,
) -> None:
    for route in ROUTES:
        parts, filled = route.template.split("/"), fill(route).split("/")
        for i, part in enumerate(parts):
            if not part.startswith("{"):
                continue
            bad = list(filled)
            bad[i] = "f" * 33
            reply = api.request(route.method, "/".join(bad))
            assert_envelope_refusal(reply, 400)
            if part.endswith("_id}"):  # the router checks every *_id parameter
                assert error_codes(reply) == [7003, 7000], route_id(route)
