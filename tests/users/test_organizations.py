"""The legacy /user/organizations: the user's memberships shown as organizations
(an organization is an account; ``member`` is accepted, ``invited`` is pending)."""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import pytest

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

# The SDK marks every user.organizations method deprecated, as the API does.
pytestmark = pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")

KEY = {"api_email": DEMO_EMAIL, "api_key": DEMO_KEY}
ADMINISTRATOR_ROLE = "05784afa30c1afe1440e79d9351c7430"
MEMBERSHIPS_READ = "3518d0f75557482e952c6762d3e64903"
MEMBERSHIPS_WRITE = "9201bc6f42d440968aaab0c6f17ebb1d"


def join(server: RunningServer, name: str, status: str = "pending") -> str:
    """An account the demo user is invited to (or a member of); returns its id."""
    account = factories.account(
        name, members=[factories.member(DEMO_EMAIL, ADMINISTRATOR_ROLE, status=status)]
    )
    server.seed({"accounts": [account]})
    return str(account["id"])


def test_organizations_list_memberships_as_member_or_invited(
    server: RunningServer,
) -> None:
    invited = join(server, "Invited Org")
    organizations = list(sdk(server, **KEY).user.organizations.list())
    assert [(o.id, o.name, o.status) for o in organizations] == [
        (DEMO_ACCOUNT, "Demo Account", "member"),
        (invited, "Invited Org", "invited"),
    ]
    demo = organizations[0]
    assert demo.roles == ["Super Administrator - All Privileges"]
    assert demo.permissions is not None
    assert {"#organization:read", "#organization:edit"} <= set(demo.permissions)
    assert demo.permissions == sorted(demo.permissions)


async def test_async_client_lists_reads_and_leaves(server: RunningServer) -> None:
    invited = join(server, "Async Org")
    async with async_sdk(server, **KEY) as client:
        names = [o.name async for o in client.user.organizations.list(per_page=5)]
        detail: Any = await client.user.organizations.get(invited)
        left = await client.user.organizations.delete(invited)
        after = [o.id async for o in client.user.organizations.list()]
    assert names == ["Async Org", "Demo Account"]
    assert detail["id"] == invited and detail["status"] == "invited"
    assert left.id == invited
    assert after == [DEMO_ACCOUNT]


def test_filters_match_and_order(server: RunningServer) -> None:
    join(server, "Beta Invited")
    join(server, "Gamma Member", status="accepted")
    orgs = sdk(server, **KEY).user.organizations

    def names(**params: Any) -> list[str | None]:
        return [o.name for o in orgs.list(**params)]

    assert names(status="invited") == ["Beta Invited"]
    assert names(status="member") == ["Demo Account", "Gamma Member"]
    assert names(name="gamma") == ["Gamma Member"]
    assert names(name="gamma", status="invited") == []
    assert names(name="gamma", status="invited", match="all") == []
    assert names(name="gamma", status="invited", match="any") == [
        "Beta Invited",
        "Gamma Member",
    ]
    assert names(direction="desc") == ["Gamma Member", "Demo Account", "Beta Invited"]
    assert [o.status for o in orgs.list(order="status")] == [
        "member",
        "member",
        "invited",
    ]
    ids = [o.id for o in orgs.list(order="id")]
    assert ids == sorted(ids)


def test_paging_reaches_an_empty_page(
    server: RunningServer, http: httpx.Client
) -> None:
    for i in range(5):
        join(server, f"Org {i}")
    listed = [o.name for o in sdk(server, **KEY).user.organizations.list(per_page=5)]
    assert listed == ["Demo Account", *(f"Org {i}" for i in range(5))]
    past = http.get("/user/organizations?per_page=5&page=3", headers=key_headers())
    assert past.status_code == 200 and past.json()["result"] == []


@pytest.mark.parametrize(
    "query", ["status=accepted", "match=some", "order=email", "per_page=3"]
)
def test_bad_list_parameters_are_400(http: httpx.Client, query: str) -> None:
    r = http.get(f"/user/organizations?{query}", headers=key_headers())
    assert (r.status_code, error_codes(r)) == (400, [1001])
    assert query.split("=")[0] in r.json()["errors"][0]["message"]


