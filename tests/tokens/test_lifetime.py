"""When a token works: not before ``not_before``, not from ``expires_on``, only from
the addresses its condition allows; and how lists show expired tokens and page."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import cloudflare
import httpx
import pytest

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN_ID,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
)
from .helpers import ACCOUNT_TOKENS, KEY, USER_TOKENS, create, on_account

READER = on_account("Account Settings Read")
DETAILS = f"/accounts/{DEMO_ACCOUNT}"


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_not_before_in_the_future_refuses_the_token(
    server: RunningServer, http: httpx.Client
) -> None:
    later = _iso(timedelta(days=1))
    made = create(http, ACCOUNT_TOKENS, READER, not_before=later)
    assert made["not_before"] == later and made["status"] == "active"
    r = http.get(DETAILS, headers=bearer(made["value"]))
    assert r.status_code == 401 and error_codes(r) == [1000]


def test_an_expired_token_is_refused_and_shows_expired(
    server: RunningServer, http: httpx.Client
) -> None:
    made = create(http, ACCOUNT_TOKENS, READER, expires_on=_iso(-timedelta(hours=1)))
    assert made["status"] == "expired"
    r = http.get(DETAILS, headers=bearer(made["value"]))
    assert r.status_code == 401 and error_codes(r) == [1000]
    details = http.get(f"{ACCOUNT_TOKENS}/{made['id']}", headers=key_headers())
    assert details.json()["result"]["status"] == "expired"


def test_a_token_expires_when_its_time_comes(
    server: RunningServer, http: httpx.Client
) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=2)
    made = create(
        http, ACCOUNT_TOKENS, READER, expires_on=soon.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    )
    # Token status flips with the clock, with no write in between.
    assert made["status"] == "active"
    deadline = soon + timedelta(seconds=10)
    while datetime.now(UTC) < deadline:
        r = http.get(DETAILS, headers=bearer(made["value"]))
        if r.status_code == 401:
            break
        time.sleep(0.1)
    assert r.status_code == 401 and error_codes(r) == [1000]
    assert datetime.now(UTC) >= soon
    shown = http.get(f"{ACCOUNT_TOKENS}/{made['id']}", headers=key_headers())
    assert shown.json()["result"]["status"] == "expired"


def test_lists_hide_expired_tokens_unless_asked(
    client: Callable[..., cloudflare.Cloudflare], http: httpx.Client
) -> None:
    past = _iso(-timedelta(hours=1))
    gone = create(http, ACCOUNT_TOKENS, READER, expires_on=past)
    live = create(http, ACCOUNT_TOKENS, READER)
    # A token set to status "expired" is hidden too.
    marked = create(http, ACCOUNT_TOKENS, READER)
    http.put(
        f"{ACCOUNT_TOKENS}/{marked['id']}",
        json={"name": "m", "policies": [READER], "status": "expired"},
        headers=key_headers(),
    )
    c = client(**KEY)
    shown = [t.id for t in c.accounts.tokens.list(account_id=DEMO_ACCOUNT)]
    assert shown == [DEMO_ACCOUNT_TOKEN_ID, live["id"]]
    every = c.accounts.tokens.list(account_id=DEMO_ACCOUNT, include_expired=True)
    statuses = {t.id: t.status for t in every}
    assert statuses == {
        DEMO_ACCOUNT_TOKEN_ID: "active",
        gone["id"]: "expired",
        live["id"]: "active",
        marked["id"]: "expired",
    }
    r = http.get(ACCOUNT_TOKENS, headers=key_headers())
    assert r.json()["result_info"]["total_count"] == 2
    # A disabled token is shown: it is not expired.
    http.put(
        f"{ACCOUNT_TOKENS}/{live['id']}",
        json={"name": "off", "policies": [READER], "status": "disabled"},
        headers=key_headers(),
    )
    assert live["id"] in [t.id for t in c.accounts.tokens.list(account_id=DEMO_ACCOUNT)]


@pytest.mark.parametrize("path", [ACCOUNT_TOKENS, USER_TOKENS])
def test_include_expired_must_be_a_boolean(http: httpx.Client, path: str) -> None:
    r = http.get(path, params={"include_expired": "perhaps"}, headers=key_headers())
    assert r.status_code == 400 and "include_expired" in r.text


def test_the_ip_condition_is_enforced(
    server: RunningServer, http: httpx.Client
) -> None:
    elsewhere = create(
        http, ACCOUNT_TOKENS, READER, condition={"request_ip": {"in": ["10.0.0.0/8"]}}
    )
    r = http.get(DETAILS, headers=bearer(elsewhere["value"]))
    assert r.status_code == 403
    assert r.json()["errors"] == [
        {
            "code": 9109,
            "message": "Cannot use the access token from location: 127.0.0.1",
        }
    ]
    excluded = create(
        http,
        ACCOUNT_TOKENS,
        READER,
        condition={"request_ip": {"in": ["127.0.0.0/8"], "not_in": ["127.0.0.1/32"]}},
    )
    assert http.get(DETAILS, headers=bearer(excluded["value"])).status_code == 403
    here = create(
        http, ACCOUNT_TOKENS, READER, condition={"request_ip": {"in": ["127.0.0.1/32"]}}
    )
    assert http.get(DETAILS, headers=bearer(here["value"])).status_code == 200


def test_the_older_request_ip_spelling_is_accepted_and_echoed_as_request_ip(
    client: Callable[..., cloudflare.Cloudflare], http: httpx.Client
) -> None:
    made = create(
        http,
        ACCOUNT_TOKENS,
        READER,
        condition={"request.ip": {"in": ["127.0.0.0/8"], "not_in": ["127.0.0.2/32"]}},
    )
    assert made["condition"] == {
        "request_ip": {"in": ["127.0.0.0/8"], "not_in": ["127.0.0.2/32"]}
    }
    got = client(**KEY).accounts.tokens.get(made["id"], account_id=DEMO_ACCOUNT)
    assert got is not None and got.condition is not None
    assert got.condition.request_ip is not None
    assert got.condition.request_ip.in_ == ["127.0.0.0/8"]
    assert http.get(DETAILS, headers=bearer(made["value"])).status_code == 200


async def test_sdk_times_and_condition_round_trip(server: RunningServer) -> None:
    expires = datetime(2099, 1, 2, 3, 4, 5, tzinfo=UTC)
    starts = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    async with async_sdk(server, **KEY) as c:
        made = await c.accounts.tokens.create(
            account_id=DEMO_ACCOUNT,
            name="windowed",
            policies=[READER],
            expires_on=expires,
            not_before=starts,
            condition={"request_ip": {"in": ["127.0.0.0/8"], "not_in": ["10.0.0.0/8"]}},
        )
        assert made is not None
        assert made.expires_on == expires and made.not_before == starts
        assert made.condition is not None and made.condition.request_ip is not None
        assert made.condition.request_ip.not_in == ["10.0.0.0/8"]


def test_paging_goes_to_the_end(
    client: Callable[..., cloudflare.Cloudflare], http: httpx.Client
) -> None:
    made = [
        create(http, ACCOUNT_TOKENS, READER, name=f"t{i:02}")["id"] for i in range(11)
    ]
    expected = [DEMO_ACCOUNT_TOKEN_ID, *made]
    c = client(**KEY)
    seen = [t.id for t in c.accounts.tokens.list(account_id=DEMO_ACCOUNT, per_page=5)]
    assert seen == expected
    newest_first = [
        t.id
        for t in c.accounts.tokens.list(
            account_id=DEMO_ACCOUNT, per_page=5, direction="desc"
        )
    ]
    assert newest_first == expected[::-1]
    third = http.get(
        ACCOUNT_TOKENS, params={"page": 3, "per_page": 5}, headers=key_headers()
    ).json()
    assert [t["id"] for t in third["result"]] == expected[10:]
    assert third["result_info"] == {
        "page": 3,
        "per_page": 5,
        "count": 2,
        "total_count": 12,
        "total_pages": 3,
    }
    past = http.get(ACCOUNT_TOKENS, params={"page": 4}, headers=key_headers())
    assert past.status_code == 200 and past.json()["result"] == []
    bad = http.get(ACCOUNT_TOKENS, params={"per_page": 500}, headers=key_headers())
    assert bad.status_code == 400 and "per_page" in bad.text
