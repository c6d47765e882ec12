"""GET /accounts/{account_id}/logs/audit (Audit Logs v2): cursor paging through the
official SDK, the array filters and their ``.not`` forms, the time window, limits and
who may read it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import cloudflare
import httpx
import pytest

from cfaccounts.auth.principal import Principal, TokenGrant

from .. import factories as f
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
from .helpers import V2, WINDOW, fabricate, token_holder


def _key_client(server: RunningServer) -> cloudflare.Cloudflare:
    return sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY)


def _get(http: httpx.Client, params: Any, **kw: Any) -> httpx.Response:
    return http.get(V2, params=params, headers=kw.pop("headers", key_headers()), **kw)


def _all(http: httpx.Client, extra: Any = ()) -> list[dict[str, Any]]:
    r = _get(http, [*WINDOW.items(), ("limit", "1000"), *extra])
    assert r.status_code == 200, r.text
    return list(r.json()["result"])


# --- paging ---------------------------------------------------------------------------


def test_sync_sdk_follows_the_cursor_to_the_last_page(server: RunningServer) -> None:
    rays = fabricate(server, 25)
    pager = _key_client(server).accounts.logs.audit.list(
        account_id=DEMO_ACCOUNT, limit=7, **WINDOW
    )
    pages = list(pager.iter_pages())
    assert [len(p.result) for p in pages] == [7, 7, 7, 4]
    seen = [e.raw.cf_rayid for p in pages for e in p.result if e.raw]
    assert seen == rays[::-1]  # newest first by default
    last = pages[-1].result_info
    assert last is None or last.cursors is None or not last.cursors.after


async def test_async_sdk_follows_the_cursor_in_ascending_order(
    server: RunningServer,
) -> None:
    rays = fabricate(server, 12)
    async with async_sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client:
        seen = [
            e.raw.cf_rayid
            async for e in client.accounts.logs.audit.list(
                account_id=DEMO_ACCOUNT, limit=5, direction="asc", **WINDOW
            )
            if e.raw
        ]
    assert seen == rays


def test_both_cursor_keys_are_sent_until_the_last_page(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 3)
    first = _get(http, {**WINDOW, "limit": 2}).json()
    info = first["result_info"]
    assert info["count"] == "2"  # a string, as the v2 schema types it
    assert info["cursor"] and info["cursors"] == {"after": info["cursor"]}
    last = _get(http, {**WINDOW, "limit": 2, "cursor": info["cursor"]}).json()
    assert last["result_info"] == {"count": "1"}
    assert len(last["result"]) == 1


def test_limit_defaults_to_100_and_reaches_1000(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 1050, account_name="Demo Account")
    assert len(_get(http, WINDOW).json()["result"]) == 100
    big = _get(http, {**WINDOW, "limit": "1000.0"}).json()
    assert len(big["result"]) == 1000
    rest = _get(http, {**WINDOW, "limit": 1000, "cursor": big["result_info"]["cursor"]})
    assert len(rest.json()["result"]) == 50


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "abc", "2.5", "nan"])
def test_limit_out_of_bounds_is_refused(
    server: RunningServer, http: httpx.Client, limit: str
) -> None:
    r = _get(http, {**WINDOW, "limit": limit})
    assert r.status_code == 400 and error_codes(r) == [1001]
    assert "limit" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize("cursor", ["junk", "eyJ4IjoxfQ", "e30", "!!!!"])
def test_a_cursor_the_server_did_not_make_is_refused(
    server: RunningServer, http: httpx.Client, cursor: str
) -> None:
    r = _get(http, {**WINDOW, "cursor": cursor})
    assert r.status_code == 400 and error_codes(r) == [1001]
    assert "cursor" in r.json()["errors"][0]["message"]


def test_a_cursor_is_bound_to_its_direction(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 3)
    cursor = _get(http, {**WINDOW, "limit": 1}).json()["result_info"]["cursor"]
    r = _get(http, {**WINDOW, "limit": 1, "cursor": cursor, "direction": "asc"})
    assert r.status_code == 400 and error_codes(r) == [1001]


def test_direction_must_be_asc_or_desc(
    server: RunningServer, http: httpx.Client
) -> None:
    r = _get(http, {**WINDOW, "direction": "up"})
    assert r.status_code == 400 and "direction" in r.json()["errors"][0]["message"]


# --- the time window ------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["since", "before"])
def test_since_and_before_are_required(
    server: RunningServer, http: httpx.Client, missing: str
) -> None:
    params = {k: v for k, v in WINDOW.items() if k != missing}
    r = _get(http, params)
    assert r.status_code == 400 and error_codes(r) == [1001]
    assert missing in r.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2024-13-01",
        "2024-02-30",
        "1714150000",
        "2024-01-01T25:00Z",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+05:00",
    ],
)
def test_a_time_that_is_not_a_date_or_rfc3339_is_refused(
    server: RunningServer, http: httpx.Client, value: str
) -> None:
    r = _get(http, {"since": value, "before": WINDOW["before"]})
    assert r.status_code == 400 and "since" in r.json()["errors"][0]["message"]


def test_since_must_come_before_before(
    server: RunningServer, http: httpx.Client
) -> None:
    r = _get(http, {"since": "2024-05-02", "before": "2024-05-01"})
    assert r.status_code == 400 and error_codes(r) == [1001]


def test_since_is_inclusive_and_before_exclusive(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 3)
    events = _all(http, [("direction", "asc")])
    middle = events[1]["action"]["time"]
    after = _get(
        http, {"since": middle, "before": WINDOW["before"], "direction": "asc"}
    )
    assert [e["id"] for e in after.json()["result"]] == [e["id"] for e in events[1:]]
    until = _get(http, {"since": WINDOW["since"], "before": middle})
    assert [e["id"] for e in until.json()["result"]] == [events[0]["id"]]


def test_dates_are_read_as_midnight_utc(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 2)
    today = datetime.now(UTC).date()
    tomorrow = today + timedelta(days=1)
    whole_day = _get(http, {"since": str(today), "before": str(tomorrow)})
    assert len(whole_day.json()["result"]) == 2
    before_today = _get(http, {"since": "2000-01-01", "before": str(today)})
    assert before_today.json()["result"] == []


def test_times_with_an_offset_are_converted_to_utc(
    server: RunningServer, http: httpx.Client
) -> None:
    fabricate(server, 1)
    now = datetime.now(UTC)
    east = timezone_shifted(now + timedelta(minutes=1), hours=5)
    r = _get(
        http, {"since": timezone_shifted(now - timedelta(minutes=5), 5), "before": east}
    )
    assert len(r.json()["result"]) == 1
    r = _get(http, {"since": east, "before": "2100-01-01"})
    assert r.json()["result"] == []


def timezone_shifted(moment: datetime, hours: int) -> str:
    from datetime import timezone

    return moment.astimezone(timezone(timedelta(hours=hours))).isoformat()


def test_the_sdk_sends_dates_as_it_is_given_them(server: RunningServer) -> None:
    fabricate(server, 2)
    today = datetime.now(UTC).date()
    events = list(
        _key_client(server).accounts.logs.audit.list(
            account_id=DEMO_ACCOUNT, since=today, before=today + timedelta(days=1)
        )
    )
    assert len(events) == 2


# --- filters --------------------------------------------------------------------------


def _token_principal(kind: str, name: str) -> Principal:
    grant = TokenGrant(
        id=f.new_id(),
        name=name,
        kind="account" if kind == "account_token" else "user",
        user_id=None if kind == "account_token" else DEMO_USER_ID,
        account_id=DEMO_ACCOUNT if kind == "account_token" else None,
        status="active",
        policies=[],
        condition=None,
        not_before=None,
        expires_on=None,
    )
    if kind == "account_token":
        return Principal("account_token", None, None, grant)
    return Principal("user_token", DEMO_USER_ID, DEMO_EMAIL, grant)


@pytest.fixture
def varied(server: RunningServer) -> None:
    """Events that differ in every filtered field."""
    fabricate(server, 2)  # global key, PUT /accounts/..., update
    fabricate(
        server,
        2,
        action_type="create",
        description="Add member",
        resource_type="member",
        product="members",
        method="POST",
        uri=f"/accounts/{DEMO_ACCOUNT}/members",
        client_ip="2001:db8::7",
        principal=_token_principal("user_token", "ci token"),
    )
    fabricate(
        server,
        1,
        action_type="delete",
        description="Delete account API token",
        resource_type="account.token",
        product="api_tokens",
        method="DELETE",
        uri=f"/accounts/{DEMO_ACCOUNT}/tokens/{'a' * 32}",
        client_ip="198.51.100.4",
        principal=_token_principal("account_token", "automation"),
    )
    fabricate(
        server,
        1,
        action_type="delete",
        description="Leave account",
        resource_type="member",
        product="members",
        method="DELETE",
        uri=f"/memberships/{'b' * 32}",
    )


Field = Callable[[dict[str, Any]], Any]

FILTERS: dict[str, Field] = {
    "id": lambda e: e["id"],
    "account_name": lambda e: e["account"].get("name"),
    "action_result": lambda e: e["action"]["result"],
    "action_type": lambda e: e["action"]["type"],
    "actor_context": lambda e: e["actor"]["context"],
    "actor_email": lambda e: e["actor"].get("email"),
    "actor_id": lambda e: e["actor"].get("id"),
    "actor_ip_address": lambda e: e["actor"].get("ip_address"),
    "actor_token_id": lambda e: e["actor"].get("token_id"),
    "actor_token_name": lambda e: e["actor"].get("token_name"),
    "actor_type": lambda e: e["actor"]["type"],
    "raw_cf_ray_id": lambda e: e["raw"]["cf_ray_id"],
    "raw_method": lambda e: e["raw"]["method"],
    "raw_status_code": lambda e: e["raw"]["status_code"],
    "raw_uri": lambda e: e["raw"]["uri"],
    "resource_id": lambda e: e["resource"].get("id"),
    "resource_product": lambda e: e["resource"]["product"],
    "resource_type": lambda e: e["resource"]["type"],
    "resource_scope": lambda e: e["resource"]["scope"]["type"],
}


def _ids(events: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in events]


@pytest.mark.usefixtures("varied")
@pytest.mark.parametrize("name", FILTERS)
def test_each_filter_keeps_matching_events_and_not_excludes_them(
    http: httpx.Client, name: str
) -> None:
    field = FILTERS[name]
    events = _all(http)
    values = [v for v in dict.fromkeys(field(e) for e in events) if v is not None]
    assert values, f"no event has a {name}"
    first = values[0]
    want = [e for e in events if field(e) == first]
    assert _ids(_all(http, [(name, str(first))])) == _ids(want)
    unwanted = [e for e in events if field(e) != first]
    assert _ids(_all(http, [(name + ".not", str(first))])) == _ids(unwanted)
    if len(values) > 1:  # a repeated key matches any of its values
        both = [e for e in events if field(e) in values[:2]]
        repeated = [(name, str(values[0])), (name, str(values[1]))]
        assert _ids(_all(http, repeated)) == _ids(both)
        assert _ids(_all(http, [(f"{name}.not", str(v)) for v in values[:2]])) == [
            e["id"] for e in events if field(e) not in values[:2]
        ]


@pytest.mark.usefixtures("varied")
def test_filters_on_different_keys_must_all_hold(http: httpx.Client) -> None:
    events = _all(http)
    want = [
        e
        for e in events
        if e["action"]["type"] == "delete" and e["resource"]["product"] == "members"
    ]
    got = _all(http, [("action_type", "delete"), ("resource_product", "members")])
    assert len(want) == 1 and _ids(got) == _ids(want)


@pytest.mark.usefixtures("varied")
def test_email_and_method_filters_ignore_case(http: httpx.Client) -> None:
    assert _ids(_all(http, [("actor_email", DEMO_EMAIL.upper())])) == _ids(
        _all(http, [("actor_email", DEMO_EMAIL)])
    )
    assert len(_all(http, [("raw_method", "delete")])) == 2


@pytest.mark.usefixtures("varied")
def test_zone_filters_match_nothing_and_their_not_forms_everything(
    http: httpx.Client,
) -> None:
    everything = _ids(_all(http))
    assert _all(http, [("zone_id", "a" * 32)]) == []
    assert _all(http, [("zone_name", "example.com")]) == []
    assert _ids(_all(http, [("zone_name.not", "example.com")])) == everything


@pytest.mark.usefixtures("varied")
def test_the_sdk_sends_not_filters(server: RunningServer) -> None:
    client = _key_client(server)
    events = list(
        client.accounts.logs.audit.list(
            account_id=DEMO_ACCOUNT,
            action_type={"not": ["update", "create"]},
            actor_type={"not": ["account"]},
            **WINDOW,
        )
    )
    assert [(e.action.type, e.actor.type) for e in events if e.action and e.actor] == [
        ("delete", "user")
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("action_type", "rename"),
        ("action_result", "ok"),
        ("actor_context", "ssh"),
        ("actor_type", "robot"),
        ("resource_scope", "planets"),
        ("raw_status_code", "abc"),
        ("raw_status_code.not", "2000"),
        ("actor_ip_address", "not-an-ip"),
        ("action_type.not", "rename"),
    ],
)
def test_a_filter_value_outside_its_set_is_refused(
    server: RunningServer, http: httpx.Client, name: str, value: str
) -> None:
    r = _get(http, {**WINDOW, name: value})
    assert r.status_code == 400 and error_codes(r) == [1001]
    assert name in r.json()["errors"][0]["message"]


# --- who may read ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "credentials",
    [
        {"api_token": DEMO_USER_TOKEN},
        {"api_token": DEMO_ACCOUNT_TOKEN},
        {"api_email": DEMO_EMAIL, "api_key": DEMO_KEY},
    ],
    ids=["user token", "account token", "global key"],
)
def test_account_settings_read_is_enough(
    server: RunningServer, credentials: dict[str, str]
) -> None:
    fabricate(server, 1)
    events = list(
        sdk(server, **credentials).accounts.logs.audit.list(
            account_id=DEMO_ACCOUNT, **WINDOW
        )
    )
    assert len(events) == 1


def test_a_token_without_the_groups_is_refused(
    server: RunningServer, http: httpx.Client
) -> None:
    _, value = token_holder(server, "Billing Read", "Account API Tokens Read")
    client = sdk(server, api_token=value)
    with pytest.raises(cloudflare.PermissionDeniedError):
        list(client.accounts.logs.audit.list(account_id=DEMO_ACCOUNT, **WINDOW))
    r = _get(http, WINDOW, headers=bearer(value))
    assert r.status_code == 403 and error_codes(r) == [9109]


def test_another_accounts_events_are_not_shown(
    server: RunningServer, http: httpx.Client
) -> None:
    other = f.account("Other Account")
    server.seed({"accounts": [other]})
    fabricate(server, 2, account_id=other["id"])
    fabricate(server, 1)
    assert len(_all(http)) == 1
    r = http.get(
        f"/accounts/{other['id']}/logs/audit", params=WINDOW, headers=key_headers()
    )
    assert r.status_code == 403 and error_codes(r) == [9109]


def test_failures_use_the_common_envelope_which_the_v2_schema_accepts(
    server: RunningServer, http: httpx.Client
) -> None:
    body = _get(http, {"since": "x", "before": "y"}).json()
    # The v2 failure schema requires success=false and errors[].message; the common
    # envelope's code, messages and result are extra keys it allows.
    assert body["success"] is False and body["result"] is None
    assert all(isinstance(e["message"], str) and e["code"] for e in body["errors"])


@pytest.mark.usefixtures("varied")
def test_the_sdk_sends_positive_filters_as_extra_query(server: RunningServer) -> None:
    events = list(
        _key_client(server).accounts.logs.audit.list(
            account_id=DEMO_ACCOUNT,
            extra_query={"action_type": ["create", "delete"]},
            **WINDOW,
        )
    )
    assert sorted(e.action.type for e in events if e.action) == [
        "create",
        "create",
        "delete",
        "delete",
    ]
