"""Memberships: the calling user's side of account members. Listing and reading them,
answering invitations, and leaving accounts."""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import pytest
from sqlalchemy import select

from cfaccounts.seeding.load import account_resource_group_id
from cfaccounts.storage import schema as s

from .. import factories
from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_ID,
    DEMO_USER_TOKEN,
    SUPER_ADMIN_ROLE,
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
DEMO_MEMBER = "4536bcfad5faccb111b47003c79917fa"
ADMINISTRATOR_ROLE = "05784afa30c1afe1440e79d9351c7430"
MEMBERSHIPS_READ = "3518d0f75557482e952c6762d3e64903"
MEMBERSHIPS_WRITE = "9201bc6f42d440968aaab0c6f17ebb1d"


def invite(
    server: RunningServer, name: str, *roles: str, status: str = "pending"
) -> str:
    """An account inviting the demo user; returns the membership (member) id."""
    member = factories.member(
        DEMO_EMAIL, *(roles or (ADMINISTRATOR_ROLE,)), status=status
    )
    server.seed({"accounts": [factories.account(name, members=[member])]})
    return str(member["id"])


def demo_token(server: RunningServer, *groups: str) -> str:
    """A new token of the demo user holding ``groups`` on the user."""
    value = factories.token_value()
    token = factories.token(value, factories.on_user(DEMO_USER_ID, *groups))
    server.seed(
        {"users": [{"id": DEMO_USER_ID, "email": DEMO_EMAIL, "tokens": [token]}]}
    )
    return value


def events(server: RunningServer, resource_id: str) -> list[Any]:
    a = s.audit_logs.c
    with server.app.services.db.read() as conn:
        return list(
            conn.execute(
                select(s.audit_logs).where(a.resource_id == resource_id).order_by(a.seq)
            ).all()
        )


# -- reading ---------------------------------------------------------------------------
def test_list_shows_accepted_and_pending_memberships(server: RunningServer) -> None:
    pending = invite(server, "Invited Co")
    memberships = list(sdk(server, **KEY).memberships.list())
    assert [(m.account.name if m.account else None, m.status) for m in memberships] == [
        ("Demo Account", "accepted"),
        ("Invited Co", "pending"),
    ]
    demo, invited = memberships
    assert demo.id == DEMO_MEMBER and invited.id == pending
    assert demo.account is not None and demo.account.type == "standard"
    assert demo.roles == ["Super Administrator - All Privileges"]
    assert demo.permissions is not None and demo.permissions.organization is not None
    assert demo.permissions.organization.read and demo.permissions.organization.write
    assert invited.roles == ["Administrator"]
    # An Administrator reads billing but cannot change it.
    assert invited.permissions is not None and invited.permissions.billing is not None
    assert invited.permissions.billing.write is False


async def test_async_client_lists_and_reads(server: RunningServer) -> None:
    invite(server, "Invited Co")
    async with async_sdk(server, **KEY) as client:
        ids = [m.id async for m in client.memberships.list(per_page=5)]
        detail = await client.memberships.get(DEMO_MEMBER)
    assert ids[0] == DEMO_MEMBER and len(ids) == 2
    assert detail is not None and detail.account is not None
    assert detail.account.id == DEMO_ACCOUNT and detail.status == "accepted"


def test_the_creator_of_an_account_has_its_membership(server: RunningServer) -> None:
    admin = factories.user(api_key=factories.api_key(), tenant_admin=True)
    server.seed({"users": [admin]})
    client = sdk(server, api_email=admin["email"], api_key=admin["api_key"])
    account = client.accounts.create(name="Made Here")
    assert account is not None
    (membership,) = list(client.memberships.list())
    assert membership.account is not None and membership.account.id == account.id
    assert membership.status == "accepted"
    assert membership.roles == ["Super Administrator - All Privileges"]