def test_details_of_an_organization(server: RunningServer) -> None:
    detail: Any = sdk(server, **KEY).user.organizations.get(DEMO_ACCOUNT)
    assert detail["id"] == DEMO_ACCOUNT and detail["name"] == "Demo Account"
    assert detail["status"] == "member"


def test_an_organization_that_is_not_the_users_is_refused(
    server: RunningServer, http: httpx.Client
) -> None:
    foreign = factories.account("Foreign")
    server.seed({"accounts": [foreign]})
    for org in (foreign["id"], "0" * 32):
        for method in ("GET", "DELETE"):
            r = http.request(
                method, f"/user/organizations/{org}", headers=key_headers()
            )
            assert (r.status_code, error_codes(r)) == (403, [9109])


def test_leaving_answers_the_bare_id_without_an_envelope(
    server: RunningServer, http: httpx.Client
) -> None:
    r = http.delete(
        f"/user/organizations/{DEMO_ACCOUNT}",
        headers=key_headers(VIEWER_EMAIL, VIEWER_KEY),
    )
    assert r.status_code == 200
    assert r.json() == {"id": DEMO_ACCOUNT}
    with sdk(server, api_email=VIEWER_EMAIL, api_key=VIEWER_KEY) as viewer:
        assert list(viewer.user.organizations.list()) == []
        with pytest.raises(cloudflare.PermissionDeniedError):
            viewer.accounts.get(account_id=DEMO_ACCOUNT)


def test_sdk_leave_returns_the_id(server: RunningServer) -> None:
    viewer = sdk(server, api_email=VIEWER_EMAIL, api_key=VIEWER_KEY)
    left = viewer.user.organizations.delete(DEMO_ACCOUNT)
    assert left.id == DEMO_ACCOUNT


def test_the_last_manager_cannot_leave(
    server: RunningServer, http: httpx.Client
) -> None:
    r = http.delete(f"/user/organizations/{DEMO_ACCOUNT}", headers=key_headers())
    assert (r.status_code, error_codes(r)) == (409, [1004])
    assert r.headers["x-should-retry"] == "false"
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
    r = http.delete(f"/user/organizations/{DEMO_ACCOUNT}", headers=key_headers())
    assert r.status_code == 200 and r.json() == {"id": DEMO_ACCOUNT}


def test_account_token_is_not_user_level(http: httpx.Client) -> None:
    for method, path in [
        ("GET", "/user/organizations"),
        ("GET", f"/user/organizations/{DEMO_ACCOUNT}"),
        ("DELETE", f"/user/organizations/{DEMO_ACCOUNT}"),
    ]:
        r = http.request(method, path, headers=bearer(DEMO_ACCOUNT_TOKEN))
        assert (r.status_code, error_codes(r)) == (403, [9109])


def test_tokens_need_the_memberships_groups(
    server: RunningServer, http: httpx.Client
) -> None:
    for method, path in [
        ("GET", "/user/organizations"),
        ("GET", f"/user/organizations/{DEMO_ACCOUNT}"),
        ("DELETE", f"/user/organizations/{DEMO_ACCOUNT}"),
    ]:
        r = http.request(method, path, headers=bearer(DEMO_USER_TOKEN))
        assert (r.status_code, error_codes(r)) == (403, [9109])
    read, write = factories.token_value(), factories.token_value()
    server.seed(
        {
            "users": [
                {
                    "id": DEMO_USER_ID,
                    "email": DEMO_EMAIL,
                    "tokens": [
                        factories.token(
                            read, factories.on_user(DEMO_USER_ID, MEMBERSHIPS_READ)
                        ),
                        factories.token(
                            write, factories.on_user(DEMO_USER_ID, MEMBERSHIPS_WRITE)
                        ),
                    ],
                }
            ]
        }
    )
    invited = join(server, "Token Org")
    with sdk(server, api_token=read) as client:
        reader = client.user.organizations
        assert [o.id for o in reader.list()] == [DEMO_ACCOUNT, invited]
        assert reader.get(invited) is not None
        with pytest.raises(cloudflare.PermissionDeniedError):
            reader.delete(invited)
        left = sdk(server, api_token=write).user.organizations.delete(invited)
        assert left.id == invited
