"""Account-owned API tokens through the official SDK (sync and async, strict) and raw
HTTP: create, use, update, disable, roll, delete, and what each answers."""

from __future__ import annotations

from collections.abc import Callable

import cloudflare
import httpx
import orjson
import pytest

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN_ID,
    DEMO_EMAIL,
    RunningServer,
    async_sdk,
    bearer,
    error_codes,
    key_headers,
)
from .helpers import (
    ACCOUNT_KEY,
    ACCOUNT_TOKENS,
    KEY,
    audit_events,
    create,
    gid,
    on_account,
    token_row,
)

TOKEN_ADMIN = [on_account("Account API Tokens Write", "Account Settings Read")]


def test_lifecycle_with_the_sync_sdk(
    client: Callable[..., cloudflare.Cloudflare],
) -> None:
    admin = client(**KEY)
    made = admin.accounts.tokens.create(
        account_id=DEMO_ACCOUNT, name="ci deploy", policies=TOKEN_ADMIN
    )
    assert made is not None and made.id and made.value
    assert made.value.startswith("cfat_") and 40 <= len(made.value) <= 80
    assert made.name == "ci deploy" and made.status == "active"
    assert made.creator_email_at_creation == DEMO_EMAIL
    assert made.issued_on is not None and made.modified_on == made.issued_on
    assert made.last_used_on is None

    # The new token works at once, for what its policies grant.
    own = client(api_token=made.value)
    account = own.accounts.get(account_id=DEMO_ACCOUNT)
    assert account is not None and account.id == DEMO_ACCOUNT
    seen = own.accounts.tokens.get(made.id, account_id=DEMO_ACCOUNT)
    assert seen is not None and seen.name == "ci deploy"

    # Disabled: the next call is refused as an invalid token.
    policies = [p.to_dict() for p in seen.policies or []]
    disabled = admin.accounts.tokens.update(
        made.id,
        account_id=DEMO_ACCOUNT,
        name="ci deploy",
        policies=policies,
        status="disabled",
    )
    assert disabled is not None and disabled.status == "disabled"
    with pytest.raises(cloudflare.AuthenticationError) as refused:
        own.accounts.get(account_id=DEMO_ACCOUNT)
    assert refused.value.status_code == 401
    assert refused.value.body["errors"][0]["code"] == 1000

    admin.accounts.tokens.update(
        made.id,
        account_id=DEMO_ACCOUNT,
        name="ci deploy",
        policies=policies,
        status="active",
    )
    assert own.accounts.get(account_id=DEMO_ACCOUNT) is not None

    # Rolled: the old value stops working, the new one works.
    new_value = admin.accounts.tokens.value.update(made.id, account_id=DEMO_ACCOUNT)
    assert isinstance(new_value, str) and new_value.startswith("cfat_")
    assert new_value != made.value
    with pytest.raises(cloudflare.AuthenticationError):
        own.accounts.get(account_id=DEMO_ACCOUNT)
    rolled = client(api_token=new_value)
    assert rolled.accounts.tokens.get(made.id, account_id=DEMO_ACCOUNT) is not None

    deleted = admin.accounts.tokens.delete(made.id, account_id=DEMO_ACCOUNT)
    assert deleted is not None and deleted.id == made.id
    with pytest.raises(cloudflare.NotFoundError):
        admin.accounts.tokens.get(made.id, account_id=DEMO_ACCOUNT)
    with pytest.raises(cloudflare.AuthenticationError):
        rolled.accounts.get(account_id=DEMO_ACCOUNT)