def test_filters_and_order(server: RunningServer) -> None:
    invite(server, "Zeta Pending")
    invite(server, "alpha accepted", status="accepted")
    client = sdk(server, **KEY)

    def names(**params: Any) -> list[str]:
        return [m.account.name for m in client.memberships.list(**params) if m.account]

    assert names() == ["Demo Account", "Zeta Pending", "alpha accepted"]
    assert names(status="pending") == ["Zeta Pending"]
    assert names(status="rejected") == []
    assert names(name="ALPHA") == ["alpha accepted"]
    assert names(account={"name": "zeta"}) == ["Zeta Pending"]
    assert names(name="a", account={"name": "demo"}) == ["Demo Account"]
    descending = [
        m.status for m in client.memberships.list(order="status", direction="desc")
    ]
    assert descending == ["pending", "accepted", "accepted"]
    by_status = [m.status for m in client.memberships.list(order="status")]
    assert by_status == ["accepted", "accepted", "pending"]
    by_id = [m.id for m in client.memberships.list(order="id", direction="desc")]
    assert by_id == sorted(by_id, reverse=True)
    assert names(direction="desc") == ["alpha accepted", "Zeta Pending", "Demo Account"]


def test_iteration_pages_to_the_end(server: RunningServer, http: httpx.Client) -> None:
    for i in range(11):
        invite(server, f"Invite {i:02}")
    names = [
        m.account.name
        for m in sdk(server, **KEY).memberships.list(per_page=5)
        if m.account
    ]
    assert names == ["Demo Account", *(f"Invite {i:02}" for i in range(11))]
    past = http.get("/memberships?per_page=5&page=4", headers=key_headers())
    assert past.status_code == 200 and past.json()["result"] == []
    assert past.json()["result_info"]["total_count"] == 12


@pytest.mark.parametrize(
    "query", ["status=left", "order=name", "direction=sideways", "per_page=100"]
)
def test_bad_list_parameters_are_400(http: httpx.Client, query: str) -> None:
    r = http.get(f"/memberships?{query}", headers=key_headers())
    assert (r.status_code, error_codes(r)) == (400, [1001])
    assert query.split("=")[0] in r.json()["errors"][0]["message"]


def test_details_spell_out_member_policies(server: RunningServer) -> None:
    account = factories.account("Policy Co")
    group = account_resource_group_id(account["id"])
    account["members"] = [
        {
            "email": DEMO_EMAIL,
            "status": "accepted",
            "policies": [
                {
                    "access": "allow",
                    "permission_groups": [{"id": ADMINISTRATOR_ROLE}],
                    "resource_groups": [{"id": group}],
                }
            ],
        }
    ]
    server.seed({"accounts": [account]})
    client = sdk(server, **KEY)
    (membership,) = list(client.memberships.list(name="Policy Co"))
    assert membership.id is not None
    detail = client.memberships.get(membership.id)
    assert detail is not None and detail.policies is not None
    (policy,) = detail.policies
    assert policy.access == "allow"
    assert policy.permission_groups is not None and policy.resource_groups is not None
    assert [(g.id, g.name) for g in policy.permission_groups] == [
        (ADMINISTRATOR_ROLE, "Administrator")
    ]
    (resource_group,) = policy.resource_groups
    assert resource_group.id == group
    assert resource_group.scope.key == f"com.cloudflare.api.account.{account['id']}"
    assert [o.key for o in resource_group.scope.objects] == ["*"]
    assert detail.roles == ["Administrator"]


def test_another_users_membership_is_not_found(
    server: RunningServer, http: httpx.Client
) -> None:
    viewer = sdk(server, api_email=VIEWER_EMAIL, api_key=VIEWER_KEY)
    (theirs,) = list(viewer.memberships.list())
    for path in (f"/memberships/{theirs.id}", f"/memberships/{'0' * 32}"):
        r = http.get(path, headers=key_headers())
        assert (r.status_code, error_codes(r)) == (404, [1003])
        assert r.json()["errors"][0]["message"] == "Membership not found"
    with sdk(server, **KEY) as client, pytest.raises(cloudflare.NotFoundError):
        client.memberships.get(str(theirs.id))
    bad = http.get("/memberships/not-an-id", headers=key_headers())
    assert error_codes(bad) == [7003, 7000]


