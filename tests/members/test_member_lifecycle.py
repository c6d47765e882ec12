"""Members through the official SDK: add, read, update, remove, and invitations."""

from __future__ import annotations

import cloudflare
import httpx
import orjson
import pytest
from sqlalchemy import event

from cfaccounts.seeding.load import account_resource_group_id

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_KEY,
    SUPER_ADMIN_ROLE,
    RunningServer,
    async_sdk,
    error_codes,
    key_headers,
    sdk,
)
from .conftest import (
    ADMINISTRATOR,
    CUSTOM_ROLE,
    DEMO_MEMBER,
    DNS_ROLE,
    member_count,
    member_events,
    person,
)

ACCOUNT_GROUP = account_resource_group_id(DEMO_ACCOUNT)
# A member policy: DNS on the whole demo account.
DNS_ON_ACCOUNT = {
    "access": "allow",
    "permission_groups": [{"id": DNS_ROLE}],
    "resource_groups": [{"id": ACCOUNT_GROUP}],
}


def test_add_read_update_remove(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    someone = person(server, first_name="Ada", last_name="Lovelace")
    created = key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT, email=someone.email.upper(), roles=[DNS_ROLE]
    )
    assert created is not None and created.id is not None
    assert created.email == someone.email  # stored in lower case
    assert created.status == "pending"  # the default
    assert [r.id for r in created.roles or []] == [DNS_ROLE]
    assert created.roles and created.roles[0].name == "DNS"
    assert created.policies == []
    assert created.user is not None
    assert created.user.id == someone.id
    assert created.user.email == someone.email
    assert created.user.first_name == "Ada" and created.user.last_name == "Lovelace"

    fetched = key_client.accounts.members.get(created.id, account_id=DEMO_ACCOUNT)
    assert fetched == created

    updated = key_client.accounts.members.update(
        created.id,
        account_id=DEMO_ACCOUNT,
        roles=[{"id": ADMINISTRATOR}, {"id": CUSTOM_ROLE}],
    )
    assert updated is not None
    assert [r.id for r in updated.roles or []] == [ADMINISTRATOR, CUSTOM_ROLE]
    assert updated.roles and updated.roles[1].name == "Account Reader"

    removed = key_client.accounts.members.delete(created.id, account_id=DEMO_ACCOUNT)
    assert removed is not None and removed.id == created.id
    with pytest.raises(cloudflare.NotFoundError) as gone:
        key_client.accounts.members.get(created.id, account_id=DEMO_ACCOUNT)
    assert gone.value.errors[0].code == 1003


async def test_async_add_read_update_remove(server: RunningServer) -> None:
    someone = person(server)
    async with async_sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client:
        created = await client.accounts.members.create(
            account_id=DEMO_ACCOUNT, email=someone.email, roles=[DNS_ROLE]
        )
        assert created is not None and created.id is not None
        fetched = await client.accounts.members.get(created.id, account_id=DEMO_ACCOUNT)
        assert fetched is not None and fetched.email == someone.email
        updated = await client.accounts.members.update(
            created.id, account_id=DEMO_ACCOUNT, roles=[{"id": SUPER_ADMIN_ROLE}]
        )
        assert updated is not None
        assert [r.id for r in updated.roles or []] == [SUPER_ADMIN_ROLE]
        listed = [
            m.id async for m in client.accounts.members.list(account_id=DEMO_ACCOUNT)
        ]
        assert created.id in listed
        removed = await client.accounts.members.delete(
            created.id, account_id=DEMO_ACCOUNT
        )
        assert removed is not None and removed.id == created.id
        with pytest.raises(cloudflare.NotFoundError):
            await client.accounts.members.get(created.id, account_id=DEMO_ACCOUNT)


def test_unknown_email_becomes_an_invitation_without_a_user(
    key_client: cloudflare.Cloudflare,
) -> None:
    invited = key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT, email="newcomer@example.org", roles=[DNS_ROLE]
    )
    assert invited is not None and invited.status == "pending"
    assert invited.user is not None
    assert invited.user.email == "newcomer@example.org"
    assert invited.user.id is None
    listed = key_client.accounts.members.list(account_id=DEMO_ACCOUNT, status="pending")
    assert [m.id for m in listed] == [invited.id]


def test_accepted_member_has_access_at_once(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    someone = person(server)
    with pytest.raises(cloudflare.PermissionDeniedError):
        sdk(server, **someone.key_credentials).accounts.get(account_id=DEMO_ACCOUNT)
    added = key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT,
        email=someone.email,
        roles=[DNS_ROLE],
        status="accepted",
    )
    assert added is not None and added.status == "accepted"
    account = sdk(server, **someone.key_credentials).accounts.get(
        account_id=DEMO_ACCOUNT
    )
    assert account is not None and account.id == DEMO_ACCOUNT


