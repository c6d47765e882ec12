"""SQL metacharacters in every string field and query parameter are data: stored and
returned as given, matched literally by filters, and never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ..conftest import DEMO_ACCOUNT, RunningServer, key_headers
from .helpers import BODY_ROUTES, ROUTES, fill, route_id

NASTY = [
    "Robert'); DROP TABLE accounts;--",
    "' OR '1'='1",
    '" OR ""="',
    "%' OR name LIKE '%",
    "\\'; SELECT pg_sleep(5); --",
    "_%",
    "1; DELETE FROM users",
    "$1 $$ ::text",
]
# String fields the operations take, by name; each body carries all of them.
STRING_FIELDS = [
    "name",
    "email",
    "description",
    "first_name",
    "last_name",
    "telephone",
    "country",
    "zipcode",
    "status",
    "type",
]
# Query parameters the list operations take (unknown ones are ignored).
QUERY_FIELDS = ["name", "email", "status", "direction", "order", "action_type"]


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers=key_headers()) as client:
        yield client


def test_an_account_name_full_of_sql_is_kept_as_given(api: httpx.Client) -> None:
    for text in NASTY:
        reply = api.put(f"/accounts/{DEMO_ACCOUNT}", json={"name": text})
        assert reply.status_code == 200, reply.text
        assert api.get(f"/accounts/{DEMO_ACCOUNT}").json()["result"]["name"] == text
        listed = api.get("/accounts", params={"name": text}).json()["result"]
        assert [a["id"] for a in listed] == [DEMO_ACCOUNT]


def test_a_filter_of_sql_matches_nothing_rather_than_everything(
    api: httpx.Client,
) -> None:
    for text in NASTY:
        reply = api.get("/accounts", params={"name": text})
        assert reply.status_code == 200
        assert reply.json()["result"] == []


def test_no_operation_fails_on_sql_in_its_string_fields(
    server: RunningServer, api: httpx.Client
) -> None:
    for text in NASTY:
        body: dict[str, Any] = dict.fromkeys(STRING_FIELDS, text)
        for route in BODY_ROUTES:
            reply = api.request(route.method, fill(route), json=body)
            assert reply.status_code < 500, (route_id(route), text, reply.text)
        for route in ROUTES:
            if route.method != "GET":
                continue
            params = dict.fromkeys(QUERY_FIELDS, text)
            reply = api.get(fill(route), params=params)
            assert reply.status_code < 500, (route_id(route), text, reply.text)
        server.reset()  # some bodies may have been accepted; start clean
    # The tables are all still there and whole.
    assert api.get(f"/accounts/{DEMO_ACCOUNT}").status_code == 200
    assert api.get("/user").json()["result"]["email"] == "user@example.com"
