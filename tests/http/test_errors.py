"""The error table: each failure answers with the real API's status, code and message,
inside the envelope, with the real API's headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from .. import factories as f
from ..conftest import (
    ACCOUNT_SETTINGS_READ,
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_TOKEN,
    RunningServer,
    bearer,
    error_codes,
    key_headers,
)

DETAILS = f"/accounts/{DEMO_ACCOUNT}"


def first_error(response: httpx.Response) -> dict[str, object]:
    error: dict[str, object] = response.json()["errors"][0]
    return error


def test_no_credentials_is_9106(http: httpx.Client) -> None:
    r = http.get(DETAILS)
    assert r.status_code == 400
    assert error_codes(r) == [9106]
    assert first_error(r)["message"] == (
        "Missing X-Auth-Key, X-Auth-Email or Authorization headers"
    )


@pytest.mark.parametrize(
    ("headers", "chain"),
    [
        ({"X-Auth-Key": DEMO_KEY}, [6102]),
        ({"X-Auth-Email": DEMO_EMAIL}, [6103]),
        ({"X-Auth-Email": "not-an-email", "X-Auth-Key": DEMO_KEY}, [6102]),
        ({"X-Auth-Email": DEMO_EMAIL, "X-Auth-Key": DEMO_USER_TOKEN}, [6103]),
        ({"X-Auth-Email": DEMO_EMAIL, "X-Auth-Key": "abc"}, [6103]),
        ({"X-Auth-Email": "x", "X-Auth-Key": "y"}, [6102, 6103]),
        ({"Authorization": "Bearer short"}, [6111]),
        ({"Authorization": f"Basic {DEMO_USER_TOKEN}"}, [6111]),
        ({"Authorization": "Bearer " + "a" * 39}, [6111]),
    ],
    ids=[
        "key only",
        "email only",
        "bad email",
        "token sent as key",
        "short key",
        "both bad",
        "short token",
        "basic scheme",
        "39 characters",
    ],
)
def test_malformed_or_half_credentials_are_6003_with_a_chain(
    http: httpx.Client, headers: dict[str, str], chain: list[int]
) -> None:
    r = http.get(DETAILS, headers=headers)
    assert r.status_code == 400
    error = first_error(r)
    assert error["code"] == 6003
    assert error["message"] == "Invalid request headers"
    assert [c["code"] for c in error["error_chain"]] == chain  # type: ignore[index, union-attr]


def test_chain_messages_name_the_header(http: httpx.Client) -> None:
    r = http.get(DETAILS, headers={"Authorization": "Bearer nope"})
    chain = first_error(r)["error_chain"]
    assert chain == [
        {"code": 6111, "message": "Invalid format for Authorization header"}
    ]


@pytest.mark.parametrize(
    "headers",
    [
        key_headers("nobody@example.com", DEMO_KEY),
        key_headers(DEMO_EMAIL, "0" * 32),
    ],
    ids=["unknown email", "wrong key"],
)
def test_unknown_email_or_key_is_9103(
    http: httpx.Client, headers: dict[str, str]
) -> None:
    r = http.get(DETAILS, headers=headers)
    assert r.status_code == 403
    assert error_codes(r) == [9103]
    assert first_error(r)["message"] == "Unknown X-Auth-Key or X-Auth-Email"


def test_email_is_case_insensitive(http: httpx.Client) -> None:
    r = http.get(DETAILS, headers=key_headers(DEMO_EMAIL.upper(), DEMO_KEY))
    assert r.status_code == 200


def _seed_token(server: RunningServer, **fields: object) -> str:
    value = f.token_value()
    policy = f.allow(DEMO_ACCOUNT, ACCOUNT_SETTINGS_READ)
    user = {"email": DEMO_EMAIL, "tokens": [f.token(value, policy, **fields)]}
    server.seed({"users": [user]})
    return value


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "disabled"},
        {"status": "expired"},
        {"expires_on": _iso(timedelta(hours=-1))},
        {"not_before": _iso(timedelta(hours=1))},
    ],
    ids=["disabled", "expired status", "past expires_on", "future not_before"],
)
def test_unusable_token_is_1000(
    server: RunningServer, http: httpx.Client, fields: dict[str, object]
) -> None:
    value = _seed_token(server, **fields)
    r = http.get(DETAILS, headers=bearer(value))
    assert r.status_code == 401
    assert error_codes(r) == [1000]
    assert first_error(r)["message"] == "Invalid API Token"


def test_unknown_token_is_1000(http: httpx.Client) -> None:
    r = http.get(DETAILS, headers=bearer(f.token_value()))
    assert (r.status_code, error_codes(r)) == (401, [1000])


def test_token_with_times_that_allow_it_works(
    server: RunningServer, http: httpx.Client
) -> None:
    value = _seed_token(
        server,
        not_before=_iso(timedelta(hours=-1)),
        expires_on=_iso(timedelta(hours=1)),
    )
    assert http.get(DETAILS, headers=bearer(value)).status_code == 200


def test_token_without_the_group_is_9109(
    server: RunningServer, http: httpx.Client
) -> None:
    value = f.token_value()
    zone_read = "c8fed203ed3043cba015a93ad1616f1f"
    user = {
        "email": DEMO_EMAIL,
        "tokens": [f.token(value, f.allow(DEMO_ACCOUNT, zone_read))],
    }
    server.seed({"users": [user]})
    r = http.get(DETAILS, headers=bearer(value))
    assert r.status_code == 403
    assert error_codes(r) == [9109]
    assert first_error(r)["message"] == "Unauthorized to access requested resource"


def test_non_member_key_is_9109(server: RunningServer, http: httpx.Client) -> None:
    key = f.api_key()
    server.seed({"users": [f.user("outsider@example.com", api_key=key)]})
    r = http.get(DETAILS, headers=key_headers("outsider@example.com", key))
    assert (r.status_code, error_codes(r)) == (403, [9109])


def test_unknown_and_foreign_accounts_answer_alike(
    server: RunningServer, http: httpx.Client
) -> None:
    other = f.account("Someone Else")
    server.seed({"accounts": [other]})
    unknown = http.get("/accounts/" + "f" * 32, headers=key_headers())
    foreign = http.get(f"/accounts/{other['id']}", headers=key_headers())
    assert unknown.status_code == foreign.status_code == 403
    assert unknown.json() == foreign.json()


def test_ip_condition_not_met_names_the_location(
    server: RunningServer, http: httpx.Client
) -> None:
    condition = {"request_ip": {"in": ["192.0.2.0/24"]}}
    value = _seed_token(server, condition=condition)
    r = http.get(DETAILS, headers=bearer(value))
    assert r.status_code == 403
    assert error_codes(r) == [9109]
    assert (
        first_error(r)["message"]
        == "Cannot use the access token from location: 127.0.0.1"
    )


def test_ip_condition_not_in_refuses(server: RunningServer, http: httpx.Client) -> None:
    value = _seed_token(server, condition={"request.ip": {"not_in": ["127.0.0.1/32"]}})
    assert http.get(DETAILS, headers=bearer(value)).status_code == 403


@pytest.mark.parametrize(
    "bad_id",
    [
        "foo@example.com",
        "023e105f4ecef8ad9ca31a8372d0c35",
        "023E105F4ECEF8AD9CA31A8372D0C353",
        "a%2Fb",
        "x" * 500,
    ],
)
def test_malformed_account_id_is_7003_then_7000(
    http: httpx.Client, bad_id: str
) -> None:
    r = http.get(f"/accounts/{bad_id}", headers=key_headers())
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert [e["code"] for e in errors] == [7003, 7000]
    assert errors[0]["message"].startswith("Could not route to /client/v4/accounts/")
    assert errors[0]["message"].endswith(", perhaps your object identifier is invalid?")
    assert errors[1]["message"] == "No route for that URI"


@pytest.mark.parametrize("path", ["/nothing", "/accounts/x/y/z/w/v", "//accounts"])
def test_unknown_route_is_404_7000(http: httpx.Client, path: str) -> None:
    r = http.get(path, headers=key_headers())
    assert (r.status_code, error_codes(r)) == (404, [7000])


def test_outside_the_prefix_is_404_7000(server: RunningServer) -> None:
    r = httpx.get(server.url + "/accounts/" + DEMO_ACCOUNT, headers=key_headers())
    assert (r.status_code, error_codes(r)) == (404, [7000])


def test_known_path_with_another_method_is_405(http: httpx.Client) -> None:
    r = http.patch(DETAILS, headers=key_headers())
    assert r.status_code == 405
    assert error_codes(r) == [10405]
    assert "GET" in r.headers["allow"]


def test_unexpected_exception_is_a_500_envelope_with_the_ray(
    server: RunningServer, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cfaccounts.accounts import wire

    def explode(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(wire, "account", explode)
    r = http.get(DETAILS, headers=key_headers())
    assert r.status_code == 500
    error = first_error(r)
    assert error["code"] == 10500
    assert r.headers["cf-ray"] in str(error["message"])
    assert "boom" not in r.text and "Traceback" not in r.text


RAY = re.compile(r"[0-9a-f]{16}-[A-Z]{3}")


@pytest.mark.parametrize(
    "headers",
    [key_headers(), bearer(DEMO_USER_TOKEN), {}],
    ids=["ok", "token", "error"],
)
def test_every_reply_has_the_real_api_headers(
    http: httpx.Client, headers: dict[str, str]
) -> None:
    r = http.get(DETAILS, headers=headers)
    assert r.headers["content-type"] == "application/json"
    assert RAY.fullmatch(r.headers["cf-ray"])
    assert r.headers["cache-control"].startswith("no-store, no-cache")
    assert r.headers["pragma"] == "no-cache"
    assert r.headers["expires"] == "Sun, 25 Jan 1981 05:00:00 GMT"
    body = r.json()
    assert set(body) >= {"success", "errors", "messages", "result"}


def test_success_envelope_is_exact(http: httpx.Client) -> None:
    body = http.get(DETAILS, headers=bearer(DEMO_ACCOUNT_TOKEN)).json()
    assert body["success"] is True
    assert body["errors"] == [] and body["messages"] == []
    assert body["result"]["created_on"] == "2014-03-01T12:21:02Z"


def test_sdk_headers_and_stray_content_type_are_ignored(http: httpx.Client) -> None:
    headers = {
        **key_headers(),
        "Content-Type": "application/json",
        "X-Stainless-Raw-Response": "raw",
        "api-version": "2026-12-03",
    }
    assert http.get(DETAILS, headers=headers).status_code == 200


def test_key_wins_over_a_bearer_token_sent_beside_it(http: httpx.Client) -> None:
    headers = {**key_headers(), "Authorization": "Bearer " + "z" * 40}
    assert http.get(DETAILS, headers=headers).status_code == 200