# -- answering invitations -------------------------------------------------------------
def test_accepting_an_invitation_gives_access_to_the_account(
    server: RunningServer,
) -> None:
    membership_id = invite(server, "Joined Co")
    client = sdk(server, **KEY)
    assert [a.name for a in client.accounts.list()] == ["Demo Account"]
    accepted = client.memberships.update(membership_id, status="accepted")
    assert accepted is not None and accepted.status == "accepted"
    assert accepted.account is not None
    assert [a.name for a in client.accounts.list()] == ["Demo Account", "Joined Co"]
    assert client.accounts.get(account_id=accepted.account.id) is not None
    (event,) = events(server, membership_id)
    assert (event.action_type, event.action_description) == (
        "update",
        "Accept invitation",
    )
    # Accepting again changes nothing and records nothing.
    again = client.memberships.update(membership_id, status="accepted")
    assert again is not None and again.status == "accepted"
    assert len(events(server, membership_id)) == 1
    with server.app.services.db.read() as conn:
        row = conn.execute(
            select(s.members).where(s.members.c.id == membership_id)
        ).one()
    assert (row.status, row.user_id) == ("accepted", DEMO_USER_ID)


async def test_rejecting_an_invitation_removes_it(server: RunningServer) -> None:
    membership_id = invite(server, "Declined Co")
    async with async_sdk(server, **KEY) as client:
        rejected = await client.memberships.update(membership_id, status="rejected")
        assert rejected is not None and rejected.status == "rejected"
        assert rejected.account is not None and rejected.account.name == "Declined Co"
        with pytest.raises(cloudflare.NotFoundError):
            await client.memberships.get(membership_id)
        remaining = [m.id async for m in client.memberships.list()]
    assert remaining == [DEMO_MEMBER]
    (event,) = events(server, membership_id)
    assert event.action_description == "Reject invitation"


