"""Creating, changing and deleting resource groups, and what member policies make of
them."""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import orjson
import pytest
from sqlalchemy import select

from cfaccounts.seeding.load import account_resource_group_id
from cfaccounts.storage import schema as s

from ..conftest import (
    ACCOUNT_SETTINGS_READ,
    ACCOUNT_SETTINGS_WRITE,
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_EMAIL,
    DEMO_KEY,
    SUPER_ADMIN_ROLE,
    RunningServer,
    async_sdk,
    error_codes,
    key_headers,
    sdk,
)
from ..factories import account, allow, api_key, token, token_value, user

ACCOUNT_KEY = f"com.cloudflare.api.account.{DEMO_ACCOUNT}"
ACCOUNT_GROUP = account_resource_group_id(DEMO_ACCOUNT)
ADMINISTRATOR = "05784afa30c1afe1440e79d9351c7430"
ZONE = "com.cloudflare.api.account.zone." + "1" * 32
URL = f"/accounts/{DEMO_ACCOUNT}/iam/resource_groups"


def _scope(*objects: str) -> Any:
    return {"key": ACCOUNT_KEY, "objects": [{"key": o} for o in objects]}


def _events(server: RunningServer) -> list[Any]:
    a = s.audit_logs.c
    with server.app.services.db.read() as conn:
        return list(
            conn.execute(
                select(a.action_type, a.action_description, a.resource_id)
                .where(a.resource_type == "resource_group")
                .order_by(a.seq)
            ).all()
        )


def test_create_read_update_delete(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    created = key_client.iam.resource_groups.create(
        account_id=DEMO_ACCOUNT, name="web zones", scope=_scope(ZONE)
    )
    assert created is not None
    assert created.name == "web zones"
    assert created.scope.key == ACCOUNT_KEY
    assert [o.key for o in created.scope.objects] == [ZONE]
    fetched = key_client.iam.resource_groups.get(created.id, account_id=DEMO_ACCOUNT)
    assert fetched is not None and fetched.model_dump() == created.model_dump()

    renamed = key_client.iam.resource_groups.update(
        created.id, account_id=DEMO_ACCOUNT, name="all web"
    )
    assert renamed is not None and renamed.name == "all web"
    assert [o.key for o in renamed.scope.objects] == [ZONE]
    widened = key_client.iam.resource_groups.update(
        created.id, account_id=DEMO_ACCOUNT, scope=_scope("*")
    )
    assert widened is not None and widened.name == "all web"
    assert [o.key for o in widened.scope.objects] == ["*"]

    removed = key_client.iam.resource_groups.delete(created.id, account_id=DEMO_ACCOUNT)
    assert removed is not None and removed.id == created.id
    with pytest.raises(cloudflare.NotFoundError):
        key_client.iam.resource_groups.get(created.id, account_id=DEMO_ACCOUNT)
    assert [(e.action_type, e.resource_id) for e in _events(server)] == [
        ("create", created.id),
        ("update", created.id),
        ("update", created.id),
        ("delete", created.id),
    ]


async def test_async_create_update_delete(server: RunningServer) -> None:
    async with async_sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client:
        created = await client.iam.resource_groups.create(
            account_id=DEMO_ACCOUNT, name="async", scope=_scope(ZONE)
        )
        assert created is not None
        updated = await client.iam.resource_groups.update(
            created.id, account_id=DEMO_ACCOUNT, name="async 2"
        )
        assert updated is not None and updated.name == "async 2"
        listed = [
            g.id async for g in client.iam.resource_groups.list(account_id=DEMO_ACCOUNT)
        ]
        assert created.id in listed
        removed = await client.iam.resource_groups.delete(
            created.id, account_id=DEMO_ACCOUNT
        )
        assert removed is not None and removed.id == created.id


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_the_group_covering_the_account_cannot_change(
    http: httpx.Client, method: str
) -> None:
    r = http.request(
        method, f"{URL}/{ACCOUNT_GROUP}", json={"name": "x"}, headers=key_headers()
    )
    assert r.status_code == 403
    assert error_codes(r) == [9109]


def test_a_group_named_by_a_member_policy_cannot_be_deleted(
    key_client: cloudflare.Cloudflare, http: httpx.Client
) -> None:
    group = key_client.iam.resource_groups.create(
        account_id=DEMO_ACCOUNT, name="used", scope=_scope("*")
    )
    assert group is not None
    member = key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT,
        email="p@example.org",
        policies=[
            {
                "access": "allow",
                "permission_groups": [{"id": ADMINISTRATOR}],
                "resource_groups": [{"id": group.id}],
            }
        ],
    )
    assert member is not None and member.id is not None
    r = http.delete(f"{URL}/{group.id}", headers=key_headers())
    assert r.status_code == 409
    assert r.headers["x-should-retry"] == "false"
    key_client.accounts.members.delete(member.id, account_id=DEMO_ACCOUNT)
    assert http.delete(f"{URL}/{group.id}", headers=key_headers()).status_code == 200


