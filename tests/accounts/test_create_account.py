"""POST /accounts: tenant administrators create accounts, which they then manage."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import cloudflare
import httpx
import pytest
from sqlalchemy import func, select

from cfaccounts.seeding.load import account_resource_group_id
from cfaccounts.storage import schema as s

from .. import factories
from ..conftest import (
    ACCOUNT_SETTINGS_WRITE,
    DEMO_ACCOUNT_TOKEN,
    DEMO_EMAIL,
    DEMO_KEY,
    SUPER_ADMIN_ROLE,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
    sdk,
)


def tenant_admin(server: RunningServer, **fields: Any) -> dict[str, Any]:
    """A tenant administrator with a global key; returns its seed entry."""
    user = factories.user(api_key=factories.api_key(), tenant_admin=True, **fields)
    server.seed({"users": [user]})
    return user


def key_of(user: dict[str, Any]) -> dict[str, str]:
    return {"api_email": user["email"], "api_key": user["api_key"]}


def count(server: RunningServer, table: Any, *where: Any) -> int:
    with server.app.services.db.read() as conn:
        return int(
            conn.execute(select(func.count()).select_from(table).where(*where)).scalar()
        )


def test_tenant_admin_creates_an_account_and_manages_it(server: RunningServer) -> None:
    admin = tenant_admin(server)
    client = sdk(server, **key_of(admin))
    account = client.accounts.create(name="  Fresh Account  ")
    assert account is not None
    assert account.name == "Fresh Account"
    assert account.type == "standard"
    assert account.settings is not None and account.settings.enforce_twofactor is False
    assert account.created_on is not None and account.managed_by is None
    fetched = client.accounts.get(account_id=account.id)
    assert fetched is not None and fetched.name == "Fresh Account"
    assert [a.id for a in client.accounts.list()] == [account.id]


async def test_async_client_creates_an_enterprise_account_in_a_unit(
    server: RunningServer,
) -> None:
    admin = tenant_admin(server)
    unit = factories.account()["id"]
    async with async_sdk(server, **key_of(admin)) as client:
        account = await client.accounts.create(
            name="Enterprise", type="enterprise", unit={"id": unit}
        )
        assert account is not None
        assert account.type == "enterprise"
        assert account.managed_by is not None
        assert account.managed_by.parent_org_id == unit
        again = await client.accounts.get(account_id=account.id)
    assert again is not None and again.type == "enterprise"


def test_create_makes_the_member_resource_group_and_audit_event(
    server: RunningServer,
) -> None:
    admin = tenant_admin(server)
    account = sdk(server, **key_of(admin)).accounts.create(
        name="Audited", standalone=True
    )
    assert account is not None
    m, g, a = s.members.c, s.resource_groups.c, s.audit_logs.c
    with server.app.services.db.read() as conn:
        member = conn.execute(select(s.members).where(m.account_id == account.id)).one()
        group = conn.execute(
            select(s.resource_groups).where(g.account_id == account.id)
        ).one()
        event = conn.execute(
            select(s.audit_logs).where(a.account_id == account.id)
        ).one()
    assert (member.email, member.status) == (admin["email"], "accepted")
    assert member.user_id == admin["id"] and SUPER_ADMIN_ROLE in member.roles
    assert group.id == account_resource_group_id(account.id)
    assert (event.action_type, event.resource_type) == ("create", "account")
    assert event.actor_email == admin["email"]


def test_same_idempotency_key_returns_the_same_account(server: RunningServer) -> None:
    admin = tenant_admin(server)
    client = sdk(server, **key_of(admin))
    first = client.accounts.create(name="Once", idempotency_key="create-once-1")
    second = client.accounts.create(name="Once", idempotency_key="create-once-1")
    other = client.accounts.create(name="Once", idempotency_key="create-once-2")
    assert first is not None and second is not None and other is not None
    assert second.id == first.id and other.id != first.id
    assert count(server, s.accounts, s.accounts.c.name == "Once") == 2
    assert count(server, s.audit_logs, s.audit_logs.c.account_id == first.id) == 1


def test_concurrent_creates_with_one_key_make_one_account(
    server: RunningServer,
) -> None:
    admin = tenant_admin(server)
    headers = {
        **key_headers(admin["email"], admin["api_key"]),
        "Idempotency-Key": "raced",
    }

    def create(_: int) -> httpx.Response:
        return httpx.post(
            server.base_url + "/accounts", json={"name": "Raced"}, headers=headers
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(create, range(8)))
    assert [r.status_code for r in answers] == [200] * 8
    assert len({r.json()["result"]["id"] for r in answers}) == 1
    assert count(server, s.accounts, s.accounts.c.name == "Raced") == 1


def test_idempotency_keys_belong_to_one_user(server: RunningServer) -> None:
    one, two = tenant_admin(server), tenant_admin(server)
    a = sdk(server, **key_of(one)).accounts.create(name="A", idempotency_key="k")
    b = sdk(server, **key_of(two)).accounts.create(name="B", idempotency_key="k")
    assert a is not None and b is not None and a.id != b.id


def test_an_idempotency_key_of_a_deleted_account_creates_anew(
    server: RunningServer,
) -> None:
    admin = tenant_admin(server)
    client = sdk(server, **key_of(admin))
    first = client.accounts.create(name="Short Lived", idempotency_key="again")
    assert first is not None
    client.accounts.delete(account_id=first.id)
    second = client.accounts.create(name="Short Lived", idempotency_key="again")
    assert second is not None and second.id != first.id


def test_overlong_idempotency_key_is_400(
    server: RunningServer, http: httpx.Client
) -> None:
    admin = tenant_admin(server)
    r = http.post(
        "/accounts",
        json={"name": "X"},
        headers={
            **key_headers(admin["email"], admin["api_key"]),
            "Idempotency-Key": "k" * 256,
        },
    )
    assert (r.status_code, error_codes(r)) == (400, [1001])
    assert "Idempotency-Key" in r.json()["errors"][0]["message"]


def test_only_tenant_admins_create_accounts(
    server: RunningServer, http: httpx.Client
) -> None:
    before = count(server, s.accounts)
    with (
        sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client,
        pytest.raises(cloudflare.PermissionDeniedError) as refused,
    ):
        client.accounts.create(name="No")
    assert refused.value.errors[0].code == 9109
    # A refused caller learns nothing from validation: the refusal comes first.
    for body in (b'{"name": 5}', b"{not json"):
        r = http.post(
            "/accounts",
            content=body,
            headers={**key_headers(), "Content-Type": "application/json"},
        )
        assert (r.status_code, error_codes(r)) == (403, [9109])
    assert count(server, s.accounts) == before


def test_account_token_cannot_create_accounts(http: httpx.Client) -> None:
    r = http.post("/accounts", json={"name": "X"}, headers=bearer(DEMO_ACCOUNT_TOKEN))
    assert (r.status_code, error_codes(r)) == (403, [9109])
    assert r.json()["errors"][0]["message"] == (
        "Valid user-level authentication not found"
    )


def every_account(*groups: str) -> dict[str, Any]:
    return {
        "effect": "allow",
        "resources": {"com.cloudflare.api.account.*": "*"},
        "permission_groups": [{"id": g} for g in groups],
    }


def test_tenant_admin_token_needs_settings_write_on_every_account(
    server: RunningServer,
) -> None:
    wide, narrow = factories.token_value(), factories.token_value()
    admin = factories.user(
        tenant_admin=True,
        tokens=[
            factories.token(wide, every_account(ACCOUNT_SETTINGS_WRITE)),
            factories.token(
                narrow,
                factories.allow(factories.account()["id"], ACCOUNT_SETTINGS_WRITE),
            ),
        ],
    )
    server.seed({"users": [admin]})
    created = sdk(server, api_token=wide).accounts.create(name="By Token")
    assert created is not None
    # The token that made the account can manage it at once.
    assert sdk(server, api_token=wide).accounts.get(account_id=created.id) is not None
    with (
        sdk(server, api_token=narrow) as client,
        pytest.raises(cloudflare.PermissionDeniedError) as refused,
    ):
        client.accounts.create(name="Refused")
    assert refused.value.errors[0].code == 9109


BAD_BODIES = [
    ({}, "name"),
    ({"name": None}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": 12}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "ok", "type": "free"}, "type"),
    ({"name": "ok", "unit": "abc"}, "unit"),
    ({"name": "ok", "unit": {"id": "not-an-id"}}, "unit.id"),
    ({"name": "ok", "unit": {"id": "0" * 32, "name": "x"}}, "unit.name"),
    ({"name": "ok", "standalone": False}, "standalone"),
    ({"name": "ok", "standalone": True, "unit": {"id": "0" * 32}}, "standalone"),
    ({"name": "ok", "colour": "blue"}, "colour"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_bad_create_bodies_are_400_naming_the_field(
    server: RunningServer, http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    admin = tenant_admin(server)
    before = count(server, s.accounts)
    r = http.post(
        "/accounts", json=body, headers=key_headers(admin["email"], admin["api_key"])
    )
    assert (r.status_code, error_codes(r)) == (400, [1001])
    assert field in r.json()["errors"][0]["message"]
    assert count(server, s.accounts) == before
    assert count(server, s.members, s.members.c.email == admin["email"]) == 0


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"name"', b"{not json"])
def test_a_body_that_is_not_an_object_is_400(
    server: RunningServer, http: httpx.Client, raw: bytes
) -> None:
    admin = tenant_admin(server)
    r = http.post(
        "/accounts",
        content=raw,
        headers={
            **key_headers(admin["email"], admin["api_key"]),
            "Content-Type": "application/json",
        },
    )
    assert r.status_code == 400 and error_codes(r)[0] in (1001, 6007)


def test_name_of_exactly_100_characters_is_accepted(server: RunningServer) -> None:
    admin = tenant_admin(server)
    account = sdk(server, **key_of(admin)).accounts.create(name="n" * 100)
    assert account is not None and account.name == "n" * 100