def test_an_accepted_membership_cannot_be_rejected(
    server: RunningServer, http: httpx.Client
) -> None:
    r = http.put(
        f"/memberships/{DEMO_MEMBER}",
        json={"status": "rejected"},
        headers=key_headers(),
    )
    assert (r.status_code, error_codes(r)) == (400, [1001])
    assert "status" in r.json()["errors"][0]["message"]
    assert sdk(server, **KEY).memberships.get(DEMO_MEMBER) is not None
    assert events(server, DEMO_MEMBER) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "pending"}, "status"),
        ({"status": None}, "status"),
        ({"status": "accepted", "roles": []}, "roles"),
    ],
)
def test_bad_answers_are_400_and_change_nothing(
    server: RunningServer, http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    membership_id = invite(server, "Untouched Co")
    r = http.put(f"/memberships/{membership_id}", json=body, headers=key_headers())
    assert (r.status_code, error_codes(r)) == (400, [1001])
    assert field in r.json()["errors"][0]["message"]
    detail = sdk(server, **KEY).memberships.get(membership_id)
    assert detail is not None and detail.status == "pending"
    assert events(server, membership_id) == []


def test_answering_someone_elses_invitation_is_not_found(
    server: RunningServer, http: httpx.Client
) -> None:
    other = factories.member(
        "someone@example.com", ADMINISTRATOR_ROLE, status="pending"
    )
    server.seed({"accounts": [factories.account("Theirs", members=[other])]})
    r = http.put(
        f"/memberships/{other['id']}",
        json={"status": "accepted"},
        headers=key_headers(),
    )
    assert (r.status_code, error_codes(r)) == (404, [1003])


# -- leaving ---------------------------------------------------------------------------
def test_a_member_leaves_an_account(server: RunningServer, http: httpx.Client) -> None:
    viewer = sdk(server, api_email=VIEWER_EMAIL, api_key=VIEWER_KEY)
    (membership,) = list(viewer.memberships.list())
    assert membership.id is not None
    left = viewer.memberships.delete(membership.id)
    assert left is not None and left.id == membership.id
    assert list(viewer.memberships.list()) == []
    r = http.get(
        f"/accounts/{DEMO_ACCOUNT}", headers=key_headers(VIEWER_EMAIL, VIEWER_KEY)
    )
    assert (r.status_code, error_codes(r)) == (403, [9109])
    (event,) = events(server, membership.id)
    assert (event.action_type, event.account_id) == ("delete", DEMO_ACCOUNT)


async def test_deleting_a_pending_membership_declines_it(server: RunningServer) -> None:
    membership_id = invite(server, "Never Mind Co")
    async with async_sdk(server, **KEY) as client:
        left = await client.memberships.delete(membership_id)
        assert left is not None and left.id == membership_id
        assert [m.id async for m in client.memberships.list()] == [DEMO_MEMBER]


def test_the_last_member_who_can_manage_members_cannot_leave(
    server: RunningServer, http: httpx.Client
) -> None:
    r = http.delete(f"/memberships/{DEMO_MEMBER}", headers=key_headers())
    assert (r.status_code, error_codes(r)) == (409, [1004])
    assert r.headers["x-should-retry"] == "false"
    assert sdk(server, **KEY).memberships.get(DEMO_MEMBER) is not None
    # With a second Super Administrator the first may go.
    server.seed(
        {
            "accounts": [
                {
                    "id": DEMO_ACCOUNT,
                    "members": [{"email": VIEWER_EMAIL, "roles": [SUPER_ADMIN_ROLE]}],
                }
            ]
        }
    )
    r = http.delete(f"/memberships/{DEMO_MEMBER}", headers=key_headers())
    assert r.status_code == 200 and r.json()["result"] == {"id": DEMO_MEMBER}


# -- who may ---------------------------------------------------------------------------
def test_account_token_is_not_user_level(http: httpx.Client) -> None:
    for method, path in [
        ("GET", "/memberships"),
        ("GET", f"/memberships/{DEMO_MEMBER}"),
        ("PUT", f"/memberships/{DEMO_MEMBER}"),
        ("DELETE", f"/memberships/{DEMO_MEMBER}"),
    ]:
        r = http.request(
            method,
            path,
            json={"status": "accepted"} if method == "PUT" else None,
            headers=bearer(DEMO_ACCOUNT_TOKEN),
        )
        assert (r.status_code, error_codes(r)) == (403, [9109])
        assert r.json()["errors"][0]["message"] == (
            "Valid user-level authentication not found"
        )


def test_token_without_membership_groups_is_refused(
    server: RunningServer, http: httpx.Client
) -> None:
    membership_id = invite(server, "Guarded Co")
    for method, path in [
        ("GET", "/memberships"),
        ("GET", f"/memberships/{membership_id}"),
        ("PUT", f"/memberships/{membership_id}"),
        ("DELETE", f"/memberships/{membership_id}"),
    ]:
        r = http.request(
            method,
            path,
            json={"status": "accepted"} if method == "PUT" else None,
            headers=bearer(DEMO_USER_TOKEN),
        )
        assert (r.status_code, error_codes(r)) == (403, [9109])
    with (
        sdk(server, api_token=DEMO_USER_TOKEN) as client,
        pytest.raises(cloudflare.PermissionDeniedError),
    ):
        list(client.memberships.list())


def test_memberships_read_reads_but_does_not_answer(
    server: RunningServer, http: httpx.Client
) -> None:
    membership_id = invite(server, "Read Only Co")
    with sdk(server, api_token=demo_token(server, MEMBERSHIPS_READ)) as client:
        assert len(list(client.memberships.list())) == 2
        assert client.memberships.get(membership_id) is not None
        with pytest.raises(cloudflare.PermissionDeniedError) as refused:
            client.memberships.update(membership_id, status="accepted")
        assert refused.value.errors[0].code == 9109
        with pytest.raises(cloudflare.PermissionDeniedError):
            client.memberships.delete(membership_id)
        assert events(server, membership_id) == []


def test_memberships_write_answers_and_leaves(server: RunningServer) -> None:
    first, second = invite(server, "One Co"), invite(server, "Two Co")
    client = sdk(server, api_token=demo_token(server, MEMBERSHIPS_WRITE))
    assert len(list(client.memberships.list())) == 3
    answered = client.memberships.update(first, status="accepted")
    assert answered is not None and answered.status == "accepted"
    left = client.memberships.delete(second)
    assert left is not None and left.id == second
    (event,) = events(server, first)
    assert event.actor_token_id is not None
