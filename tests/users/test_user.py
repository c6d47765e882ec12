"""GET and PATCH /user: the caller's own user object."""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import orjson
import pytest
from sqlalchemy import select

from cfaccounts.storage import schema as s

from .. import factories
from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
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

KEY = {"api_email": DEMO_EMAIL, "api_key": DEMO_KEY}
USER_DETAILS_READ = "8acbe5bb0d54464ab867149d7f7cf8ac"
USER_DETAILS_WRITE = "55a5e17cc99e4a3fa1f3432d262f2e55"


def demo_token(server: RunningServer, *groups: str) -> str:
    value = factories.token_value()
    token = factories.token(value, factories.on_user(DEMO_USER_ID, *groups))
    server.seed(
        {"users": [{"id": DEMO_USER_ID, "email": DEMO_EMAIL, "tokens": [token]}]}
    )
    return value


def user_events(server: RunningServer) -> list[Any]:
    a = s.audit_logs.c
    with server.app.services.db.read() as conn:
        return list(
            conn.execute(
                select(s.audit_logs)
                .where(a.resource_type == "user", a.resource_id == DEMO_USER_ID)
                .order_by(a.seq)
            ).all()
        )


def test_user_details_with_the_global_key(server: RunningServer) -> None:
    user = sdk(server, **KEY).user.get()
    assert user is not None
    assert (user.id, user.email) == (DEMO_USER_ID, DEMO_EMAIL)
    assert (user.first_name, user.last_name) == ("John", "Appleseed")
    assert user.telephone is None and user.country is None and user.zipcode is None
    assert user.betas == [] and user.suspended is False
    assert user.has_pro_zones is False and user.has_enterprise_zones is False
    assert user.two_factor_authentication_enabled is False
    # The demo account requires two-factor authentication of its members.
    assert user.two_factor_authentication_locked is True
    assert user.organizations is not None
    (organization,) = user.organizations
    assert (organization.id, organization.name, organization.status) == (
        DEMO_ACCOUNT,
        "Demo Account",
        "member",
    )
    assert organization.roles == ["Super Administrator - All Privileges"]
    assert organization.permissions is not None
    assert "#organization:edit" in organization.permissions


async def test_async_client_reads_and_edits(server: RunningServer) -> None:
    async with async_sdk(server, **KEY) as client:
        edited = await client.user.edit(first_name="Jane", zipcode="94107")
        fetched = await client.user.get()
    assert edited is not None and edited.first_name == "Jane"
    assert fetched is not None and (fetched.first_name, fetched.zipcode) == (
        "Jane",
        "94107",
    )


def test_a_user_of_no_enforcing_account_is_not_locked(server: RunningServer) -> None:
    loner = factories.user(api_key=factories.api_key(), suspended=False)
    server.seed({"users": [loner]})
    user = sdk(server, api_email=loner["email"], api_key=loner["api_key"]).user.get()
    assert user is not None
    assert user.two_factor_authentication_locked is False
    assert user.organizations == []


def test_edit_sets_and_clears_fields_and_records_it(server: RunningServer) -> None:
    client = sdk(server, **KEY)
    edited = client.user.edit(
        country="US", telephone="+1 555 0100", zipcode="12345", last_name=None
    )
    assert edited is not None
    assert (edited.country, edited.telephone, edited.zipcode) == (
        "US",
        "+1 555 0100",
        "12345",
    )
    assert edited.last_name is None and edited.first_name == "John"
    fetched = client.user.get()
    assert fetched is not None and fetched.model_dump() == edited.model_dump()
    (event,) = user_events(server)
    assert event.action_type == "update"
    assert orjson.loads(event.before) == {
        "country": None,
        "telephone": None,
        "zipcode": None,
        "last_name": "Appleseed",
    }
    assert orjson.loads(event.after)["country"] == "US"


def test_an_empty_edit_changes_and_records_nothing(http: httpx.Client) -> None:
    r = http.patch("/user", json={}, headers=key_headers())
    assert r.status_code == 200 and r.json()["result"]["first_name"] == "John"