async def test_lifecycle_with_the_async_sdk(server: RunningServer) -> None:
    async with async_sdk(server, **KEY) as admin:
        made = await admin.accounts.tokens.create(
            account_id=DEMO_ACCOUNT, name="async", policies=TOKEN_ADMIN
        )
        assert made is not None and made.id and made.value
        async with async_sdk(server, api_token=made.value) as own:
            listed = [
                t.id async for t in own.accounts.tokens.list(account_id=DEMO_ACCOUNT)
            ]
            assert made.id in listed
            got = await own.accounts.tokens.get(made.id, account_id=DEMO_ACCOUNT)
            assert got is not None and got.policies
            updated = await admin.accounts.tokens.update(
                made.id,
                account_id=DEMO_ACCOUNT,
                name="async renamed",
                policies=[p.to_dict() for p in got.policies],
            )
            assert updated is not None and updated.name == "async renamed"
            assert updated.policies is not None
            assert updated.policies[0].id == got.policies[0].id
            value = await admin.accounts.tokens.value.update(
                made.id, account_id=DEMO_ACCOUNT
            )
            with pytest.raises(cloudflare.AuthenticationError):
                await own.accounts.tokens.get(made.id, account_id=DEMO_ACCOUNT)
        async with async_sdk(server, api_token=value) as rolled:
            verified = await rolled.accounts.tokens.verify(account_id=DEMO_ACCOUNT)
            assert verified is not None and verified.id == made.id
        deleted = await admin.accounts.tokens.delete(made.id, account_id=DEMO_ACCOUNT)
        assert deleted is not None and deleted.id == made.id


def test_the_secret_is_shown_only_on_create_and_roll(
    server: RunningServer, http: httpx.Client
) -> None:
    made = create(http, ACCOUNT_TOKENS, *TOKEN_ADMIN)
    assert set(made) >= {
        "id",
        "name",
        "status",
        "issued_on",
        "modified_on",
        "last_used_on",
        "not_before",
        "expires_on",
        "policies",
        "condition",
        "value",
    }
    details = http.get(f"{ACCOUNT_TOKENS}/{made['id']}", headers=key_headers())
    assert "value" not in details.json()["result"]
    listed = http.get(ACCOUNT_TOKENS, headers=key_headers()).json()["result"]
    assert all("value" not in t for t in listed)
    rolled = http.put(f"{ACCOUNT_TOKENS}/{made['id']}/value", headers=key_headers())
    assert rolled.status_code == 200
    assert isinstance(rolled.json()["result"], str)
    # Only a keyed hash is stored.
    row = token_row(server, made["id"])
    assert made["value"] not in repr(tuple(row))
    assert rolled.json()["result"] not in repr(tuple(row))


def test_roll_takes_an_empty_object_or_any_object_but_not_other_json(
    server: RunningServer, http: httpx.Client
) -> None:
    path = f"{ACCOUNT_TOKENS}/{DEMO_ACCOUNT_TOKEN_ID}/value"
    assert http.put(path, json={}, headers=key_headers()).status_code == 200
    assert http.put(path, json={"x": 1}, headers=key_headers()).status_code == 200
    bad = http.put(path, json=[1], headers=key_headers())
    assert bad.status_code == 400 and error_codes(bad) == [1001]


def test_delete_accepts_a_body_and_answers_the_id(
    server: RunningServer, http: httpx.Client
) -> None:
    made = create(http, ACCOUNT_TOKENS, *TOKEN_ADMIN)
    r = http.request(
        "DELETE", f"{ACCOUNT_TOKENS}/{made['id']}", json={}, headers=key_headers()
    )
    assert r.status_code == 200
    assert r.json()["result"] == {"id": made["id"]}
    again = http.delete(f"{ACCOUNT_TOKENS}/{made['id']}", headers=key_headers())
    assert again.status_code == 404 and error_codes(again) == [1003]


def test_unknown_and_foreign_tokens_are_not_found(
    server: RunningServer, http: httpx.Client
) -> None:
    other = "f" * 32
    server.seed(
        {
            "accounts": [
                {
                    "id": other,
                    "name": "Other",
                    "tokens": [{"id": "e" * 32, "policies": TOKEN_ADMIN}],
                }
            ]
        }
    )
    for token_id in ("0" * 32, "e" * 32):
        for method in ("GET", "PUT", "DELETE"):
            r = http.request(
                method,
                f"{ACCOUNT_TOKENS}/{token_id}",
                json={"name": "x", "policies": TOKEN_ADMIN},
                headers=key_headers(),
            )
            assert r.status_code == 404, (method, r.text)
            assert r.json()["errors"][0] == {"code": 1003, "message": "Token not found"}
        r = http.put(f"{ACCOUNT_TOKENS}/{token_id}/value", headers=key_headers())
        assert r.status_code == 404


