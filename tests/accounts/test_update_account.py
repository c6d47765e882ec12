"""PUT /accounts/{account_id}: the whole Account document, read-only fields ignored."""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import orjson
import pytest
from sqlalchemy import select

from cfaccounts.storage import schema as s

from .. import factories
from ..conftest import (
    ACCOUNT_SETTINGS_READ,
    ACCOUNT_SETTINGS_WRITE,
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_ID,
    DEMO_USER_TOKEN,
    VIEWER_EMAIL,
    VIEWER_KEY,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
    sdk,
)

KEY = {"api_email": DEMO_EMAIL, "api_key": DEMO_KEY}


def events(server: RunningServer, account_id: str) -> list[Any]:
    a = s.audit_logs.c
    with server.app.services.db.read() as conn:
        return list(
            conn.execute(
                select(s.audit_logs).where(a.account_id == account_id).order_by(a.seq)
            ).all()
        )


def test_update_renames_and_changes_settings(server: RunningServer) -> None:
    client = sdk(server, **KEY)
    updated = client.accounts.update(
        account_id=DEMO_ACCOUNT,
        id=DEMO_ACCOUNT,
        name="Renamed",
        type="enterprise",
        settings={"abuse_contact_email": "new@example.com", "enforce_twofactor": False},
    )
    assert updated is not None
    assert (updated.name, updated.type) == ("Renamed", "enterprise")
    assert updated.settings is not None
    assert updated.settings.abuse_contact_email == "new@example.com"
    assert updated.settings.enforce_twofactor is False
    fetched = client.accounts.get(account_id=DEMO_ACCOUNT)
    assert fetched is not None and fetched.model_dump() == updated.model_dump()
    (event,) = events(server, DEMO_ACCOUNT)
    assert (event.action_type, event.resource_type) == ("update", "account")
    assert orjson.loads(event.before)["name"] == "Demo Account"
    assert orjson.loads(event.after)["name"] == "Renamed"


async def test_async_client_updates(server: RunningServer) -> None:
    async with async_sdk(server, **KEY) as client:
        updated = await client.accounts.update(
            account_id=DEMO_ACCOUNT, id=DEMO_ACCOUNT, name="Async", type="standard"
        )
        fetched = await client.accounts.get(account_id=DEMO_ACCOUNT)
    assert updated is not None and updated.name == "Async"
    assert fetched is not None and fetched.name == "Async"


def test_settings_left_out_keep_their_values(server: RunningServer) -> None:
    client = sdk(server, **KEY)
    client.accounts.update(
        account_id=DEMO_ACCOUNT, id=DEMO_ACCOUNT, name="Kept", type="standard"
    )
    kept = client.accounts.get(account_id=DEMO_ACCOUNT)
    assert kept is not None and kept.settings is not None
    assert kept.settings.abuse_contact_email == "abuse@example.com"
    assert kept.settings.enforce_twofactor is True
    client.accounts.update(
        account_id=DEMO_ACCOUNT,
        id=DEMO_ACCOUNT,
        name="Kept",
        type="standard",
        settings={"enforce_twofactor": False},
    )
    half = client.accounts.get(account_id=DEMO_ACCOUNT)
    assert half is not None and half.settings is not None
    assert half.settings.enforce_twofactor is False
    assert half.settings.abuse_contact_email == "abuse@example.com"


def test_abuse_email_null_clears_it(http: httpx.Client) -> None:
    body = {"name": "Demo Account", "settings": {"abuse_contact_email": None}}
    r = http.put(f"/accounts/{DEMO_ACCOUNT}", json=body, headers=key_headers())
    assert r.status_code == 200
    assert "abuse_contact_email" not in r.json()["result"]["settings"]


def test_read_only_fields_are_ignored(http: httpx.Client) -> None:
    before = http.get(f"/accounts/{DEMO_ACCOUNT}", headers=key_headers()).json()
    body = {
        **before["result"],
        "id": "f" * 32,
        "name": "Same Otherwise",
        "created_on": "2030-01-01T00:00:00Z",
        "managed_by": {"parent_org_id": "e" * 32, "parent_org_name": "Elsewhere"},
    }
    r = http.put(f"/accounts/{DEMO_ACCOUNT}", json=body, headers=key_headers())
    assert r.status_code == 200
    after = r.json()["result"]
    assert after["id"] == DEMO_ACCOUNT
    assert after["created_on"] == before["result"]["created_on"]
    assert after["managed_by"] == before["result"]["managed_by"]
    assert after["name"] == "Same Otherwise"


