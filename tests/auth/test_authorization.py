"""Authorization through the running server: roles, member policies, token policies,
membership, and how they combine."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import delete

from cfaccounts.catalog import catalogue
from cfaccounts.storage import schema

from .. import factories as f
from ..conftest import (
    ACCOUNT_SETTINGS_READ,
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    RunningServer,
    bearer,
    key_headers,
)

DETAILS = f"/accounts/{DEMO_ACCOUNT}"


def _member_with(
    server: RunningServer, *role_ids: str, status: str = "accepted"
) -> dict[str, str]:
    key = f.api_key()
    email = f"m{f.api_key()[:8]}@example.com"
    server.seed(
        {
            "users": [f.user(email, api_key=key)],
            "accounts": [
                {
                    "id": DEMO_ACCOUNT,
                    "members": [f.member(email, *role_ids, status=status)],
                }
            ],
        }
    )
    return key_headers(email, key)


@pytest.mark.parametrize(
    "role", [r.id for r in catalogue().roles], ids=[r.name for r in catalogue().roles]
)
def test_every_accepted_member_sees_account_details(
    server: RunningServer, http: httpx.Client, role: str
) -> None:
    headers = _member_with(server, role)
    assert http.get(DETAILS, headers=headers).status_code == 200


def test_pending_member_does_not(server: RunningServer, http: httpx.Client) -> None:
    headers = _member_with(server, "33666b9c79b9a5273fc7344ff42f953d", status="pending")
    assert http.get(DETAILS, headers=headers).status_code == 403


def test_member_policy_on_the_account_resource_group_grants(
    server: RunningServer, http: httpx.Client
) -> None:
    from cfaccounts.seeding.load import account_resource_group_id

    key = f.api_key()
    email = "policy-member@example.com"
    member = {
        "email": email,
        "policies": [
            {
                "access": "allow",
                "permission_groups": [{"id": "f2b20eaa1a5d4af42b53ac16238c99c7"}],
                "resource_groups": [{"id": account_resource_group_id(DEMO_ACCOUNT)}],
            }
        ],
    }
    server.seed(
        {
            "users": [f.user(email, api_key=key)],
            "accounts": [{"id": DEMO_ACCOUNT, "members": [member]}],
        }
    )
    assert http.get(DETAILS, headers=key_headers(email, key)).status_code == 200


def test_user_token_needs_its_owner_to_stay_a_member(
    server: RunningServer, http: httpx.Client
) -> None:
    value = f.token_value()
    email = "leaver@example.com"
    server.seed(
        {
            "users": [
                f.user(
                    email,
                    tokens=[
                        f.token(value, f.allow(DEMO_ACCOUNT, ACCOUNT_SETTINGS_READ))
                    ],
                )
            ],
            "accounts": [
                {"id": DEMO_ACCOUNT, "members": [f.member(email, status="accepted")]}
            ],
        }
    )
    assert http.get(DETAILS, headers=bearer(value)).status_code == 200
    # Seed documents only add; take the membership away in the database itself.
    with server.app.services.db.write() as conn:
        conn.execute(delete(schema.members).where(schema.members.c.email == email))
    r = http.get(DETAILS, headers=bearer(value))
    assert r.status_code == 403


def test_user_token_wildcard_account_resource(
    server: RunningServer, http: httpx.Client
) -> None:
    value = f.token_value()
    policy = {
        "effect": "allow",
        "resources": {"com.cloudflare.api.account.*": "*"},
        "permission_groups": [{"id": ACCOUNT_SETTINGS_READ}],
    }
    server.seed({"users": [{"email": DEMO_EMAIL, "tokens": [f.token(value, policy)]}]})
    assert http.get(DETAILS, headers=bearer(value)).status_code == 200


def test_deny_policy_takes_the_group_away(
    server: RunningServer, http: httpx.Client
) -> None:
    value = f.token_value()
    token = f.token(
        value,
        f.allow(DEMO_ACCOUNT, ACCOUNT_SETTINGS_READ),
        f.allow(DEMO_ACCOUNT, ACCOUNT_SETTINGS_READ, effect="deny"),
    )
    server.seed({"users": [{"email": DEMO_EMAIL, "tokens": [token]}]})
    assert http.get(DETAILS, headers=bearer(value)).status_code == 403


def test_account_token_of_another_account_is_refused(
    server: RunningServer, http: httpx.Client
) -> None:
    other = f.account("Other")
    value = "cfat_" + f.token_value()
    other["tokens"] = [f.token(value, f.allow(DEMO_ACCOUNT, ACCOUNT_SETTINGS_READ))]
    server.seed({"accounts": [other]})
    assert http.get(DETAILS, headers=bearer(value)).status_code == 403
    assert (
        http.get(f"/accounts/{other['id']}", headers=bearer(value)).status_code == 403
    )