def test_a_malformed_token_id_does_not_route(http: httpx.Client) -> None:
    r = http.get(f"{ACCOUNT_TOKENS}/not-an-id", headers=key_headers())
    assert r.status_code == 400 and error_codes(r) == [7003, 7000]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"policies": TOKEN_ADMIN}, "name"),
        ({"name": "", "policies": TOKEN_ADMIN}, "name"),
        ({"name": "x" * 121, "policies": TOKEN_ADMIN}, "name"),
        ({"name": "x"}, "policies"),
        ({"name": "x", "policies": []}, "policies"),
        (
            {
                "name": "x",
                "policies": [
                    {
                        "effect": "allow",
                        "resources": {ACCOUNT_KEY: "*"},
                        "permission_groups": [{"id": "0" * 32}],
                    }
                ],
            },
            "policies[0].permission_groups[0].id",
        ),
        (
            {
                "name": "x",
                "policies": [
                    {
                        "effect": "allow",
                        "resources": {ACCOUNT_KEY: "*"},
                        "permission_groups": [{"name": "Account Settings Read"}],
                    }
                ],
            },
            "policies[0].permission_groups[0].id",
        ),
        (
            {"name": "x", "policies": [{**TOKEN_ADMIN[0], "effect": "maybe"}]},
            "policies[0].effect",
        ),
        (
            {"name": "x", "policies": [{**TOKEN_ADMIN[0], "resources": {}}]},
            "policies[0].resources",
        ),
        (
            {
                "name": "x",
                "policies": [
                    {
                        **TOKEN_ADMIN[0],
                        "resources": {
                            ACCOUNT_KEY: "*",
                            "com.cloudflare.api.account.zone.*": {"a": "*"},
                        },
                    }
                ],
            },
            "policies[0].resources",
        ),
        (
            {
                "name": "x",
                "policies": TOKEN_ADMIN,
                "condition": {"request_ip": {"in": ["not-a-cidr"]}},
            },
            "condition.request_ip.in[0]",
        ),
        ({"name": "x", "policies": TOKEN_ADMIN, "expires_on": "soon"}, "expires_on"),
        ({"name": "x", "policies": TOKEN_ADMIN, "not_before": 12}, "not_before"),
        (
            {
                "name": "x",
                "policies": TOKEN_ADMIN,
                "not_before": "2031-01-01T00:00:00Z",
                "expires_on": "2030-01-01T00:00:00Z",
            },
            "expires_on",
        ),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(
    server: RunningServer, http: httpx.Client, body: dict[str, object], field: str
) -> None:
    r = http.post(ACCOUNT_TOKENS, json=body, headers=key_headers())
    assert r.status_code == 400, r.text
    assert error_codes(r) == [1001]
    assert r.json()["errors"][0]["message"].startswith(field), r.text
    # Nothing was written.
    listed = http.get(ACCOUNT_TOKENS, headers=key_headers()).json()["result"]
    assert [t["id"] for t in listed] == [DEMO_ACCOUNT_TOKEN_ID]


def test_update_status_must_be_a_known_one(
    server: RunningServer, http: httpx.Client
) -> None:
    r = http.put(
        f"{ACCOUNT_TOKENS}/{DEMO_ACCOUNT_TOKEN_ID}",
        json={"name": "x", "policies": TOKEN_ADMIN, "status": "paused"},
        headers=key_headers(),
    )
    assert r.status_code == 400 and r.json()["errors"][0]["message"].startswith(
        "status"
    )


