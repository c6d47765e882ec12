"""IAM permission groups: the built-in account roles, as the SDK's iam client reads
them."""

from __future__ import annotations

import cloudflare
import httpx
import pytest

from cfaccounts.catalog import catalogue

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_TOKEN,
    SUPER_ADMIN_ROLE,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
    sdk,
)
from ..factories import allow, token, token_value

ROLES = catalogue().roles


def test_list_pages_through_every_builtin_role(
    key_client: cloudflare.Cloudflare,
) -> None:
    groups = list(key_client.iam.permission_groups.list(account_id=DEMO_ACCOUNT))
    assert [g.id for g in groups] == [r.id for r in ROLES]
    first = groups[0]
    assert first.name == ROLES[0].name
    assert first.meta is not None
    assert first.meta.scopes == "com.cloudflare.api.account"
    assert first.meta.label == "administrator"
    assert first.meta.editable == "false"


def test_details_of_one_group(key_client: cloudflare.Cloudflare) -> None:
    group = key_client.iam.permission_groups.get(
        SUPER_ADMIN_ROLE, account_id=DEMO_ACCOUNT
    )
    assert group is not None
    assert group.id == SUPER_ADMIN_ROLE
    assert group.name == "Super Administrator - All Privileges"
    assert group.meta is not None
    assert group.meta.label == "super_administrator_all_privileges"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"id": SUPER_ADMIN_ROLE}, [SUPER_ADMIN_ROLE]),
        ({"name": "super administrator - all privileges"}, [SUPER_ADMIN_ROLE]),
        ({"label": "cloudflare_r2_admin"}, ["6f83464b634142ce4ac573616256096e"]),
        ({"name": "No Such Role"}, []),
        ({"id": "0" * 32}, []),
    ],
)
def test_list_filters(
    key_client: cloudflare.Cloudflare, query: dict[str, str], expected: list[str]
) -> None:
    groups = key_client.iam.permission_groups.list(account_id=DEMO_ACCOUNT, **query)
    assert [g.id for g in groups] == expected


async def test_async_client_lists_and_reads(server: RunningServer) -> None:
    async with async_sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client:
        ids = [
            g.id
            async for g in client.iam.permission_groups.list(
                account_id=DEMO_ACCOUNT, per_page=15
            )
        ]
        group = await client.iam.permission_groups.get(
            ROLES[-1].id, account_id=DEMO_ACCOUNT
        )
    assert ids == [r.id for r in ROLES]
    assert group is not None and group.name == ROLES[-1].name


def test_pages_and_page_past_the_end(http: httpx.Client) -> None:
    url = f"/accounts/{DEMO_ACCOUNT}/iam/permission_groups"
    second = http.get(url, params={"page": 2, "per_page": 15}, headers=key_headers())
    assert second.status_code == 200
    body = second.json()
    assert [g["id"] for g in body["result"]] == [r.id for r in ROLES[15:30]]
    assert body["result_info"]["total_count"] == len(ROLES)
    past = http.get(url, params={"page": 4, "per_page": 15}, headers=key_headers())
    assert past.status_code == 200 and past.json()["result"] == []


def test_unknown_group_is_404(http: httpx.Client) -> None:
    r = http.get(
        f"/accounts/{DEMO_ACCOUNT}/iam/permission_groups/{'0' * 32}",
        headers=key_headers(),
    )
    assert r.status_code == 404
    assert error_codes(r) == [1003]


@pytest.mark.parametrize(
    "credential", [DEMO_USER_TOKEN, DEMO_ACCOUNT_TOKEN], ids=["user", "account"]
)
def test_tokens_with_account_settings_read_may_read(
    server: RunningServer, credential: str
) -> None:
    client = sdk(server, api_token=credential)
    page = client.iam.permission_groups.list(account_id=DEMO_ACCOUNT)
    assert len(page.result) == 20


def test_token_without_account_settings_is_refused(
    server: RunningServer, http: httpx.Client
) -> None:
    value = token_value()
    scim = catalogue().group("SCIM Provisioning").id
    server.seed(
        {
            "accounts": [
                {
                    "id": DEMO_ACCOUNT,
                    "tokens": [token(value, allow(DEMO_ACCOUNT, scim))],
                }
            ]
        }
    )
    r = http.get(
        f"/accounts/{DEMO_ACCOUNT}/iam/permission_groups", headers=bearer(value)
    )
    assert r.status_code == 403
    assert error_codes(r) == [9109]
