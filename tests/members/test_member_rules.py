"""Who may manage members, and what happens to the access of a removed member."""

from __future__ import annotations

import cloudflare
import httpx
import pytest

from cfaccounts.catalog import catalogue
from cfaccounts.seeding.load import account_resource_group_id

from ..conftest import (
    ACCOUNT_SETTINGS_WRITE,
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_TOKEN,
    SUPER_ADMIN_ROLE,
    RunningServer,
    bearer,
    error_codes,
    key_headers,
    sdk,
)
from ..factories import allow, token, token_value
from .conftest import (
    ADMIN_READ_ONLY,
    ADMINISTRATOR,
    DEMO_MEMBER,
    DNS_ROLE,
    Person,
    member_count,
    member_events,
    person,
)

CREDENTIALS = ["key", "user token"]


def _client(
    server: RunningServer, who: Person, credential: str
) -> cloudflare.Cloudflare:
    if credential == "key":
        return sdk(server, **who.key_credentials)
    return sdk(server, **who.token_credentials)


def _account_token(server: RunningServer, *group_ids: str) -> str:
    value = token_value()
    server.seed(
        {
            "accounts": [
                {
                    "id": DEMO_ACCOUNT,
                    "tokens": [token(value, allow(DEMO_ACCOUNT, *group_ids))],
                }
            ]
        }
    )
    return value


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_administrator_may_read_but_not_manage_members(
    server: RunningServer, credential: str
) -> None:
    admin = person(server, ADMINISTRATOR)
    client = _client(server, admin, credential)
    members = list(client.accounts.members.list(account_id=DEMO_ACCOUNT))
    assert len(members) == 3
    with pytest.raises(cloudflare.PermissionDeniedError) as add:
        client.accounts.members.create(
            account_id=DEMO_ACCOUNT, email="x@example.org", roles=[DNS_ROLE]
        )
    assert add.value.errors[0].code == 9109
    with pytest.raises(cloudflare.PermissionDeniedError):
        client.accounts.members.update(
            DEMO_MEMBER, account_id=DEMO_ACCOUNT, roles=[{"id": DNS_ROLE}]
        )
    with pytest.raises(cloudflare.PermissionDeniedError):
        client.accounts.members.delete(DEMO_MEMBER, account_id=DEMO_ACCOUNT)
    assert member_count(server) == 3
    assert member_events(server) == []


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_super_administrator_may_manage_members(
    server: RunningServer, credential: str
) -> None:
    boss = person(server, SUPER_ADMIN_ROLE)
    client = _client(server, boss, credential)
    added = client.accounts.members.create(
        account_id=DEMO_ACCOUNT, email="x@example.org", roles=[DNS_ROLE]
    )
    assert added is not None and added.id is not None
    client.accounts.members.update(
        added.id, account_id=DEMO_ACCOUNT, roles=[{"id": ADMIN_READ_ONLY}]
    )
    client.accounts.members.delete(added.id, account_id=DEMO_ACCOUNT)
    assert member_count(server) == 3


def test_custom_role_that_edits_members_may_manage_them(server: RunningServer) -> None:
    rid = "ee" * 16
    server.seed(
        {
            "accounts": [
                {
                    "id": DEMO_ACCOUNT,
                    "roles": [
                        {
                            "id": rid,
                            "name": "Member Manager",
                            "permissions": {"member": {"read": True, "edit": True}},
                        }
                    ],
                }
            ]
        }
    )
    manager = person(server, rid)
    added = sdk(server, **manager.key_credentials).accounts.members.create(
        account_id=DEMO_ACCOUNT, email="x@example.org", roles=[DNS_ROLE]
    )
    assert added is not None


def test_member_policy_granting_super_administrator_may_manage(
    server: RunningServer, http: httpx.Client
) -> None:
    someone = person(server)
    r = http.post(
        f"/accounts/{DEMO_ACCOUNT}/members",
        json={
            "email": someone.email,
            "status": "accepted",
            "policies": [
                {
                    "access": "allow",
                    "permission_groups": [{"id": SUPER_ADMIN_ROLE}],
                    "resource_groups": [
                        {"id": account_resource_group_id(DEMO_ACCOUNT)}
                    ],
                }
            ],
        },
        headers=key_headers(),
    )
    assert r.status_code == 200, r.text
    added = sdk(server, **someone.key_credentials).accounts.members.create(
        account_id=DEMO_ACCOUNT, email="x@example.org", roles=[DNS_ROLE]
    )
    assert added is not None


