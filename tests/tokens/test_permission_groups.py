"""The token permission-group listings: sorted by id, user-level groups only for user
tokens, ``name`` and ``scope`` filters (double-encoded names included)."""

from __future__ import annotations

from collections.abc import Callable

import cloudflare
import httpx
import pytest

from cfaccounts.catalog import USER_SCOPE, ZONE_SCOPE, catalogue

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_USER_TOKEN,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
)
from .helpers import ACCOUNT_TOKENS, KEY, USER_TOKENS, gid

ALL = catalogue().groups
NOT_USER = [g for g in ALL if g.scope != USER_SCOPE]
SETTINGS_WRITE = gid("Account Settings Write")


def test_account_listing_has_every_group_but_the_user_ones_sorted_by_id(
    client: Callable[..., cloudflare.Cloudflare],
) -> None:
    page = client(**KEY).accounts.tokens.permission_groups.list(account_id=DEMO_ACCOUNT)
    ids = [g.id for g in page.result]
    assert ids == [g.id for g in NOT_USER]
    assert ids == sorted(ids)
    first = page.result[0]
    assert first.name == NOT_USER[0].name and first.scopes == [NOT_USER[0].scope]


def test_user_listing_adds_the_user_groups(
    client: Callable[..., cloudflare.Cloudflare],
) -> None:
    page = client(**KEY).user.tokens.permission_groups.list()
    ids = [g.id for g in page.result]
    assert ids == [g.id for g in ALL] and ids == sorted(ids)
    user_level = [g for g in page.result if g.scopes == [USER_SCOPE]]
    assert {g.name for g in user_level} >= {"API Tokens Write", "API Tokens Read"}


def test_items_have_id_name_description_scopes(http: httpx.Client) -> None:
    r = http.get(f"{USER_TOKENS}/permission_groups", headers=key_headers())
    items = r.json()["result"]
    assert all(set(i) == {"id", "name", "description", "scopes"} for i in items)


async def test_get_and_list_with_the_async_sdk(server: RunningServer) -> None:
    async with async_sdk(server, **KEY) as c:
        got = await c.accounts.tokens.permission_groups.get(
            account_id=DEMO_ACCOUNT, name="Account Settings Write"
        )
        assert got is not None and [g.id for g in got] == [SETTINGS_WRITE]
        page = await c.user.tokens.permission_groups.list(scope=USER_SCOPE)
        assert {g.scopes[0] for g in page.result if g.scopes} == {USER_SCOPE}


@pytest.mark.parametrize(
    "name",
    [
        "Account Settings Write",
        "account settings write",
        "Account%20Settings%20Write",  # as the SDK docstring asks: encoded twice
    ],
)
def test_name_filter(client: Callable[..., cloudflare.Cloudflare], name: str) -> None:
    got = client(**KEY).accounts.tokens.permission_groups.get(
        account_id=DEMO_ACCOUNT, name=name
    )
    assert got is not None and [g.id for g in got] == [SETTINGS_WRITE]


def test_a_double_encoded_name_on_the_wire(http: httpx.Client) -> None:
    r = http.get(
        f"{ACCOUNT_TOKENS}/permission_groups?name=Account%2520Settings%2520Write",
        headers=key_headers(),
    )
    assert [g["id"] for g in r.json()["result"]] == [SETTINGS_WRITE]


def test_names_at_two_scopes_come_back_twice(http: httpx.Client) -> None:
    r = http.get(
        f"{ACCOUNT_TOKENS}/permission_groups",
        params={"name": "Logs Read"},
        headers=key_headers(),
    )
    scopes = sorted(g["scopes"][0] for g in r.json()["result"])
    assert len(scopes) == 2 and ZONE_SCOPE in scopes


def test_scope_filter(client: Callable[..., cloudflare.Cloudflare]) -> None:
    c = client(**KEY)
    zone = c.accounts.tokens.permission_groups.list(
        account_id=DEMO_ACCOUNT, scope=ZONE_SCOPE
    ).result
    assert [g.id for g in zone] == [g.id for g in ALL if g.scope == ZONE_SCOPE]
    none = c.accounts.tokens.permission_groups.list(
        account_id=DEMO_ACCOUNT, scope=USER_SCOPE
    ).result
    assert none == []
    user = c.user.tokens.permission_groups.list(scope=USER_SCOPE).result
    assert [g.id for g in user] == [g.id for g in ALL if g.scope == USER_SCOPE]
    both = c.accounts.tokens.permission_groups.list(
        account_id=DEMO_ACCOUNT, scope=ZONE_SCOPE, name="DNS Write"
    ).result
    assert [g.id for g in both] == [gid("DNS Write", ZONE_SCOPE)]


def test_unknown_name_gives_an_empty_list(http: httpx.Client) -> None:
    r = http.get(
        f"{USER_TOKENS}/permission_groups",
        params={"name": "No Such Group"},
        headers=key_headers(),
    )
    assert r.status_code == 200 and r.json()["result"] == []


def test_listing_needs_a_token_permission_group(http: httpx.Client) -> None:
    # The demo tokens hold Account Settings Read only.
    r = http.get(f"{ACCOUNT_TOKENS}/permission_groups", headers=bearer(DEMO_USER_TOKEN))
    assert r.status_code == 403 and error_codes(r) == [9109]
    r = http.get(
        f"{ACCOUNT_TOKENS}/permission_groups", headers=bearer(DEMO_ACCOUNT_TOKEN)
    )
    assert r.status_code == 403 and error_codes(r) == [9109]
    r = http.get(f"{USER_TOKENS}/permission_groups", headers=bearer(DEMO_USER_TOKEN))
    assert r.status_code == 403 and error_codes(r) == [9109]
