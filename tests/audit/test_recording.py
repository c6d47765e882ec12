"""Writes made through the API leave one audit event each, complete (actor,
credential, action, resource before and after, time, address, request), and nothing
is recorded for a write that did not happen. Read back with the official SDK."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import cloudflare
import httpx

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_ID,
    DEMO_USER_TOKEN,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
    sdk,
)
from .helpers import V1, V2, WINDOW, account_token_holder, rename, token_holder


def _events(http: httpx.Client) -> list[dict[str, Any]]:
    r = http.get(V2, params={**WINDOW, "limit": 1000}, headers=key_headers())
    assert r.status_code == 200, r.text
    return list(r.json()["result"])


def _key_client(server: RunningServer) -> cloudflare.Cloudflare:
    return sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY)


def test_an_update_is_recorded_with_everything(
    server: RunningServer, http: httpx.Client
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    r = rename(http, "Renamed Account")
    [event] = list(
        _key_client(server).accounts.logs.audit.list(account_id=DEMO_ACCOUNT, **WINDOW)
    )
    assert event.account is not None
    assert (event.account.id, event.account.name) == (DEMO_ACCOUNT, "Renamed Account")
    action = event.action
    assert action is not None and action.type == "update"
    assert action.result == "success" and action.description
    assert action.time is not None
    assert started <= action.time <= datetime.now(UTC) + timedelta(seconds=1)
    actor = event.actor
    assert actor is not None
    assert (actor.id, actor.email, actor.type) == (DEMO_USER_ID, DEMO_EMAIL, "user")
    assert actor.context == "api_key" and actor.token_id is None
    assert actor.ip_address == "127.0.0.1"
    raw = event.raw
    assert raw is not None
    assert raw.cf_rayid == r.headers["cf-ray"]
    assert (raw.method, raw.status_code) == ("PUT", 200)
    assert raw.uri == f"/accounts/{DEMO_ACCOUNT}"  # without the /client/v4 prefix
    assert raw.user_agent == r.request.headers["user-agent"]
    resource = event.resource
    assert resource is not None
    assert (resource.id, resource.type, resource.product) == (
        DEMO_ACCOUNT,
        "account",
        "accounts",
    )
    assert resource.request["name"] == "Demo Account"  # type: ignore[index]
    assert resource.response["name"] == "Renamed Account"  # type: ignore[index]
    assert resource.scope == {"type": "accounts", "id": DEMO_ACCOUNT}


def test_a_user_token_is_named_in_the_event(
    server: RunningServer, http: httpx.Client
) -> None:
    token_id, value = token_holder(server, "Account Settings Write", name="deployer")
    rename(http, "By Token", headers=bearer(value))
    [event] = _events(http)
    assert event["actor"] == {
        "id": DEMO_USER_ID,
        "context": "api_token",
        "email": DEMO_EMAIL,
        "ip_address": "127.0.0.1",
        "token_id": token_id,
        "token_name": "deployer",
        "type": "user",
    }


def test_an_account_token_acts_as_the_account(
    server: RunningServer, http: httpx.Client
) -> None:
    token_id, value = account_token_holder(server, "Account Settings Write")
    rename(http, "By Account Token", headers=bearer(value))
    [event] = _events(http)
    actor = event["actor"]
    assert (actor["type"], actor["id"], actor["context"]) == (
        "account",
        DEMO_ACCOUNT,
        "api_token",
    )
    assert actor["token_id"] == token_id and "email" not in actor
    v1 = http.get(V1, headers=key_headers()).json()["result"][0]
    assert v1["actor"] == {"id": DEMO_ACCOUNT, "ip": "127.0.0.1"}


def test_refused_and_invalid_writes_record_nothing(
    server: RunningServer, http: httpx.Client
) -> None:
    path = f"/accounts/{DEMO_ACCOUNT}"
    body = {"id": DEMO_ACCOUNT, "name": "Nope", "type": "standard"}
    refused = http.put(path, json=body, headers=bearer(DEMO_USER_TOKEN))
    assert refused.status_code == 403 and error_codes(refused) == [9109]
    invalid = http.put(path, json={"name": 7}, headers=key_headers())
    assert invalid.status_code == 400
    assert _events(http) == []


def test_each_write_of_the_family_leaves_one_event(server: RunningServer) -> None:
    client = _key_client(server)
    expected: list[tuple[str, str | None]] = []

    def wrote(action: str, resource_id: str | None) -> None:
        expected.append((action, resource_id))

    client.accounts.update(
        account_id=DEMO_ACCOUNT, id=DEMO_ACCOUNT, name="Step One", type="standard"
    )
    wrote("update", DEMO_ACCOUNT)
    member = client.accounts.members.create(
        account_id=DEMO_ACCOUNT,
        email="new-member@example.com",
        roles=["05784afa30c1afe1440e79d9351c7430"],  # Administrator Read Only
    )
    assert member is not None and member.id
    wrote("create", member.id)
    client.accounts.members.update(
        member.id,
        account_id=DEMO_ACCOUNT,
        roles=[{"id": "33666b9c79b9a5273fc7344ff42f953d"}],
    )
    wrote("update", member.id)
    client.accounts.members.delete(member.id, account_id=DEMO_ACCOUNT)
    wrote("delete", member.id)
    policy = {
        "effect": "allow",
        "resources": {f"com.cloudflare.api.account.{DEMO_ACCOUNT}": "*"},
        "permission_groups": [{"id": "c1fde68c7bcc44588cbb6ddbc16d6480"}],
    }
    token = client.accounts.tokens.create(
        account_id=DEMO_ACCOUNT,
        name="ci",
        policies=[policy],  # type: ignore[list-item]
    )
    assert token is not None and token.id and token.value
    wrote("create", token.id)
    client.accounts.tokens.update(
        token.id,
        account_id=DEMO_ACCOUNT,
        name="ci renamed",
        policies=[policy],  # type: ignore[list-item]
    )
    wrote("update", token.id)
    rolled = client.accounts.tokens.value.update(token.id, account_id=DEMO_ACCOUNT)
    wrote("update", token.id)
    client.accounts.tokens.delete(token.id, account_id=DEMO_ACCOUNT)
    wrote("delete", token.id)

    events = list(
        client.accounts.logs.audit.list(
            account_id=DEMO_ACCOUNT, direction="asc", limit=3, **WINDOW
        )
    )
    got = [
        (e.action.type if e.action else None, e.resource.id if e.resource else None)
        for e in events
    ]
    assert got == expected
    assert all(e.raw and e.raw.status_code == 200 for e in events)
    # The token's secrets (as created and as rolled) appear in no event.
    with httpx.Client(base_url=server.base_url, headers=key_headers()) as http:
        v2 = http.get(V2, params={**WINDOW, "limit": 1000}).text
        v1 = http.get(V1, params={"per_page": 1000}).text
    for secret in (token.value, rolled):
        assert secret not in v2 and secret not in v1


async def test_the_async_sdk_reads_both_versions(
    server: RunningServer, http: httpx.Client
) -> None:
    rename(http, "First")
    rename(http, "Second")
    async with async_sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client:
        v2 = [
            e
            async for e in client.accounts.logs.audit.list(
                account_id=DEMO_ACCOUNT, limit=1, **WINDOW
            )
        ]
        v1 = [e async for e in client.audit_logs.list(account_id=DEMO_ACCOUNT)]
    assert [e.resource.response["name"] for e in v2 if e.resource] == [  # type: ignore[index]
        "Second",
        "First",
    ]
    # v1 shows the same events, with the id in UUID form and the states as text.
    assert [e.id.replace("-", "") for e in v1 if e.id] == [e.id for e in v2]
    assert v1[0].new_value is not None and '"Second"' in v1[0].new_value
    assert v1[0].old_value is not None and '"First"' in v1[0].old_value