def test_account_token_is_judged_by_its_groups(server: RunningServer) -> None:
    writer = sdk(server, api_token=_account_token(server, ACCOUNT_SETTINGS_WRITE))
    added = writer.accounts.members.create(
        account_id=DEMO_ACCOUNT, email="x@example.org", roles=[SUPER_ADMIN_ROLE]
    )
    assert added is not None and added.id is not None
    writer.accounts.members.delete(added.id, account_id=DEMO_ACCOUNT)

    scim = catalogue().group("SCIM Provisioning").id
    provisioner = sdk(server, api_token=_account_token(server, scim))
    assert provisioner.accounts.members.create(
        account_id=DEMO_ACCOUNT, email="y@example.org", roles=[DNS_ROLE]
    )

    reader = sdk(server, api_token=DEMO_ACCOUNT_TOKEN)  # Account Settings Read
    assert len(list(reader.accounts.members.list(account_id=DEMO_ACCOUNT))) == 3
    with pytest.raises(cloudflare.PermissionDeniedError) as refused:
        reader.accounts.members.create(
            account_id=DEMO_ACCOUNT, email="z@example.org", roles=[DNS_ROLE]
        )
    assert refused.value.errors[0].code == 9109


def test_user_token_needs_a_write_group_even_for_a_super_administrator(
    server: RunningServer, http: httpx.Client
) -> None:
    # The demo user is a Super Administrator; their demo token holds only
    # Account Settings Read.
    r = http.post(
        f"/accounts/{DEMO_ACCOUNT}/members",
        json={"email": "x@example.org", "roles": [DNS_ROLE]},
        headers=bearer(DEMO_USER_TOKEN),
    )
    assert r.status_code == 403
    assert error_codes(r) == [9109]
    listed = http.get(
        f"/accounts/{DEMO_ACCOUNT}/members", headers=bearer(DEMO_USER_TOKEN)
    )
    assert listed.status_code == 200


def test_token_without_any_accepted_group_is_refused(
    server: RunningServer, http: httpx.Client
) -> None:
    dns_read = catalogue().group("DNS Read", "com.cloudflare.api.account.zone").id
    value = _account_token(server, dns_read)
    url = f"/accounts/{DEMO_ACCOUNT}/members"
    for method, path, body in [
        ("GET", "", None),
        ("GET", f"/{DEMO_MEMBER}", None),
        ("POST", "", {"email": "x@example.org", "roles": [DNS_ROLE]}),
        ("PUT", f"/{DEMO_MEMBER}", {"roles": [{"id": DNS_ROLE}]}),
        ("DELETE", f"/{DEMO_MEMBER}", None),
    ]:
        r = http.request(method, url + path, json=body, headers=bearer(value))
        assert r.status_code == 403, (method, path)
        assert error_codes(r) == [9109]
    assert member_count(server) == 2


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_removal_revokes_access_at_once(server: RunningServer, credential: str) -> None:
    someone = person(server, ADMINISTRATOR)
    client = _client(server, someone, credential)
    assert client.accounts.get(account_id=DEMO_ACCOUNT) is not None
    assert someone.member_id is not None
    boss = sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY)
    boss.accounts.members.delete(someone.member_id, account_id=DEMO_ACCOUNT)
    with pytest.raises(cloudflare.PermissionDeniedError) as refused:
        client.accounts.get(account_id=DEMO_ACCOUNT)
    assert refused.value.errors[0].code == 9109
    with pytest.raises(cloudflare.PermissionDeniedError):
        list(client.accounts.members.list(account_id=DEMO_ACCOUNT))


def test_role_change_takes_effect_at_once(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    someone = person(server, SUPER_ADMIN_ROLE)
    assert someone.member_id is not None
    client = sdk(server, **someone.key_credentials)
    client.accounts.members.create(
        account_id=DEMO_ACCOUNT, email="x@example.org", roles=[DNS_ROLE]
    )
    key_client.accounts.members.update(
        someone.member_id, account_id=DEMO_ACCOUNT, roles=[{"id": ADMINISTRATOR}]
    )
    with pytest.raises(cloudflare.PermissionDeniedError):
        client.accounts.members.create(
            account_id=DEMO_ACCOUNT, email="y@example.org", roles=[DNS_ROLE]
        )


def test_the_last_member_who_can_manage_members_cannot_be_removed(
    server: RunningServer, http: httpx.Client
) -> None:
    url = f"/accounts/{DEMO_ACCOUNT}/members/{DEMO_MEMBER}"
    for method, body in [("DELETE", None), ("PUT", {"roles": [{"id": ADMINISTRATOR}]})]:
        r = http.request(method, url, json=body, headers=key_headers())
        assert r.status_code == 409, r.text
        assert error_codes(r) == [1004]
        assert r.headers["x-should-retry"] == "false"
    assert member_count(server) == 2
    assert member_events(server) == []
    # With a second Super Administrator, the first may go.
    person(server, SUPER_ADMIN_ROLE)
    r = http.delete(url, headers=key_headers())
    assert r.status_code == 200
