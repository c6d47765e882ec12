"""DELETE /accounts/{account_id}: tenant administrators holding Account Settings Write
delete an account and everything under it."""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import pytest
from sqlalchemy import func, select

from cfaccounts.storage import schema as s

from .. import factories
from ..conftest import (
    ACCOUNT_SETTINGS_READ,
    ACCOUNT_SETTINGS_WRITE,
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_KEY,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
    sdk,
)


def count(server: RunningServer, table: Any, account_id: str) -> int:
    with server.app.services.db.read() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(table)
                .where(table.c.account_id == account_id)
            ).scalar()
        )


def populated_account(server: RunningServer) -> tuple[dict[str, Any], str]:
    """A tenant administrator (Super Administrator of a new account that also has a
    custom role, another member and an account token)."""
    admin = factories.user(api_key=factories.api_key(), tenant_admin=True)
    account = factories.account(
        "Doomed",
        roles=[{"id": factories.account()["id"], "name": "Custom", "permissions": {}}],
        members=[
            factories.member(admin["email"], "33666b9c79b9a5273fc7344ff42f953d"),
            factories.member(DEMO_EMAIL, "33666b9c79b9a5273fc7344ff42f953d"),
        ],
    )
    account["tokens"] = [
        factories.token(
            factories.token_value("cfat_"),
            factories.allow(account["id"], ACCOUNT_SETTINGS_READ),
        )
    ]
    server.seed({"users": [admin], "accounts": [account]})
    return admin, account["id"]


def test_tenant_admin_deletes_an_account_and_all_under_it(
    server: RunningServer,
) -> None:
    admin, account_id = populated_account(server)
    with sdk(server, api_email=admin["email"], api_key=admin["api_key"]) as client:
        deleted = client.accounts.delete(account_id=account_id)
        assert deleted is not None and deleted.id == account_id
        with pytest.raises(cloudflare.PermissionDeniedError):
            client.accounts.get(account_id=account_id)
        assert list(client.accounts.list()) == []
        for table in (s.members, s.tokens, s.roles, s.resource_groups):
            assert count(server, table, account_id) == 0
        with server.app.services.db.read() as conn:
            event = conn.execute(
                select(s.audit_logs).where(s.audit_logs.c.account_id == account_id)
            ).one()
        assert (event.action_type, event.account_name) == ("delete", "Doomed")
        # The other member lost the account too.
        demo = sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY)
        assert [a.id for a in demo.accounts.list()] == [DEMO_ACCOUNT]


async def test_async_client_creates_then_deletes(server: RunningServer) -> None:
    admin = factories.user(api_key=factories.api_key(), tenant_admin=True)
    server.seed({"users": [admin]})
    async with async_sdk(
        server, api_email=admin["email"], api_key=admin["api_key"]
    ) as client:
        created = await client.accounts.create(name="Brief")
        assert created is not None
        deleted = await client.accounts.delete(account_id=created.id)
        assert deleted is not None and deleted.id == created.id
        assert [a async for a in client.accounts.list()] == []


def test_delete_accepts_a_body(server: RunningServer, http: httpx.Client) -> None:
    admin, account_id = populated_account(server)
    r = http.request(
        "DELETE",
        f"/accounts/{account_id}",
        json={"reason": "ignored"},
        headers=key_headers(admin["email"], admin["api_key"]),
    )
    assert r.status_code == 200
    assert r.json() == {
        "result": {"id": account_id},
        "success": True,
        "errors": [],
        "messages": [],
    }


def test_a_super_administrator_who_is_not_a_tenant_admin_cannot_delete(
    server: RunningServer, http: httpx.Client
) -> None:
    r = http.delete(f"/accounts/{DEMO_ACCOUNT}", headers=key_headers())
    assert (r.status_code, error_codes(r)) == (403, [9109])
    assert count(server, s.members, DEMO_ACCOUNT) == 2


def test_account_token_with_settings_write_cannot_delete(
    server: RunningServer, http: httpx.Client
) -> None:
    value = factories.token_value("cfat_")
    server.seed(
        {
            "accounts": [
                {
                    "id": DEMO_ACCOUNT,
                    "tokens": [
                        factories.token(
                            value, factories.allow(DEMO_ACCOUNT, ACCOUNT_SETTINGS_WRITE)
                        )
                    ],
                }
            ]
        }
    )
    r = http.delete(f"/accounts/{DEMO_ACCOUNT}", headers=bearer(value))
    assert (r.status_code, error_codes(r)) == (403, [9109])


def test_tenant_admin_token_needs_settings_write_on_the_account(
    server: RunningServer, http: httpx.Client
) -> None:
    admin, account_id = populated_account(server)
    read, write = factories.token_value(), factories.token_value()
    server.seed(
        {
            "users": [
                {
                    "id": admin["id"],
                    "email": admin["email"],
                    "tokens": [
                        factories.token(
                            read, factories.allow(account_id, ACCOUNT_SETTINGS_READ)
                        ),
                        factories.token(
                            write, factories.allow(account_id, ACCOUNT_SETTINGS_WRITE)
                        ),
                    ],
                }
            ]
        }
    )
    refused = http.delete(f"/accounts/{account_id}", headers=bearer(read))
    assert (refused.status_code, error_codes(refused)) == (403, [9109])
    assert count(server, s.members, account_id) == 2
    done = sdk(server, api_token=write).accounts.delete(account_id=account_id)
    assert done is not None and done.id == account_id


def test_unknown_account_is_refused(http: httpx.Client) -> None:
    r = http.delete(f"/accounts/{'a' * 32}", headers=key_headers())
    assert (r.status_code, error_codes(r)) == (403, [9109])