def test_values_at_the_length_limits_are_accepted(http: httpx.Client) -> None:
    body = {
        "country": "c" * 30,
        "first_name": "f" * 60,
        "last_name": "l" * 60,
        "telephone": "1" * 20,
        "zipcode": "z" * 20,
    }
    r = http.patch("/user", json=body, headers=key_headers())
    assert r.status_code == 200
    assert {k: r.json()["result"][k] for k in body} == body


BAD_EDITS = [
    ({"country": "c" * 31}, "country"),
    ({"first_name": "f" * 61}, "first_name"),
    ({"last_name": "l" * 61}, "last_name"),
    ({"telephone": "1" * 21}, "telephone"),
    ({"zipcode": "z" * 21}, "zipcode"),
    ({"first_name": 7}, "first_name"),
    ({"zipcode": ["1"]}, "zipcode"),
    ({"email": "new@example.com"}, "email"),
    ({"first_name": "ok", "suspended": True}, "suspended"),
]


@pytest.mark.parametrize(("body", "field"), BAD_EDITS)
def test_bad_edits_are_400_and_change_nothing(
    server: RunningServer, http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    before = http.get("/user", headers=key_headers()).json()["result"]
    r = http.patch("/user", json=body, headers=key_headers())
    assert (r.status_code, error_codes(r)) == (400, [1001])
    assert field in r.json()["errors"][0]["message"]
    assert http.get("/user", headers=key_headers()).json()["result"] == before
    assert user_events(server) == []


def test_sdk_surfaces_a_bad_edit(server: RunningServer) -> None:
    with sdk(server, **KEY) as client, pytest.raises(cloudflare.BadRequestError) as bad:
        client.user.edit(telephone="1" * 21)
    assert bad.value.errors[0].code == 1001


def test_a_body_that_is_not_an_object_is_400(http: httpx.Client) -> None:
    r = http.patch("/user", json=["first_name"], headers=key_headers())
    assert (r.status_code, error_codes(r)) == (400, [1001])


def test_account_token_is_not_user_level(http: httpx.Client) -> None:
    for method in ("GET", "PATCH"):
        r = http.request(
            method,
            "/user",
            json={"first_name": "X"} if method == "PATCH" else None,
            headers=bearer(DEMO_ACCOUNT_TOKEN),
        )
        assert (r.status_code, error_codes(r)) == (403, [9109])
        assert r.json()["errors"][0]["message"] == (
            "Valid user-level authentication not found"
        )


def test_token_without_user_groups_is_refused(server: RunningServer) -> None:
    with sdk(server, api_token=DEMO_USER_TOKEN) as client:
        with pytest.raises(cloudflare.PermissionDeniedError) as refused:
            client.user.get()
        assert refused.value.errors[0].code == 9109
        with pytest.raises(cloudflare.PermissionDeniedError):
            client.user.edit(first_name="No")


def test_user_details_read_reads_but_does_not_edit(server: RunningServer) -> None:
    with sdk(server, api_token=demo_token(server, USER_DETAILS_READ)) as client:
        user = client.user.get()
        assert user is not None and user.email == DEMO_EMAIL
        with pytest.raises(cloudflare.PermissionDeniedError):
            client.user.edit(first_name="No")
        assert user_events(server) == []


def test_user_details_write_reads_and_edits(server: RunningServer) -> None:
    client = sdk(server, api_token=demo_token(server, USER_DETAILS_WRITE))
    edited = client.user.edit(first_name="Token")
    assert edited is not None and edited.first_name == "Token"
    fetched = client.user.get()
    assert fetched is not None and fetched.first_name == "Token"
    (event,) = user_events(server)
    assert event.actor_token_id is not None


def test_edit_survives_into_another_server(server: RunningServer) -> None:
    sdk(server, **KEY).user.edit(country="NZ")
    second = RunningServer(server.settings).start()
    try:
        user = sdk(second, **KEY).user.get()
        assert user is not None and user.country == "NZ"
    finally:
        second.stop()
