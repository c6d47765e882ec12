"""Bad request bodies are refused with an envelope, never a 500, and write nothing:
too large, not JSON, not UTF-8, nested too deep, holding NUL characters. JSON bodies
are read whatever their Content-Type says, as the real API does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ..conftest import (
    ADMIN_TOKEN,
    DEMO_ACCOUNT,
    RunningServer,
    bearer,
    error_codes,
    key_headers,
)
from .helpers import BODY_ROUTES, assert_envelope_refusal, fill, route_id

ACCOUNT = f"/accounts/{DEMO_ACCOUNT}"


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    """The demo Super Administrator's global key on every request."""
    with httpx.Client(base_url=server.base_url, headers=key_headers()) as client:
        yield client


@pytest.fixture
def admin(server: RunningServer) -> Iterator[httpx.Client]:
    """The admin API with its token."""
    with httpx.Client(
        base_url=server.url + "/_cfaccounts", headers=bearer(ADMIN_TOKEN)
    ) as client:
        yield client


def state(admin: httpx.Client) -> dict[str, Any]:
    result: dict[str, Any] = admin.get("/state").json()["result"]
    return result


def test_a_body_over_the_limit_is_refused_with_413(
    server: RunningServer, api: httpx.Client
) -> None:
    limit = server.settings.max_body_bytes
    body = b'{"name":"' + b"a" * limit + b'"}'
    reply = api.put(ACCOUNT, content=body)
    assert_envelope_refusal(reply, 413)
    assert error_codes(reply) == [10413]
    assert str(limit) in reply.json()["errors"][0]["message"]


def test_a_streamed_body_over_the_limit_is_refused_with_413(
    server: RunningServer, api: httpx.Client
) -> None:
    limit = server.settings.max_body_bytes

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"name":"'
        for _ in range(limit // 65536 + 2):
            yield b"a" * 65536
        yield b'"}'

    reply = api.put(ACCOUNT, content=chunks())
    assert_envelope_refusal(reply, 413)


def test_a_streamed_body_without_a_length_is_read(
    server: RunningServer, api: httpx.Client
) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"name":"Streamed'
        yield b' Name","settings":{}}'

    reply = api.put(ACCOUNT, content=chunks())
    assert reply.status_code == 200, reply.text
    assert reply.json()["result"]["name"] == "Streamed Name"


def test_a_body_at_the_limit_is_read(server: RunningServer, api: httpx.Client) -> None:
    limit = server.settings.max_body_bytes
    body = b'{"name":"Demo Account","settings":{}}'
    body += b" " * (limit - len(body))
    assert api.put(ACCOUNT, content=body).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"not json",
        b'{"name": "a",}',
        b"\xff\xfe{}",
        b'{"name":"\xff\xfe"}',
        b'{"name": NaN}',
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
    ],
    ids=[
        "truncated",
        "text",
        "trailing-comma",
        "utf16-bom",
        "latin1-in-string",
        "nan",
        "deep-list",
        "deep-object",
    ],
)
def test_a_body_that_is_not_json_is_6007(api: httpx.Client, body: bytes) -> None:
    reply = api.put(ACCOUNT, content=body)
    assert_envelope_refusal(reply, 400)
    assert error_codes(reply) == [6007]


def test_json_nested_too_deep_for_any_field_is_refused(api: httpx.Client) -> None:
    nested: Any = "x"
    for _ in range(40):
        nested = {"a": nested}
    reply = api.put(ACCOUNT, json={"name": "Demo Account", "settings": nested})
    assert_envelope_refusal(reply, 400)
    assert "nested" in reply.json()["errors"][0]["message"]


def test_a_nul_character_in_a_string_is_refused(
    admin: httpx.Client, api: httpx.Client
) -> None:
    before = state(admin)
    reply = api.put(ACCOUNT, json={"name": "Demo\u0000Account"})
    assert_envelope_refusal(reply, 400)
    assert "NUL" in reply.json()["errors"][0]["message"]
    assert state(admin) == before


def test_an_escaped_backslash_before_u0000_is_not_a_nul(api: httpx.Client) -> None:
    reply = api.put(ACCOUNT, content=b'{"name":"Demo \\\\u0000 Account"}')
    assert reply.status_code == 200
    assert reply.json()["result"]["name"] == "Demo \\u0000 Account"


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/xml"],
)
def test_a_json_body_is_read_whatever_its_content_type(
    api: httpx.Client, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    reply = api.put(ACCOUNT, content=b'{"name":"Renamed Account"}', headers=headers)
    assert reply.status_code == 200, reply.text
    assert reply.json()["result"]["name"] == "Renamed Account"


def test_a_form_body_is_not_json(api: httpx.Client) -> None:
    reply = api.put(ACCOUNT, data={"name": "Renamed"})
    assert_envelope_refusal(reply, 400)
    assert error_codes(reply) == [6007]


BAD_BODIES = [
    b"{",
    b'{"name":"\xff"}',
    b"[" * 2000 + b"]" * 2000,
    b"[]",
    b'"a string"',
    b"null",
    b"12",
    b'{"name":{"name":{"name":[[[[[[]]]]]]}}}',
    b'{"name":"a\\u0000"}',
]


def test_no_operation_fails_on_a_bad_body_or_writes_part_of_it(
    api: httpx.Client, admin: httpx.Client
) -> None:
    for route in BODY_ROUTES:
        before = state(admin)
        accepted = []
        for body in BAD_BODIES:
            reply = api.request(route.method, fill(route), content=body)
            assert reply.status_code < 500, (route_id(route), body[:40], reply.text)
            if reply.status_code < 400:
                accepted.append(body)
            else:
                assert_envelope_refusal(reply)
        if not accepted:
            assert state(admin) == before, route_id(route)
