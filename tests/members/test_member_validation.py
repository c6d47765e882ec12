"""Bad member requests: answered 400 (or 409) with a message naming the field, and
nothing written."""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import pytest

from cfaccounts.seeding.load import account_resource_group_id

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_KEY,
    VIEWER_EMAIL,
    RunningServer,
    error_codes,
    key_headers,
)
from ..factories import account
from .conftest import DEMO_MEMBER, DNS_ROLE, member_count, member_events

URL = f"/accounts/{DEMO_ACCOUNT}/members"
ACCOUNT_GROUP = account_resource_group_id(DEMO_ACCOUNT)


def _policy(**changes: Any) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "access": "allow",
        "permission_groups": [{"id": DNS_ROLE}],
        "resource_groups": [{"id": ACCOUNT_GROUP}],
    }
    policy.update(changes)
    return policy


def test_roles_and_policies_together_are_refused(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    with pytest.raises(cloudflare.BadRequestError) as refused:
        key_client.accounts.members.create(
            account_id=DEMO_ACCOUNT,
            email="both@example.org",
            roles=[DNS_ROLE],
            policies=[_policy()],  # type: ignore[call-arg]
        )
    assert refused.value.errors[0].message == (
        "account member must be created with roles or policies (not both)"
    )
    assert member_count(server) == 2


@pytest.mark.parametrize(
    "body",
    [
        {"email": "n@example.org"},
        {"email": "n@example.org", "roles": []},
        {"email": "n@example.org", "roles": None, "policies": []},
    ],
    ids=["absent", "empty roles", "null and empty"],
)
def test_neither_roles_nor_policies_is_refused(
    server: RunningServer, http: httpx.Client, body: dict[str, Any]
) -> None:
    r = http.post(URL, json=body, headers=key_headers())
    assert r.status_code == 400
    assert "roles or policies" in r.json()["errors"][0]["message"]
    assert member_count(server) == 2


def test_unknown_role_is_1001_invalid_role_assignments(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    with pytest.raises(cloudflare.BadRequestError) as refused:
        key_client.accounts.members.create(
            account_id=DEMO_ACCOUNT, email="n@example.org", roles=[DNS_ROLE, "f" * 32]
        )
    assert refused.value.errors[0].code == 1001
    assert refused.value.errors[0].message == "Invalid role assignments found"
    assert member_count(server) == 2


def test_custom_role_of_another_account_is_an_invalid_assignment(
    server: RunningServer, http: httpx.Client
) -> None:
    other = account("Other")
    other["roles"] = [{"id": "ab" * 16, "name": "Theirs", "permissions": {}}]
    server.seed({"accounts": [other]})
    r = http.post(
        URL,
        json={"email": "n@example.org", "roles": ["ab" * 16]},
        headers=key_headers(),
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"] == "Invalid role assignments found"
    r = http.put(
        f"{URL}/{DEMO_MEMBER}",
        json={"roles": [{"id": "ab" * 16}]},
        headers=key_headers(),
    )
    assert r.status_code == 400
    assert error_codes(r) == [1001]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"roles": [DNS_ROLE]}, "email"),
        ({"email": "not-an-email", "roles": [DNS_ROLE]}, "email"),
        ({"email": 42, "roles": [DNS_ROLE]}, "email"),
        ({"email": "a" * 80 + "@example.org", "roles": [DNS_ROLE]}, "email"),
        (
            {"email": "n@example.org", "roles": [DNS_ROLE], "status": "rejected"},
            "status",
        ),
        ({"email": "n@example.org", "roles": "admin"}, "roles"),
        ({"email": "n@example.org", "roles": [7]}, "roles[0]"),
        ({"email": "n@example.org", "policies": {"access": "allow"}}, "policies"),
        ({"email": "n@example.org", "policies": ["allow"]}, "policies[0]"),
        (
            {"email": "n@example.org", "policies": [_policy(access="maybe")]},
            "policies[0].access",
        ),
        (
            {"email": "n@example.org", "policies": [_policy(permission_groups=[])]},
            "policies[0].permission_groups",
        ),
        (
            {
                "email": "n@example.org",
                "policies": [_policy(), _policy(permission_groups=[{"name": "DNS"}])],
            },
            "policies[1].permission_groups[0].id",
        ),
        (
            {
                "email": "n@example.org",
                "policies": [_policy(permission_groups=[{"id": "0" * 32}])],
            },
            "policies[0].permission_groups[0].id",
        ),
        (
            {"email": "n@example.org", "policies": [_policy(resource_groups=None)]},
            "policies[0].resource_groups",
        ),
        (
            {
                "email": "n@example.org",
                "policies": [_policy(resource_groups=[{"id": "0" * 32}])],
            },
            "policies[0].resource_groups[0].id",
        ),
    ],
)
def test_bad_create_bodies_name_the_field(
    server: RunningServer, http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    r = http.post(URL, json=body, headers=key_headers())
    assert r.status_code == 400, r.text
    assert error_codes(r) == [1001]
    assert r.json()["errors"][0]["message"].startswith(field)
    assert member_count(server) == 2
    assert member_events(server) == []


def test_resource_group_of_another_account_is_unknown(
    server: RunningServer, http: httpx.Client
) -> None:
    other = account("Other")
    server.seed({"accounts": [other]})
    theirs = account_resource_group_id(other["id"])
    body = {
        "email": "n@example.org",
        "policies": [_policy(resource_groups=[{"id": theirs}])],
    }
    r = http.post(URL, json=body, headers=key_headers())
    assert r.status_code == 400
    assert "unknown resource group" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "account member must be created with roles or policies"),
        ({"roles": [{"name": "DNS"}]}, "roles[0]"),
        ({"roles": [{"id": DNS_ROLE}], "policies": [_policy()]}, "account member"),
        ({"policies": [_policy(access=None)]}, "policies[0].access"),
        ({"roles": [{"id": DNS_ROLE}], "status": "pending"}, "status"),
    ],
)
def test_bad_update_bodies_change_nothing(
    server: RunningServer, http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    before = http.get(f"{URL}/{DEMO_MEMBER}", headers=key_headers()).json()
    r = http.put(f"{URL}/{DEMO_MEMBER}", json=body, headers=key_headers())
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["message"].startswith(field)
    after = http.get(f"{URL}/{DEMO_MEMBER}", headers=key_headers()).json()
    assert after == before
    assert member_events(server) == []


@pytest.mark.parametrize(
    ("content", "code"), [(b"{not json", 6007), (b"[1, 2]", 1001), (b"", 1001)]
)
def test_malformed_bodies(
    server: RunningServer, http: httpx.Client, content: bytes, code: int
) -> None:
    headers = {**key_headers(), "content-type": "application/json"}
    r = http.post(URL, content=content, headers=headers)
    assert r.status_code == 400
    assert error_codes(r) == [code]
    assert member_count(server) == 2


def test_duplicate_email_is_a_conflict_the_sdk_does_not_retry(
    server: RunningServer,
) -> None:
    requests: list[httpx.Request] = []
    with httpx.Client(event_hooks={"request": [requests.append]}) as transport:
        client = cloudflare.Cloudflare(  # default max_retries: 2
            base_url=server.base_url,
            api_email=DEMO_EMAIL,
            api_key=DEMO_KEY,
            http_client=transport,
            _strict_response_validation=True,
        )
        with pytest.raises(cloudflare.ConflictError) as conflict:
            client.accounts.members.create(
                account_id=DEMO_ACCOUNT, email=VIEWER_EMAIL.upper(), roles=[DNS_ROLE]
            )
    assert len(requests) == 1
    response = conflict.value.response
    assert response.status_code == 409
    assert response.headers["x-should-retry"] == "false"
    assert conflict.value.errors[0].code == 1004
    assert member_count(server) == 2


def test_duplicate_invitation_is_a_conflict_too(http: httpx.Client) -> None:
    body = {"email": "twice@example.org", "roles": [DNS_ROLE]}
    assert http.post(URL, json=body, headers=key_headers()).status_code == 200
    r = http.post(URL, json=body, headers=key_headers())
    assert r.status_code == 409
    assert r.headers["x-should-retry"] == "false"


def test_malformed_member_id_is_a_routing_error(http: httpx.Client) -> None:
    r = http.get(f"{URL}/not-an-id", headers=key_headers())
    assert r.status_code == 400
    assert error_codes(r) == [7003, 7000]