def test_pending_member_has_no_access(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    someone = person(server)
    key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT, email=someone.email, roles=[SUPER_ADMIN_ROLE]
    )
    with pytest.raises(cloudflare.PermissionDeniedError):
        sdk(server, **someone.key_credentials).accounts.get(account_id=DEMO_ACCOUNT)


def test_accepted_status_needs_an_existing_user(
    server: RunningServer, http: httpx.Client
) -> None:
    r = http.post(
        f"/accounts/{DEMO_ACCOUNT}/members",
        json={"email": "nobody@example.org", "roles": [DNS_ROLE], "status": "accepted"},
        headers=key_headers(),
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"].startswith("status:")
    assert member_count(server) == 2


def test_member_with_policies(key_client: cloudflare.Cloudflare) -> None:
    created = key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT,
        email="policy@example.org",
        policies=[
            DNS_ON_ACCOUNT,
            {
                "access": "deny",
                "permission_groups": [{"id": ADMINISTRATOR}],
                "resource_groups": [{"id": ACCOUNT_GROUP}],
            },
        ],
    )
    assert created is not None and created.roles == []
    policies = created.policies or []
    assert [p.access for p in policies] == ["allow", "deny"]
    allow_policy = policies[0]
    assert allow_policy.id is not None and len(allow_policy.id) == 32
    groups = allow_policy.permission_groups or []
    assert [g.id for g in groups] == [DNS_ROLE]
    assert groups[0].name == "DNS"
    assert groups[0].meta is not None
    assert groups[0].meta.scopes == "com.cloudflare.api.account"
    resources = allow_policy.resource_groups or []
    assert [g.id for g in resources] == [ACCOUNT_GROUP]
    assert resources[0].scope.key == f"com.cloudflare.api.account.{DEMO_ACCOUNT}"
    assert [o.key for o in resources[0].scope.objects] == ["*"]
    assert created.id is not None
    fetched = key_client.accounts.members.get(created.id, account_id=DEMO_ACCOUNT)
    assert fetched == created


def test_update_switches_between_roles_and_policies(
    key_client: cloudflare.Cloudflare,
) -> None:
    created = key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT, email="switch@example.org", roles=[DNS_ROLE]
    )
    assert created is not None and created.id is not None
    policy = {
        "access": "allow",
        "permission_groups": [{"id": ADMINISTRATOR}],
        "resource_groups": [{"id": ACCOUNT_GROUP}],
    }
    with_policies = key_client.accounts.members.update(
        created.id,
        account_id=DEMO_ACCOUNT,
        policies=[policy],  # type: ignore[list-item]
    )
    assert with_policies is not None and with_policies.roles == []
    assert [p.access for p in with_policies.policies or []] == ["allow"]
    back = key_client.accounts.members.update(
        created.id, account_id=DEMO_ACCOUNT, roles=[{"id": DNS_ROLE}]
    )
    assert back is not None and back.policies == []
    assert [r.id for r in back.roles or []] == [DNS_ROLE]


def test_update_accepts_role_ids_as_strings_too(
    server: RunningServer, http: httpx.Client
) -> None:
    url = f"/accounts/{DEMO_ACCOUNT}/members"
    created = http.post(
        url, json={"email": "s@example.org", "roles": [DNS_ROLE]}, headers=key_headers()
    ).json()["result"]
    r = http.put(
        f"{url}/{created['id']}", json={"roles": [CUSTOM_ROLE]}, headers=key_headers()
    )
    assert r.status_code == 200
    assert [x["id"] for x in r.json()["result"]["roles"]] == [CUSTOM_ROLE]


@pytest.mark.parametrize("body", [None, b"", b"{}"], ids=["none", "empty", "object"])
def test_remove_accepts_a_body_or_none(
    server: RunningServer, http: httpx.Client, body: bytes | None
) -> None:
    url = f"/accounts/{DEMO_ACCOUNT}/members"
    created = http.post(
        url, json={"email": "r@example.org", "roles": [DNS_ROLE]}, headers=key_headers()
    ).json()["result"]
    headers = {**key_headers(), "content-type": "application/json"}
    r = http.request("DELETE", f"{url}/{created['id']}", content=body, headers=headers)
    assert r.status_code == 200
    assert r.json()["result"] == {"id": created["id"]}
    assert member_count(server) == 2


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_member_is_404(http: httpx.Client, method: str) -> None:
    r = http.request(
        method,
        f"/accounts/{DEMO_ACCOUNT}/members/{'0' * 32}",
        json={"roles": [{"id": DNS_ROLE}]} if method == "PUT" else None,
        headers=key_headers(),
    )
    assert r.status_code == 404
    assert error_codes(r) == [1003]