def test_member_policy_on_a_custom_group_grants_through_its_scope(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    key = api_key()
    person = user(api_key=key)
    server.seed({"users": [person]})
    group = key_client.iam.resource_groups.create(
        account_id=DEMO_ACCOUNT, name="whole account", scope=_scope("*")
    )
    assert group is not None
    key_client.accounts.members.create(
        account_id=DEMO_ACCOUNT,
        email=person["email"],
        status="accepted",
        policies=[
            {
                "access": "allow",
                "permission_groups": [{"id": SUPER_ADMIN_ROLE}],
                "resource_groups": [{"id": group.id}],
            }
        ],
    )
    client = sdk(server, api_email=person["email"], api_key=key)
    assert client.accounts.members.create(
        account_id=DEMO_ACCOUNT, email="a@example.org", roles=[ADMINISTRATOR]
    )
    # Narrowed to one zone, the group no longer reaches account-level operations.
    key_client.iam.resource_groups.update(
        group.id, account_id=DEMO_ACCOUNT, scope=_scope(ZONE)
    )
    with pytest.raises(cloudflare.PermissionDeniedError):
        client.accounts.members.create(
            account_id=DEMO_ACCOUNT, email="b@example.org", roles=[ADMINISTRATOR]
        )


def test_narrowing_the_group_of_the_last_manager_is_refused(
    server: RunningServer, key_client: cloudflare.Cloudflare, http: httpx.Client
) -> None:
    group = key_client.iam.resource_groups.create(
        account_id=DEMO_ACCOUNT, name="whole account", scope=_scope("*")
    )
    assert group is not None
    demo_member = "4536bcfad5faccb111b47003c79917fa"
    key_client.accounts.members.update(
        demo_member,
        account_id=DEMO_ACCOUNT,
        policies=[
            {
                "access": "allow",
                "permission_groups": [{"id": SUPER_ADMIN_ROLE}],
                "resource_groups": [{"id": group.id}],
            }
        ],
    )
    r = http.put(
        f"{URL}/{group.id}", json={"scope": _scope(ZONE)}, headers=key_headers()
    )
    assert r.status_code == 409
    fetched = key_client.iam.resource_groups.get(group.id, account_id=DEMO_ACCOUNT)
    assert fetched is not None and fetched.scope.objects[0].key == "*"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": _scope("*")}, "name"),
        ({"name": "x"}, "scope"),
        ({"name": "", "scope": _scope("*")}, "name"),
        ({"name": "x", "scope": "everything"}, "scope"),
        (
            {
                "name": "x",
                "scope": {
                    "key": "com.cloudflare.api.account." + "9" * 32,
                    "objects": [{"key": "*"}],
                },
            },
            "scope.key",
        ),
        ({"name": "x", "scope": {"key": ACCOUNT_KEY, "objects": []}}, "scope.objects"),
        (
            {"name": "x", "scope": {"key": ACCOUNT_KEY, "objects": [{}]}},
            "scope.objects[0].key",
        ),
    ],
)
def test_bad_bodies_name_the_field_and_write_nothing(
    server: RunningServer, http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    r = http.post(URL, json=body, headers=key_headers())
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["message"].startswith(field)
    assert len(http.get(URL, headers=key_headers()).json()["result"]) == 1
    assert _events(server) == []


def test_update_needs_name_or_scope(
    key_client: cloudflare.Cloudflare, http: httpx.Client
) -> None:
    group = key_client.iam.resource_groups.create(
        account_id=DEMO_ACCOUNT, name="g", scope=_scope(ZONE)
    )
    assert group is not None
    r = http.put(f"{URL}/{group.id}", json={}, headers=key_headers())
    assert r.status_code == 400
    assert "name or scope" in r.json()["errors"][0]["message"]


def test_unknown_or_foreign_group_is_404(
    server: RunningServer, http: httpx.Client
) -> None:
    other = account("Other")
    server.seed({"accounts": [other]})
    theirs = account_resource_group_id(other["id"])
    for gid in ("0" * 32, theirs):
        for method in ("PUT", "DELETE"):
            r = http.request(
                method, f"{URL}/{gid}", json={"name": "x"}, headers=key_headers()
            )
            assert r.status_code == 404, (gid, method)


def test_who_may_change_resource_groups(
    server: RunningServer, http: httpx.Client
) -> None:
    body = {"name": "g", "scope": _scope(ZONE)}
    # An account token with only Account Settings Read may read but not write.
    reader = {"Authorization": f"Bearer {DEMO_ACCOUNT_TOKEN}"}
    assert http.get(URL, headers=reader).status_code == 200
    assert error_codes(http.post(URL, json=body, headers=reader)) == [9109]
    # An Administrator holds Account Settings Write, but may not manage members.
    key = api_key()
    admin = user(api_key=key)
    server.seed(
        {
            "users": [admin],
            "accounts": [
                {
                    "id": DEMO_ACCOUNT,
                    "members": [{"email": admin["email"], "roles": [ADMINISTRATOR]}],
                }
            ],
        }
    )
    r = http.post(URL, json=body, headers=key_headers(admin["email"], key))
    assert r.status_code == 403
    # An account token with Account Settings Write may.
    value = token_value()
    server.seed(
        {
            "accounts": [
                {
                    "id": DEMO_ACCOUNT,
                    "tokens": [
                        token(
                            value,
                            allow(
                                DEMO_ACCOUNT,
                                ACCOUNT_SETTINGS_READ,
                                ACCOUNT_SETTINGS_WRITE,
                            ),
                        )
                    ],
                }
            ]
        }
    )
    r = http.post(URL, json=body, headers={"Authorization": f"Bearer {value}"})
    assert r.status_code == 200
    stored = orjson.loads(r.content)["result"]
    assert stored["meta"] == {"editable": "true"}