def test_update_keeps_omitted_fields_and_clears_nulls(
    server: RunningServer, http: httpx.Client
) -> None:
    condition = {"request_ip": {"in": ["127.0.0.0/8"]}}
    made = create(
        http,
        ACCOUNT_TOKENS,
        *TOKEN_ADMIN,
        condition=condition,
        expires_on="2099-01-01T00:00:00Z",
    )
    path = f"{ACCOUNT_TOKENS}/{made['id']}"
    kept = http.put(
        path, json={"name": "renamed", "policies": TOKEN_ADMIN}, headers=key_headers()
    ).json()["result"]
    assert kept["name"] == "renamed"
    assert kept["condition"] == condition
    assert kept["expires_on"] == "2099-01-01T00:00:00Z"
    assert kept["modified_on"] >= made["modified_on"]
    cleared = http.put(
        path,
        json={
            "name": "renamed",
            "policies": TOKEN_ADMIN,
            "condition": None,
            "expires_on": None,
        },
        headers=key_headers(),
    ).json()["result"]
    assert cleared["condition"] == {} and cleared["expires_on"] is None


def test_update_without_a_body_is_refused(
    server: RunningServer, http: httpx.Client
) -> None:
    r = http.put(f"{ACCOUNT_TOKENS}/{DEMO_ACCOUNT_TOKEN_ID}", headers=key_headers())
    assert r.status_code == 400 and error_codes(r) == [1001]


def test_every_write_records_an_audit_event(
    server: RunningServer, http: httpx.Client
) -> None:
    made = create(http, ACCOUNT_TOKENS, *TOKEN_ADMIN, name="audited")
    path = f"{ACCOUNT_TOKENS}/{made['id']}"
    http.put(
        path, json={"name": "audited 2", "policies": TOKEN_ADMIN}, headers=key_headers()
    )
    new_value = http.put(f"{path}/value", headers=key_headers()).json()["result"]
    http.delete(path, headers=key_headers())
    events = audit_events(server, made["id"])
    assert [e.action_type for e in events] == ["create", "update", "update", "delete"]
    assert [e.action_description for e in events] == [
        "Create account API token",
        "Update account API token",
        "Roll account API token",
        "Delete account API token",
    ]
    assert {e.account_id for e in events} == {DEMO_ACCOUNT}
    assert events[0].before is None and events[-1].after is None
    assert orjson.loads(events[1].after)["name"] == "audited 2"
    for e in events:
        text = f"{e.before} {e.after}"
        assert made["value"] not in text and new_value not in text


def test_an_account_token_manages_its_own_account_tokens(
    server: RunningServer, http: httpx.Client
) -> None:
    manager = create(http, ACCOUNT_TOKENS, *TOKEN_ADMIN)
    headers = bearer(manager["value"])
    made = create(
        http, ACCOUNT_TOKENS, on_account("Account Settings Read"), headers=headers
    )
    assert made["value"].startswith("cfat_")
    assert "creator_email_at_creation" not in made  # an account token has no email
    assert (
        http.delete(f"{ACCOUNT_TOKENS}/{made['id']}", headers=headers).status_code
        == 200
    )
    # ...but not another account's.
    other = "f" * 32
    server.seed({"accounts": [{"id": other, "name": "Other"}]})
    r = http.get(f"/accounts/{other}/tokens", headers=headers)
    assert r.status_code == 403 and error_codes(r) == [9109]


def test_permission_groups_come_back_sorted_with_names(
    server: RunningServer, http: httpx.Client
) -> None:
    names = ["Workers Scripts Write", "Account Settings Read", "DNS View Read"]
    wanted = sorted(gid(n) for n in names)
    policy = on_account(*names)
    policy["permission_groups"].reverse()
    policy["permission_groups"].append({"id": gid("Account Settings Read")})
    made = create(http, ACCOUNT_TOKENS, policy)
    groups = made["policies"][0]["permission_groups"]
    assert [g["id"] for g in groups] == wanted
    assert all(g["name"] for g in groups)
