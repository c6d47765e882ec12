"""GET /accounts: which accounts a caller sees, in which order, and in pages."""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import pytest

from .. import factories
from ..conftest import (
    ACCOUNT_SETTINGS_READ,
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_ID,
    DEMO_USER_TOKEN,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
    sdk,
)

KEY = {"api_email": DEMO_EMAIL, "api_key": DEMO_KEY}


def seed_accounts(server: RunningServer, *names: str, **member: Any) -> list[str]:
    """Accounts with the demo user as a member (accepted unless told otherwise)."""
    accounts = [
        factories.account(name, members=[factories.member(DEMO_EMAIL, **member)])
        for name in names
    ]
    server.seed({"accounts": accounts})
    return [a["id"] for a in accounts]


def test_global_key_lists_the_accounts_the_user_has_accepted(
    server: RunningServer,
) -> None:
    mine = seed_accounts(server, "Bravo", "alpha")
    seed_accounts(server, "Invited Only", status="pending")
    server.seed({"accounts": [factories.account("Someone Else's")]})
    accounts = list(sdk(server, **KEY).accounts.list())
    assert [a.name for a in accounts] == ["Bravo", "Demo Account", "alpha"]
    assert {a.id for a in accounts} == {DEMO_ACCOUNT, *mine}
    demo = next(a for a in accounts if a.id == DEMO_ACCOUNT)
    assert demo.type == "standard" and demo.settings is not None
    assert demo.settings.abuse_contact_email == "abuse@example.com"


async def test_async_client_lists_and_iterates(server: RunningServer) -> None:
    seed_accounts(server, *(f"Async {i:02}" for i in range(7)))
    async with async_sdk(server, **KEY) as client:
        names = [a.name async for a in client.accounts.list(per_page=5)]
    assert names == [*(f"Async {i:02}" for i in range(7)), "Demo Account"]


def test_iteration_pages_to_the_end_and_stops(server: RunningServer) -> None:
    seed_accounts(server, *(f"Account {i:02}" for i in range(12)))
    seen: list[str] = []

    def log(request: httpx.Request) -> None:
        seen.append(request.url.query.decode())

    client = sdk(server, **KEY)
    client._client.event_hooks["request"].append(log)
    names = [a.name for a in client.accounts.list(per_page=5)]
    assert names == [*(f"Account {i:02}" for i in range(12)), "Demo Account"]
    # Three full pages, then the empty page that ends the SDK's iteration.
    assert len(seen) == 4 and "page=4" in seen[-1]


def test_a_page_past_the_end_is_empty_with_result_info(
    server: RunningServer, http: httpx.Client
) -> None:
    seed_accounts(server, *(f"Account {i:02}" for i in range(6)))
    first = http.get("/accounts?per_page=5", headers=key_headers()).json()
    assert first["result_info"] == {
        "page": 1,
        "per_page": 5,
        "count": 5,
        "total_count": 7,
        "total_pages": 2,
    }
    past = http.get("/accounts?per_page=5&page=3", headers=key_headers())
    assert past.status_code == 200
    assert past.json()["result"] == []
    assert past.json()["result_info"]["total_count"] == 7


def test_direction_flips_the_order_of_names_then_ids(server: RunningServer) -> None:
    twins = seed_accounts(server, "Twin", "Twin", "Zulu")
    client = sdk(server, **KEY)
    ascending = [(a.name, a.id) for a in client.accounts.list(direction="asc")]
    descending = [(a.name, a.id) for a in client.accounts.list(direction="desc")]
    assert ascending == sorted(ascending)
    assert descending == ascending[::-1]
    assert [i for n, i in ascending if n == "Twin"] == sorted(twins[:2])


def test_name_filters_by_substring_ignoring_case(server: RunningServer) -> None:
    seed_accounts(server, "Production EU", "production us", "Staging", "100% Off")
    client = sdk(server, **KEY)
    assert [a.name for a in client.accounts.list(name="PRODUCTION")] == [
        "Production EU",
        "production us",
    ]
    # Wildcards of SQL are plain characters.
    assert [a.name for a in client.accounts.list(name="0%")] == ["100% Off"]
    assert [a.name for a in client.accounts.list(name="_")] == []


