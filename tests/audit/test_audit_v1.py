"""GET /accounts/{account_id}/audit_logs (the v1 audit log): page-numbered paging
through the official SDK, the item shape, its filters and who may read it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import cloudflare
import httpx
import orjson
import pytest

from cfaccounts.auth.principal import Principal, TokenGrant

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
from .helpers import V1, fabricate, token_holder


def _key_client(server: RunningServer) -> cloudflare.Cloudflare:
    return sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY)


def _get(http: httpx.Client, params: Any, **kw: Any) -> httpx.Response:
    return http.get(V1, params=params, headers=kw.pop("headers", key_headers()), **kw)


def _ids(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return [e["id"] for e in r.json()["result"]]


def test_sync_sdk_reads_every_page_until_an_empty_one(server: RunningServer) -> None:
    rays = fabricate(server, 25)
    pager = _key_client(server).audit_logs.list(account_id=DEMO_ACCOUNT, per_page=10)
    pages = list(pager.iter_pages())
    assert [len(p.result) for p in pages] == [10, 10, 5, 0]
    seen = [e.metadata["cf_ray_id"] for p in pages for e in p.result]  # type: ignore[index]
    assert seen == rays[::-1]


async def test_async_sdk_reads_every_page_oldest_first(server: RunningServer) -> None:
    rays = fabricate(server, 7)
    async with async_sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client:
        seen = [
            e.metadata["cf_ray_id"]  # type: ignore[index]
            async for e in client.audit_logs.list(
                account_id=DEMO_ACCOUNT, per_page=3, direction="asc"
            )
        ]
    assert seen == rays


def test_an_item_has_the_v1_shape(server: RunningServer) -> None:
    fabricate(server, 1)
    [event] = list(_key_client(server).audit_logs.list(account_id=DEMO_ACCOUNT))
    assert event.id is not None and uuid.UUID(event.id)
    assert event.action is not None and event.action.result is True
    assert event.action.type == "update"
    assert event.actor is not None and event.actor.type == "user"
    assert (event.actor.id, event.actor.email) == (DEMO_USER_ID, DEMO_EMAIL)
    assert event.actor.ip == "192.0.2.10"
    assert event.interface == "API"
    assert event.owner is not None and event.owner.id == DEMO_ACCOUNT
    assert event.resource is not None and event.resource.type == "account"
    assert event.when is not None and event.when.tzinfo is not None
    assert event.new_value is not None and orjson.loads(event.new_value) == {"n": 0}
    assert event.old_value is None
    assert event.model_extra is not None and event.model_extra["newValueJson"] == {
        "n": 0
    }


def test_page_past_the_end_is_empty_and_counts_are_right(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 5)
    body = _get(http, {"per_page": 2, "page": 3}).json()
    assert len(body["result"]) == 1
    assert body["result_info"] == {
        "page": 3,
        "per_page": 2,
        "count": 1,
        "total_count": 5,
        "total_pages": 3,
    }
    assert _get(http, {"per_page": 2, "page": 4}).json()["result"] == []


def test_per_page_defaults_to_100_and_allows_1_to_1000(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 101, account_name="Demo Account")
    assert len(_ids(_get(http, {}))) == 100
    assert len(_ids(_get(http, {"per_page": "1.0"}))) == 1
    assert len(_ids(_get(http, {"per_page": 1000}))) == 101
    for bad in ("0", "1001", "x"):
        r = _get(http, {"per_page": bad})
        assert r.status_code == 400 and "per_page" in r.json()["errors"][0]["message"]


def test_id_filter_takes_the_uuid_form_or_the_plain_one(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 3)
    shown = _ids(_get(http, {}))[1]
    assert _ids(_get(http, {"id": shown})) == [shown]
    assert _ids(_get(http, {"id": shown.replace("-", "")})) == [shown]


def _token_user() -> Principal:
    grant = TokenGrant(
        id="e" * 32,
        name="ci",
        kind="user",
        user_id=DEMO_USER_ID,
        account_id=None,
        status="active",
        policies=[],
        condition=None,
        not_before=None,
        expires_on=None,
    )
    return Principal("user_token", DEMO_USER_ID, DEMO_EMAIL, grant)


@pytest.fixture
def varied(server: RunningServer) -> None:
    fabricate(server, 2)
    fabricate(server, 1, action_type="create", client_ip="198.51.100.7")
    fabricate(
        server,
        1,
        action_type="delete",
        client_ip="198.51.100.200",
        uri=f"/memberships/{'b' * 32}",
        principal=_token_user(),
    )
    fabricate(
        server,
        1,
        client_ip="2001:db8::1",
        principal=Principal("api_key", "c" * 32, "other@example.com"),
    )


@pytest.mark.usefixtures("varied")
@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"action.type": "create"}, 1),
        ({"action.type": "update"}, 3),
        ({"actor.email": "OTHER@example.com"}, 1),
        ({"actor.email": DEMO_EMAIL}, 4),
        ({"actor.ip": "198.51.100.7"}, 1),
        ({"actor.ip": "198.51.100.0/25"}, 1),
        ({"actor.ip": "198.51.100.0/24"}, 2),
        ({"actor.ip": "2001:db8::/32"}, 1),
        ({"actor.ip": "198.51.100.7/32"}, 1),
        ({"actor.ip": "198.0.0.0/8"}, 2),
        ({"actor.ip": "192.0.2.10/31"}, 2),
        ({"actor.ip": "198.51.96.0/20"}, 2),
        ({"actor.ip": "10.0.0.0/8"}, 0),
        ({"actor.ip": "0.0.0.0/0"}, 4),  # every IPv4 address, not the IPv6 one
        ({"actor.ip": "192.0.2.10"}, 2),
        ({"hide_user_logs": "true"}, 4),
        ({"hide_user_logs": "false"}, 5),
        ({"zone.name": "example.com"}, 0),
        ({"export": "true"}, 5),
        ({"actor.ip": "198.51.100.0/24", "per_page": 1}, 1),
    ],
)
def test_filters(http: httpx.Client, params: dict[str, Any], count: int) -> None:
    r = _get(http, params)
    assert len(_ids(r)) == count
    if "per_page" not in params:
        assert r.json()["result_info"]["total_count"] == count


@pytest.mark.usefixtures("varied")
def test_cidr_filter_counts_every_match_across_pages(http: httpx.Client) -> None:
    r = _get(http, {"actor.ip": "198.51.100.0/24", "per_page": 1, "page": 2})
    assert r.json()["result_info"]["total_count"] == 2
    assert len(_ids(r)) == 1


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"actor.ip": "198.51.100.0/33"}, "actor.ip"),
        ({"actor.ip": "host"}, "actor.ip"),
        ({"hide_user_logs": "maybe"}, "hide_user_logs"),
        ({"since": "soon"}, "since"),
        ({"direction": "sideways"}, "direction"),
    ],
)
def test_bad_parameters_are_named(
    server: RunningServer, http: httpx.Client, params: dict[str, str], named: str
) -> None:
    r = _get(http, params)
    assert r.status_code == 400 and error_codes(r) == [1001]
    assert named in r.json()["errors"][0]["message"]


def test_time_window_is_optional_and_filters_when_given(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 2)
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    assert len(_ids(_get(http, {"before": str(tomorrow)}))) == 2
    assert _ids(_get(http, {"since": str(tomorrow)})) == []
    client = _key_client(server)
    assert (
        len(list(client.audit_logs.list(account_id=DEMO_ACCOUNT, before=tomorrow))) == 2
    )


def test_an_account_token_actor_has_no_v1_type(
    server: RunningServer, http: httpx.Client
) -> None:
    grant = TokenGrant(
        id="f" * 32,
        name="automation",
        kind="account",
        user_id=None,
        account_id=DEMO_ACCOUNT,
        status="active",
        policies=[],
        condition=None,
        not_before=None,
        expires_on=None,
    )
    fabricate(server, 1, principal=Principal("account_token", None, None, grant))
    [event] = list(_key_client(server).audit_logs.list(account_id=DEMO_ACCOUNT))
    assert event.actor is not None and event.actor.type is None
    assert event.actor.id == DEMO_ACCOUNT and event.actor.email is None


def test_account_settings_read_may_read_and_others_may_not(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 1)
    reader = sdk(server, api_token=DEMO_USER_TOKEN)
    assert len(list(reader.audit_logs.list(account_id=DEMO_ACCOUNT))) == 1
    _, value = token_holder(server, "Billing Write")
    with pytest.raises(cloudflare.PermissionDeniedError):
        sdk(server, api_token=value).audit_logs.list(account_id=DEMO_ACCOUNT)
    r = _get(http, {}, headers=bearer(value))
    assert r.status_code == 403 and error_codes(r) == [9109]
