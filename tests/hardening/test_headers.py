"""Bad headers: too many or too large (431 with an envelope), credential headers given
twice (refused, not one copy picked), bytes that are not UTF-8."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from cfaccounts.http.limits import MAX_HEADER_BYTES, MAX_HEADERS

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_TOKEN,
    RunningServer,
    error_codes,
    key_headers,
)
from .helpers import assert_envelope_refusal

ACCOUNT = f"/accounts/{DEMO_ACCOUNT}"


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url) as client:
        yield client


def raw_request(server: RunningServer, head: bytes) -> bytes:
    """Send a request as raw bytes (what httpx would refuse to send) and read the
    status line and headers of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(head)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_headers_over_the_size_limit_are_refused_with_431(api: httpx.Client) -> None:
    headers = {**key_headers(), "X-Padding": "a" * (MAX_HEADER_BYTES + 1)}
    reply = api.get(ACCOUNT, headers=headers)
    assert_envelope_refusal(reply, 431)
    assert error_codes(reply) == [10431]


def test_too_many_headers_are_refused_with_431(api: httpx.Client) -> None:
    headers = {**key_headers(), **{f"X-Extra-{i}": "v" for i in range(MAX_HEADERS)}}
    reply = api.get(ACCOUNT, headers=headers)
    assert_envelope_refusal(reply, 431)


def test_a_one_megabyte_header_is_refused_not_read(api: httpx.Client) -> None:
    reply = api.get(ACCOUNT, headers={"X-Auth-Email": "a" * 1_000_000 + "@x.com"})
    assert_envelope_refusal(reply, 431)


@pytest.mark.parametrize(
    ("repeated", "chain"),
    [
        ([("Authorization", f"Bearer {DEMO_USER_TOKEN}")] * 2, 6111),
        ([("X-Auth-Key", DEMO_KEY)] * 2 + [("X-Auth-Email", DEMO_EMAIL)], 6103),
        ([("X-Auth-Email", DEMO_EMAIL)] * 2 + [("X-Auth-Key", DEMO_KEY)], 6102),
        (
            [("Authorization", f"Bearer {DEMO_USER_TOKEN}"), ("authorization", "x")],
            6111,
        ),
    ],
    ids=["authorization", "x-auth-key", "x-auth-email", "mixed-case"],
)
def test_a_credential_header_given_twice_is_refused(
    api: httpx.Client, repeated: list[tuple[str, str]], chain: int
) -> None:
    reply = api.get(ACCOUNT, headers=repeated)
    assert_envelope_refusal(reply, 400)
    first = reply.json()["errors"][0]
    assert first["code"] == 6003
    assert [c["code"] for c in first["error_chain"]] == [chain]


def test_other_headers_may_repeat(api: httpx.Client) -> None:
    headers = [*key_headers().items(), ("Accept", "application/json")] + [
        ("X-Stainless-Lang", "python")
    ] * 2
    assert api.get(ACCOUNT, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        b"X-Auth-Email: \xff\xfe@example.com\r\nX-Auth-Key: " + DEMO_KEY.encode(),
        b"X-Auth-Email: " + DEMO_EMAIL.encode() + b"\r\nX-Auth-Key: \xff" * 1,
        b"Authorization: Bearer \xe9\xe9\xe9" + b"a" * 40,
        b"Authorization: \xff\xff",
        b"X-Auth-Email: ' OR '1'='1@example.com\r\nX-Auth-Key: " + DEMO_KEY.encode(),
    ],
    ids=["email", "key", "token", "scheme", "sql-email"],
)
def test_credential_headers_that_are_not_utf8_or_not_sane_are_refused(
    server: RunningServer, header: bytes
) -> None:
    head = (
        f"GET {server.settings.prefix}{ACCOUNT} HTTP/1.1\r\nHost: x\r\n".encode()
        + header
        + b"\r\nConnection: close\r\n\r\n"
    )
    status_line = raw_request(server, head).split(b"\r\n", 1)[0]
    status = int(status_line.split()[1])
    assert status in (400, 401, 403), status_line


def test_non_utf8_in_an_ordinary_header_is_ignored(server: RunningServer) -> None:
    head = (
        f"GET {server.settings.prefix}{ACCOUNT} HTTP/1.1\r\nHost: x\r\n".encode()
        + f"X-Auth-Email: {DEMO_EMAIL}\r\nX-Auth-Key: {DEMO_KEY}\r\n".encode()
        + b"User-Agent: \xff\xfe\xfd\r\nConnection: close\r\n\r\n"
    )
    assert raw_request(server, head).startswith(b"HTTP/1.1 200")