def test_every_write_is_audited(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    created = key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT, email="audit@example.org", roles=[DNS_ROLE]
    )
    assert created is not None and created.id is not None
    key_client.accounts.members.update(
        created.id, account_id=DEMO_ACCOUNT, roles=[{"id": CUSTOM_ROLE}]
    )
    key_client.accounts.members.delete(created.id, account_id=DEMO_ACCOUNT)
    with pytest.raises(cloudflare.BadRequestError):
        key_client.accounts.members.create(
            account_id=DEMO_ACCOUNT, email="audit2@example.org", roles=["0" * 32]
        )
    events = member_events(server)
    assert [(e.action_type, e.action_description) for e in events] == [
        ("create", "Add Member"),
        ("update", "Update Member"),
        ("delete", "Remove Member"),
    ]
    assert {e.resource_id for e in events} == {created.id}
    after = orjson.loads(events[1].after)
    assert [r["id"] for r in after["roles"]] == [CUSTOM_ROLE]


def _reads_of_member_details(
    server: RunningServer,
    http: httpx.Client,
    member_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[dict[str, object], list[str], list[str]]:
    """Member Details read afresh: its answer, the statements sent through the
    engine (transactions) and the reads of member rows with their users sent on the
    fast path (single statements; the caller's own membership is read there too)."""
    db = server.app.services.db
    server.app.services.reads.clear()
    engine_sql: list[str] = []
    fast_sql: list[str] = []
    fetch_one = db.fetch_one

    def spy(sql: str, params: tuple[object, ...]) -> object:
        fast_sql.append(sql.lower())
        return fetch_one(sql, params)

    def note(_conn: object, _cur: object, statement: str, *_: object) -> None:
        engine_sql.append(statement.lower())

    monkeypatch.setattr(db, "fetch_one", spy)
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        reply = http.get(
            f"/accounts/{DEMO_ACCOUNT}/members/{member_id}", headers=key_headers()
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
        monkeypatch.undo()
    assert reply.status_code == 200, reply.text
    member_reads = [q for q in fast_sql if "join users" in q]
    return reply.json()["result"], engine_sql, member_reads


def test_a_member_of_built_in_roles_is_read_in_one_statement(
    server: RunningServer, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member holding only built-in roles and no policies is shown from one read
    of the member row (joined with its user) and the catalogue: no transaction, and
    no custom roles or resource groups read."""
    result, engine_sql, fast_sql = _reads_of_member_details(
        server, http, DEMO_MEMBER, monkeypatch
    )
    assert [r["id"] for r in result["roles"]] == [SUPER_ADMIN_ROLE]  # type: ignore[index]
    assert result["user"]["email"] == DEMO_EMAIL  # type: ignore[index]
    assert len(fast_sql) == 1 and "from members" in fast_sql[0]
    assert engine_sql == []


def test_members_with_custom_roles_or_policies_read_what_they_name(
    server: RunningServer,
    http: httpx.Client,
    key_client: cloudflare.Cloudflare,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    custom = key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT, email="custom-reader@example.org", roles=[CUSTOM_ROLE]
    )
    with_policy = key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT,
        email="policy-reader@example.org",
        policies=[DNS_ON_ACCOUNT],
    )
    assert custom is not None and custom.id and with_policy is not None
    assert with_policy.id

    result, engine_sql, _ = _reads_of_member_details(
        server, http, custom.id, monkeypatch
    )
    assert [r["id"] for r in result["roles"]] == [CUSTOM_ROLE]  # type: ignore[index]
    assert result["roles"][0]["name"] == "Account Reader"  # type: ignore[index]
    assert any("from roles" in q for q in engine_sql)

    result, engine_sql, _ = _reads_of_member_details(
        server, http, with_policy.id, monkeypatch
    )
    (policy,) = result["policies"]  # type: ignore[misc]
    assert [g["id"] for g in policy["resource_groups"]] == [ACCOUNT_GROUP]
    assert any("from resource_groups" in q for q in engine_sql)
    # Both answers are the ones the SDK was given when the members were made.
    for made in (custom, with_policy):
        fetched = key_client.accounts.members.get(made.id, account_id=DEMO_ACCOUNT)
        assert fetched == made
