"""User API tokens through the official SDK (sync and async, strict) and raw HTTP."""

from __future__ import annotations

from collections.abc import Callable

import cloudflare
import httpx
import pytest

from .. import factories as f
from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_USER_ID,
    DEMO_USER_TOKEN_ID,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
)
from .helpers import (
    KEY,
    USER_TOKENS,
    audit_events,
    create,
    on_account,
    on_user,
)

SELF_SERVICE = [
    on_user("API Tokens Write"),
    on_account("Account Settings Read"),
]


def test_lifecycle_with_the_sync_sdk(
    client: Callable[..., cloudflare.Cloudflare],
) -> None:
    admin = client(**KEY)
    made = admin.user.tokens.create(name="laptop", policies=SELF_SERVICE)
    assert made is not None and made.id and made.value
    assert made.value.startswith("cfut_")
    assert made.status == "active"
    assert made.creator_email_at_creation is None  # shown for account tokens only

    own = client(api_token=made.value)
    names = [t.name for t in own.user.tokens.list()]
    assert names == ["readonly token", "laptop"]
    assert own.accounts.get(account_id=DEMO_ACCOUNT) is not None

    got = own.user.tokens.get(made.id)
    assert got is not None and got.policies
    policies = [p.to_dict() for p in got.policies]
    updated = admin.user.tokens.update(
        made.id, name="laptop", policies=policies, status="disabled"
    )
    assert updated is not None and updated.status == "disabled"
    with pytest.raises(cloudflare.AuthenticationError) as refused:
        own.user.tokens.list()
    assert refused.value.body["errors"][0]["code"] == 1000
    admin.user.tokens.update(made.id, name="laptop", policies=policies, status="active")

    new_value = admin.user.tokens.value.update(made.id)
    assert new_value.startswith("cfut_") and new_value != made.value
    with pytest.raises(cloudflare.AuthenticationError):
        own.user.tokens.get(made.id)
    rolled = client(api_token=new_value)
    assert rolled.user.tokens.get(made.id) is not None

    deleted = rolled.user.tokens.delete(made.id)  # a token may delete itself
    assert deleted is not None and deleted.id == made.id
    with pytest.raises(cloudflare.AuthenticationError):
        rolled.user.tokens.list()
    with pytest.raises(cloudflare.NotFoundError):
        admin.user.tokens.get(made.id)


async def test_lifecycle_with_the_async_sdk(server: RunningServer) -> None:
    async with async_sdk(server, **KEY) as admin:
        made = await admin.user.tokens.create(name="async", policies=SELF_SERVICE)
        assert made is not None and made.value
        async with async_sdk(server, api_token=made.value) as own:
            # A user token holding API Tokens Write makes tokens for its user.
            child = await own.user.tokens.create(
                name="child", policies=[on_user("API Tokens Read")]
            )
            assert child is not None and child.value and child.value.startswith("cfut_")
            ids = [t.id async for t in own.user.tokens.list()]
            assert ids == [DEMO_USER_TOKEN_ID, made.id, child.id]
            got = await own.user.tokens.get(child.id)
            assert got is not None and got.policies
            renamed = await own.user.tokens.update(
                child.id,
                name="child 2",
                policies=[p.to_dict() for p in got.policies],
            )
            assert renamed is not None and renamed.name == "child 2"
            value = await own.user.tokens.value.update(child.id)
            async with async_sdk(server, api_token=value) as child_client:
                verified = await child_client.user.tokens.verify()
                assert verified is not None and verified.id == child.id
            deleted = await own.user.tokens.delete(child.id)
            assert deleted is not None and deleted.id == child.id


def test_tokens_of_another_user_are_not_found(
    server: RunningServer, http: httpx.Client
) -> None:
    other_key = f.api_key()
    other = f.user(api_key=other_key)
    other["tokens"] = [
        {"id": "e" * 32, "policies": [on_user("API Tokens Read", user_id=other["id"])]}
    ]
    server.seed({"users": [other]})
    r = http.get(f"{USER_TOKENS}/{'e' * 32}", headers=key_headers())
    assert r.status_code == 404 and error_codes(r) == [1003]
    mine = http.get(USER_TOKENS, headers=key_headers()).json()["result"]
    assert [t["id"] for t in mine] == [DEMO_USER_TOKEN_ID]
    theirs = http.get(USER_TOKENS, headers=key_headers(other["email"], other_key))
    assert [t["id"] for t in theirs.json()["result"]] == ["e" * 32]


def test_account_tokens_are_not_user_level(http: httpx.Client) -> None:
    for method, path in [
        ("GET", USER_TOKENS),
        ("POST", USER_TOKENS),
        ("GET", f"{USER_TOKENS}/permission_groups"),
        ("GET", f"{USER_TOKENS}/{DEMO_USER_TOKEN_ID}"),
        ("PUT", f"{USER_TOKENS}/{DEMO_USER_TOKEN_ID}"),
        ("DELETE", f"{USER_TOKENS}/{DEMO_USER_TOKEN_ID}"),
        ("PUT", f"{USER_TOKENS}/{DEMO_USER_TOKEN_ID}/value"),
    ]:
        r = http.request(method, path, json={}, headers=bearer(DEMO_ACCOUNT_TOKEN))
        assert r.status_code == 403, (method, path)
        assert r.json()["errors"] == [
            {"code": 9109, "message": "Valid user-level authentication not found"}
        ]


def test_user_token_writes_are_audited_under_no_account(
    server: RunningServer, http: httpx.Client
) -> None:
    made = create(http, USER_TOKENS, *SELF_SERVICE)
    path = f"{USER_TOKENS}/{made['id']}"
    http.put(path, json={"name": "x", "policies": SELF_SERVICE}, headers=key_headers())
    http.put(f"{path}/value", headers=key_headers())
    http.delete(path, headers=key_headers())
    events = audit_events(server, made["id"])
    assert [e.action_description for e in events] == [
        "Create user API token",
        "Update user API token",
        "Roll user API token",
        "Delete user API token",
    ]
    assert {e.account_id for e in events} == {""}
    assert {e.actor_id for e in events} == {DEMO_USER_ID}


async def test_async_paging_goes_to_the_end(
    server: RunningServer, http: httpx.Client
) -> None:
    made = [create(http, USER_TOKENS, *SELF_SERVICE)["id"] for _ in range(6)]
    async with async_sdk(server, **KEY) as c:
        seen = [t.id async for t in c.user.tokens.list(per_page=5)]
        assert seen == [DEMO_USER_TOKEN_ID, *made]
        first = await c.user.tokens.list(per_page=5)
        pages = [len(p.result) async for p in first.iter_pages()]
        assert pages == [5, 2, 0]