def test_user_token_sees_only_accounts_its_policies_reach(
    server: RunningServer,
) -> None:
    other = seed_accounts(server, "Other Member Account")[0]
    accounts = list(sdk(server, api_token=DEMO_USER_TOKEN).accounts.list())
    assert [a.id for a in accounts] == [DEMO_ACCOUNT]
    assert other != DEMO_ACCOUNT


def test_token_on_every_account_sees_every_membership_but_denied_ones(
    server: RunningServer,
) -> None:
    kept, denied = seed_accounts(server, "Kept", "Denied")
    stranger = factories.account("Not A Member")
    every = {
        "effect": "allow",
        "resources": {"com.cloudflare.api.account.*": "*"},
        "permission_groups": [{"id": ACCOUNT_SETTINGS_READ}],
    }
    value = factories.token_value()
    token = factories.token(
        value, every, factories.allow(denied, ACCOUNT_SETTINGS_READ, effect="deny")
    )
    server.seed(
        {
            "users": [{"id": DEMO_USER_ID, "email": DEMO_EMAIL, "tokens": [token]}],
            "accounts": [stranger],
        }
    )
    names = [a.name for a in sdk(server, api_token=value).accounts.list()]
    assert names == ["Demo Account", "Kept"]
    assert kept and stranger["name"] not in names


def test_token_whose_policies_reach_only_zones_still_sees_the_account(
    server: RunningServer,
) -> None:
    value = factories.token_value()
    zones = {
        "effect": "allow",
        "resources": {
            f"com.cloudflare.api.account.{DEMO_ACCOUNT}": {
                "com.cloudflare.api.account.zone.*": "*"
            }
        },
        "permission_groups": [{"id": "c8fed203ed3043cba015a93ad1616f1f"}],
    }
    server.seed(
        {
            "users": [
                {
                    "id": DEMO_USER_ID,
                    "email": DEMO_EMAIL,
                    "tokens": [factories.token(value, zones)],
                }
            ]
        }
    )
    assert [a.id for a in sdk(server, api_token=value).accounts.list()] == [
        DEMO_ACCOUNT
    ]


def test_token_with_only_user_policies_sees_no_account(server: RunningServer) -> None:
    value = factories.token_value()
    user_only = factories.on_user(DEMO_USER_ID, "8acbe5bb0d54464ab867149d7f7cf8ac")
    server.seed(
        {
            "users": [
                {
                    "id": DEMO_USER_ID,
                    "email": DEMO_EMAIL,
                    "tokens": [factories.token(value, user_only)],
                }
            ]
        }
    )
    assert list(sdk(server, api_token=value).accounts.list()) == []


def test_account_token_is_refused_with_the_real_message(
    server: RunningServer, http: httpx.Client
) -> None:
    r = http.get("/accounts", headers=bearer(DEMO_ACCOUNT_TOKEN))
    assert (r.status_code, error_codes(r)) == (400, [1001])
    assert r.json()["errors"][0]["message"] == (
        "List accounts endpoint does not support account owned tokens."
    )
    with (
        sdk(server, api_token=DEMO_ACCOUNT_TOKEN) as client,
        pytest.raises(cloudflare.BadRequestError),
    ):
        list(client.accounts.list())


@pytest.mark.parametrize(
    "query",
    ["page=0", "per_page=4", "per_page=51", "page=abc", "per_page=2.5", "direction=up"],
)
def test_bad_list_parameters_are_400(http: httpx.Client, query: str) -> None:
    r = http.get(f"/accounts?{query}", headers=key_headers())
    assert (r.status_code, error_codes(r)) == (400, [1001])
    name = query.split("=")[0]
    assert name in r.json()["errors"][0]["message"]


def test_float_paging_values_from_the_sdk_are_accepted(http: httpx.Client) -> None:
    r = http.get("/accounts?page=1.0&per_page=5.0", headers=key_headers())
    assert r.status_code == 200
    assert r.json()["result_info"]["per_page"] == 5


def test_no_credentials_is_refused(http: httpx.Client) -> None:
    r = http.get("/accounts")
    assert (r.status_code, error_codes(r)) == (400, [9106])
