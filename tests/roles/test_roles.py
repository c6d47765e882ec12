"""Roles: the built-in roles and the account's custom roles, read-only."""

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
from ..factories import account, allow, member, token, token_value, user

CUSTOM_ROLE = "3536bcfad5faccb999b47003c79917fb"  # "Account Reader" of the demo data
ADMINISTRATOR = "05784afa30c1afe1440e79d9351c7430"
BUILTIN = len(catalogue().roles)


def _list_all(client: cloudflare.Cloudflare, **kw: object) -> list[object]:
    with pytest.warns(DeprecationWarning):
        pager = client.accounts.roles.list(account_id=DEMO_ACCOUNT, **kw)  # type: ignore[arg-type]
    return list(pager)


def test_list_pages_through_builtin_then_custom_roles(
    key_client: cloudflare.Cloudflare,
) -> None:
    roles = _list_all(key_client, per_page=7)
    ids = [r.id for r in roles]  # type: ignore[attr-defined]
    assert len(ids) == BUILTIN + 1 == len(set(ids))
    assert ids[:BUILTIN] == [r.id for r in catalogue().roles]
    assert ids[-1] == CUSTOM_ROLE


def test_every_grant_carries_read_write_and_edit(
    key_client: cloudflare.Cloudflare,
) -> None:
    with pytest.warns(DeprecationWarning):
        admin = key_client.accounts.roles.get(ADMINISTRATOR, account_id=DEMO_ACCOUNT)
    assert admin is not None and admin.name == "Administrator"
    assert admin.permissions.organization is not None
    assert admin.permissions.organization.read is True
    assert admin.permissions.organization.write is True
    raw = admin.model_dump(exclude_none=True)["permissions"]
    assert raw["member"] == {"read": True, "write": False, "edit": False}
    assert raw["teams"]["report"] is True  # extra flags are kept
    for grant in raw.values():
        assert grant["write"] == grant["edit"]


def test_custom_role_written_with_write_is_served_with_edit_too(
    key_client: cloudflare.Cloudflare,
) -> None:
    with pytest.warns(DeprecationWarning):
        role = key_client.accounts.roles.get(CUSTOM_ROLE, account_id=DEMO_ACCOUNT)
    assert role is not None and role.name == "Account Reader"
    assert role.description == "Can read the account and its members"
    assert role.model_dump(exclude_none=True)["permissions"] == {
        "organization": {"read": True, "write": False, "edit": False}
    }


def test_custom_role_written_with_edit_is_served_with_write_too(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    rid = "aa" * 16
    server.seed(
        {
            "accounts": [
                {
                    "id": DEMO_ACCOUNT,
                    "roles": [
                        {
                            "id": rid,
                            "name": "DNS Editor",
                            "permissions": {
                                "dns_records": {"read": True, "edit": True}
                            },
                        }
                    ],
                }
            ]
        }
    )
    with pytest.warns(DeprecationWarning):
        role = key_client.accounts.roles.get(rid, account_id=DEMO_ACCOUNT)
    assert role is not None
    assert role.permissions.dns_records is not None
    assert role.permissions.dns_records.write is True
    grant = role.model_dump(exclude_none=True)["permissions"]["dns_records"]
    assert grant == {"read": True, "write": True, "edit": True}


async def test_async_client_lists_and_reads_roles(server: RunningServer) -> None:
    async with async_sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client:
        with pytest.warns(DeprecationWarning):
            pager = client.accounts.roles.list(account_id=DEMO_ACCOUNT, per_page=50)
        ids = [r.id async for r in pager]
        with pytest.warns(DeprecationWarning):
            role = await client.accounts.roles.get(
                SUPER_ADMIN_ROLE, account_id=DEMO_ACCOUNT
            )
    assert len(ids) == BUILTIN + 1
    assert role is not None and role.name == "Super Administrator - All Privileges"


def test_custom_roles_of_another_account_are_not_visible(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    other = account("Other")
    rid = "bb" * 16
    other["roles"] = [{"id": rid, "name": "Theirs", "permissions": {}}]
    server.seed({"accounts": [other]})
    with pytest.warns(DeprecationWarning), pytest.raises(cloudflare.NotFoundError):
        key_client.accounts.roles.get(rid, account_id=DEMO_ACCOUNT)
    assert CUSTOM_ROLE in [r.id for r in _list_all(key_client)]  # type: ignore[attr-defined]
    assert rid not in [r.id for r in _list_all(key_client)]  # type: ignore[attr-defined]


def test_unknown_role_is_404_with_a_code(http: httpx.Client) -> None:
    r = http.get(f"/accounts/{DEMO_ACCOUNT}/roles/{'0' * 32}", headers=key_headers())
    assert r.status_code == 404
    assert error_codes(r) == [1003]


def test_page_past_the_end_is_empty(http: httpx.Client) -> None:
    r = http.get(
        f"/accounts/{DEMO_ACCOUNT}/roles",
        params={"page": "9.0", "per_page": 50},
        headers=key_headers(),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["result"] == []
    assert body["result_info"]["total_count"] == BUILTIN + 1
    assert body["result_info"]["page"] == 9


@pytest.mark.parametrize("per_page", ["4", "51", "x"])
def test_out_of_range_per_page_is_refused(http: httpx.Client, per_page: str) -> None:
    r = http.get(
        f"/accounts/{DEMO_ACCOUNT}/roles",
        params={"per_page": per_page},
        headers=key_headers(),
    )
    assert r.status_code == 400
    assert "per_page" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "credential", [DEMO_USER_TOKEN, DEMO_ACCOUNT_TOKEN], ids=["user", "account"]
)
def test_tokens_with_account_settings_read_may_list_roles(
    server: RunningServer, credential: str
) -> None:
    with pytest.warns(DeprecationWarning):
        page = sdk(server, api_token=credential).accounts.roles.list(
            account_id=DEMO_ACCOUNT
        )
    assert len(page.result) == 20


def test_token_without_the_groups_is_refused(
    server: RunningServer, http: httpx.Client
) -> None:
    value = token_value()
    dns_read = catalogue().group("DNS Read", "com.cloudflare.api.account.zone").id
    doc = {
        "accounts": [
            {
                "id": DEMO_ACCOUNT,
                "tokens": [token(value, allow(DEMO_ACCOUNT, dns_read))],
            }
        ]
    }
    server.seed(doc)
    r = http.get(f"/accounts/{DEMO_ACCOUNT}/roles", headers=bearer(value))
    assert r.status_code == 403
    assert error_codes(r) == [9109]


def test_member_of_another_account_cannot_read_these_roles(
    server: RunningServer, http: httpx.Client
) -> None:
    outsider = user(api_key="ab" * 16)
    other = account("Theirs")
    other["members"] = [member(outsider["email"], SUPER_ADMIN_ROLE)]
    server.seed({"users": [outsider], "accounts": [other]})
    r = http.get(
        f"/accounts/{DEMO_ACCOUNT}/roles",
        headers=key_headers(outsider["email"], "ab" * 16),
    )
    assert r.status_code == 403
    assert error_codes(r) == [9109]
