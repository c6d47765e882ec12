"""IAM resource groups: the account's groups of scoped resources."""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import pytest

from cfaccounts.seeding.load import account_resource_group_id

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_TOKEN,
    RunningServer,
    async_sdk,
    error_codes,
    key_headers,
    sdk,
)
from ..factories import account

ACCOUNT_GROUP = account_resource_group_id(DEMO_ACCOUNT)
ZONES_GROUP = "cc" * 16


def _zone_group(account_id: str = DEMO_ACCOUNT, gid: str = ZONES_GROUP) -> Any:
    return {
        "id": gid,
        "name": "two zones",
        "scope": {
            "key": f"com.cloudflare.api.account.{account_id}",
            "objects": [
                {"key": "com.cloudflare.api.account.zone." + "1" * 32},
                {"key": "com.cloudflare.api.account.zone." + "2" * 32},
            ],
        },
        "meta": {"key": "team", "value": "web"},
    }


def test_every_account_has_a_group_covering_it(
    key_client: cloudflare.Cloudflare,
) -> None:
    groups = list(key_client.iam.resource_groups.list(account_id=DEMO_ACCOUNT))
    assert [g.id for g in groups] == [ACCOUNT_GROUP]
    group = groups[0]
    assert group.name == f"com.cloudflare.api.account.{DEMO_ACCOUNT}"
    assert group.scope.key == f"com.cloudflare.api.account.{DEMO_ACCOUNT}"
    assert [o.key for o in group.scope.objects] == ["*"]


def test_seeded_groups_are_listed_and_read(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    server.seed(
        {"accounts": [{"id": DEMO_ACCOUNT, "resource_groups": [_zone_group()]}]}
    )
    groups = key_client.iam.resource_groups.list(account_id=DEMO_ACCOUNT)
    assert sorted(g.id for g in groups) == sorted([ACCOUNT_GROUP, ZONES_GROUP])
    group = key_client.iam.resource_groups.get(ZONES_GROUP, account_id=DEMO_ACCOUNT)
    assert group is not None
    assert group.name == "two zones"
    assert len(group.scope.objects) == 2
    assert group.meta is not None and group.meta.value == "web"


def test_list_filters_by_id_and_name(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    server.seed(
        {"accounts": [{"id": DEMO_ACCOUNT, "resource_groups": [_zone_group()]}]}
    )
    by_id = key_client.iam.resource_groups.list(account_id=DEMO_ACCOUNT, id=ZONES_GROUP)
    assert [g.id for g in by_id] == [ZONES_GROUP]
    by_name = key_client.iam.resource_groups.list(
        account_id=DEMO_ACCOUNT, name="two zones"
    )
    assert [g.id for g in by_name] == [ZONES_GROUP]
    none = key_client.iam.resource_groups.list(account_id=DEMO_ACCOUNT, name="nope")
    assert list(none) == []


def test_groups_of_another_account_are_not_visible(
    server: RunningServer, http: httpx.Client
) -> None:
    other = account("Other")
    theirs = "dd" * 16
    other["resource_groups"] = [_zone_group(other["id"], theirs)]
    server.seed({"accounts": [other]})
    r = http.get(
        f"/accounts/{DEMO_ACCOUNT}/iam/resource_groups/{theirs}", headers=key_headers()
    )
    assert r.status_code == 404
    assert error_codes(r) == [1003]
    listed = http.get(
        f"/accounts/{DEMO_ACCOUNT}/iam/resource_groups", headers=key_headers()
    )
    assert [g["id"] for g in listed.json()["result"]] == [ACCOUNT_GROUP]


def test_pages_when_asked(server: RunningServer, http: httpx.Client) -> None:
    groups = [_zone_group(gid=f"{i:032x}") for i in range(1, 7)]
    server.seed({"accounts": [{"id": DEMO_ACCOUNT, "resource_groups": groups}]})
    url = f"/accounts/{DEMO_ACCOUNT}/iam/resource_groups"
    whole = http.get(url, headers=key_headers()).json()
    assert len(whole["result"]) == whole["result_info"]["total_count"] == 7
    second = http.get(url, params={"page": 2, "per_page": 5}, headers=key_headers())
    assert len(second.json()["result"]) == 2
    past = http.get(url, params={"page": 3, "per_page": 5}, headers=key_headers())
    assert past.status_code == 200 and past.json()["result"] == []


async def test_async_client_lists_and_reads(server: RunningServer) -> None:
    async with async_sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client:
        ids = [
            g.id async for g in client.iam.resource_groups.list(account_id=DEMO_ACCOUNT)
        ]
        group = await client.iam.resource_groups.get(
            ACCOUNT_GROUP, account_id=DEMO_ACCOUNT
        )
    assert ids == [ACCOUNT_GROUP]
    assert group is not None and group.scope.objects[0].key == "*"


def test_user_token_with_account_settings_read_may_read(server: RunningServer) -> None:
    client = sdk(server, api_token=DEMO_USER_TOKEN)
    assert [g.id for g in client.iam.resource_groups.list(account_id=DEMO_ACCOUNT)] == [
        ACCOUNT_GROUP
    ]


@pytest.mark.parametrize("path", ["", f"/{ACCOUNT_GROUP}"])
def test_unknown_account_is_refused(http: httpx.Client, path: str) -> None:
    r = http.get(
        f"/accounts/{'0' * 32}/iam/resource_groups{path}", headers=key_headers()
    )
    assert r.status_code == 403
    assert error_codes(r) == [9109]