def test_type_left_out_keeps_the_type(http: httpx.Client) -> None:
    r = http.put(
        f"/accounts/{DEMO_ACCOUNT}", json={"name": "No Type"}, headers=key_headers()
    )
    assert r.status_code == 200 and r.json()["result"]["type"] == "standard"


BAD_BODIES = [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": ["x"]}, "name"),
    ({"name": "ok", "type": "pro"}, "type"),
    ({"name": "ok", "settings": "on"}, "settings"),
    ({"name": "ok", "settings": {"enforce_twofactor": "yes"}}, "enforce_twofactor"),
    (
        {"name": "ok", "settings": {"abuse_contact_email": "nope"}},
        "abuse_contact_email",
    ),
    ({"name": "ok", "settings": {"abuse_contact_email": 5}}, "abuse_contact_email"),
    ({"name": "ok", "settings": {"default_nameservers": "x"}}, "default_nameservers"),
    ({"name": "ok", "legacy_flags": {}}, "legacy_flags"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_bad_update_bodies_are_400_and_change_nothing(
    server: RunningServer, http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    before = http.get(f"/accounts/{DEMO_ACCOUNT}", headers=key_headers()).json()
    r = http.put(f"/accounts/{DEMO_ACCOUNT}", json=body, headers=key_headers())
    assert (r.status_code, error_codes(r)) == (400, [1001])
    assert field in r.json()["errors"][0]["message"]
    after = http.get(f"/accounts/{DEMO_ACCOUNT}", headers=key_headers()).json()
    assert after["result"] == before["result"]
    assert events(server, DEMO_ACCOUNT) == []


def test_sdk_surfaces_a_bad_update_as_bad_request(server: RunningServer) -> None:
    with sdk(server, **KEY) as client, pytest.raises(cloudflare.BadRequestError) as bad:
        client.accounts.update(
            account_id=DEMO_ACCOUNT, id=DEMO_ACCOUNT, name="x" * 101, type="standard"
        )
    assert bad.value.errors[0].code == 1001


@pytest.mark.parametrize(
    "headers",
    [
        bearer(DEMO_USER_TOKEN),  # Account Settings Read only
        bearer(DEMO_ACCOUNT_TOKEN),  # Account Settings Read only
        key_headers(VIEWER_EMAIL, VIEWER_KEY),  # a custom role that only reads
    ],
    ids=["user token", "account token", "read-only member"],
)
def test_callers_without_settings_write_are_refused(
    server: RunningServer, http: httpx.Client, headers: dict[str, str]
) -> None:
    r = http.put(f"/accounts/{DEMO_ACCOUNT}", json={"name": "No"}, headers=headers)
    assert (r.status_code, error_codes(r)) == (403, [9109])
    assert events(server, DEMO_ACCOUNT) == []


def test_account_token_with_settings_write_updates(server: RunningServer) -> None:
    value = factories.token_value("cfat_")
    token = factories.token(
        value, factories.allow(DEMO_ACCOUNT, ACCOUNT_SETTINGS_WRITE)
    )
    server.seed({"accounts": [{"id": DEMO_ACCOUNT, "tokens": [token]}]})
    updated = sdk(server, api_token=value).accounts.update(
        account_id=DEMO_ACCOUNT,
        id=DEMO_ACCOUNT,
        name="By Account Token",
        type="standard",
    )
    assert updated is not None and updated.name == "By Account Token"
    (event,) = events(server, DEMO_ACCOUNT)
    assert event.actor_token_id == token["id"]


def test_read_group_is_not_enough_even_for_a_super_administrator(
    server: RunningServer,
) -> None:
    value = factories.token_value()
    server.seed(
        {
            "users": [
                {
                    "id": DEMO_USER_ID,
                    "email": DEMO_EMAIL,
                    "tokens": [
                        factories.token(
                            value, factories.allow(DEMO_ACCOUNT, ACCOUNT_SETTINGS_READ)
                        )
                    ],
                }
            ]
        }
    )
    with (
        sdk(server, api_token=value) as client,
        pytest.raises(cloudflare.PermissionDeniedError),
    ):
        client.accounts.update(
            account_id=DEMO_ACCOUNT, id=DEMO_ACCOUNT, name="No", type="standard"
        )


def test_unknown_account_is_refused_like_a_foreign_one(http: httpx.Client) -> None:
    r = http.put(f"/accounts/{'0' * 32}", json={"name": "x"}, headers=key_headers())
    assert (r.status_code, error_codes(r)) == (403, [9109])
