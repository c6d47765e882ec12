"""One structured event per request, and at DEBUG the decision behind every refusal,
with permission groups by name."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import httpx
import pytest

from cfaccounts.observability import logs
from cfaccounts.observability.logs import JsonFormatter, TextFormatter

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_KEY,
    DEMO_USER_ID,
    DEMO_USER_TOKEN,
    DEMO_USER_TOKEN_ID,
    VIEWER_EMAIL,
    VIEWER_KEY,
    RunningServer,
    bearer,
    key_headers,
    sdk,
)
from ..factories import token

ACCOUNT_SETTINGS_READ = "c1fde68c7bcc44588cbb6ddbc16d6480"


def wait_for(
    caplog: pytest.LogCaptureFixture, logger: str, match: Callable[[dict], bool]
) -> logging.LogRecord:
    """The record of ``logger`` whose fields match: the hooks run in the server's
    thread just after the response is sent, so it may take a moment to appear."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for record in caplog.records:
            fields = getattr(record, "fields", None)
            if record.name == logger and fields and match(fields):
                return record
        time.sleep(0.01)
    raise AssertionError(f"no matching {logger} record")


def test_every_request_is_one_event_with_route_status_credential_and_ray(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cfaccounts.request")
    r = httpx.get(
        f"{server.base_url}/accounts/{DEMO_ACCOUNT}", headers=bearer(DEMO_USER_TOKEN)
    )
    ray = r.headers["cf-ray"]
    record = wait_for(caplog, "cfaccounts.request", lambda f: f["ray"] == ray)
    fields = record.fields  # type: ignore[attr-defined]
    assert fields["event"] == "request"
    assert fields["method"] == "GET"
    assert fields["route"] == "/accounts/{account_id}"
    assert fields["path"] == f"/client/v4/accounts/{DEMO_ACCOUNT}"
    assert fields["status"] == 200 and fields["code"] is None
    assert fields["credential_kind"] == "user_token"
    assert fields["credential_id"] == DEMO_USER_TOKEN_ID
    assert isinstance(fields["latency_ms"], float) and fields["latency_ms"] >= 0
    assert record.levelno == logging.INFO


def test_an_error_is_logged_with_its_code_and_never_the_secret(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cfaccounts.request")
    wrong_key = "0123456789abcdef0123456789abcdef"
    r = httpx.get(
        f"{server.base_url}/accounts/{DEMO_ACCOUNT}",
        headers=key_headers(key=wrong_key),
    )
    assert r.status_code == 403
    ray = r.headers["cf-ray"]
    record = wait_for(caplog, "cfaccounts.request", lambda f: f["ray"] == ray)
    assert record.fields["code"] == 9103  # type: ignore[attr-defined]
    for formatter in (JsonFormatter(), TextFormatter()):
        line = formatter.format(record)
        assert wrong_key not in line and DEMO_KEY not in line
        assert ray in line


def test_json_format_is_one_object_per_line_with_every_field(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cfaccounts.request")
    r = httpx.get(f"{server.base_url}/no/such/route")
    ray = r.headers["cf-ray"]
    record = wait_for(caplog, "cfaccounts.request", lambda f: f["ray"] == ray)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    event = json.loads(line)
    assert event["level"] == "info" and event["logger"] == "cfaccounts.request"
    assert event["time"].endswith("Z")
    assert event["message"].startswith("GET /client/v4/no/such/route 404 ")
    assert event["route"] is None and event["code"] == 7000


def test_text_format_is_a_readable_line_with_key_value_pairs(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cfaccounts.request")
    r = httpx.get(f"{server.base_url}/accounts/{DEMO_ACCOUNT}", headers=key_headers())
    ray = r.headers["cf-ray"]
    record = wait_for(caplog, "cfaccounts.request", lambda f: f["ray"] == ray)
    line = TextFormatter().format(record)
    assert (
        f" INFO cfaccounts.request GET /client/v4/accounts/{DEMO_ACCOUNT} 200 " in line
    )
    assert "route=/accounts/{account_id}" in line
    assert f"credential_kind=api_key credential_id={DEMO_USER_ID}" in line
    assert f"ray={ray}" in line


def test_a_refusal_explains_itself_at_debug_with_group_names(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cfaccounts.auth")
    r = httpx.put(
        f"{server.base_url}/accounts/{DEMO_ACCOUNT}",
        headers=key_headers(VIEWER_EMAIL, VIEWER_KEY),
        json={"name": "Renamed"},
    )
    assert r.status_code == 403
    ray = r.headers["cf-ray"]
    record = wait_for(caplog, "cfaccounts.auth", lambda f: f["ray"] == ray)
    fields = record.fields  # type: ignore[attr-defined]
    assert record.levelno == logging.DEBUG
    assert fields["event"] == "denied" and fields["code"] == 9109
    assert fields["reason"] == "no member role grants a needed group"
    assert fields["needed"] == ["Account Settings Write"]
    assert fields["needed_ids"] == ["1af1fa2adc104452b74a9a3364202f20"]
    assert fields["member_holds"] == ["Account Settings Read"]
    assert fields["credential_kind"] == "api_key"
    assert VIEWER_KEY not in JsonFormatter().format(record)


def test_a_token_refusal_names_what_the_token_holds(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cfaccounts.auth")
    r = httpx.put(
        f"{server.base_url}/accounts/{DEMO_ACCOUNT}",
        headers=bearer(DEMO_USER_TOKEN),
        json={"name": "Renamed"},
    )
    ray = r.headers["cf-ray"]
    fields = wait_for(caplog, "cfaccounts.auth", lambda f: f["ray"] == ray).fields  # type: ignore[attr-defined]
    assert fields["token_holds"] == ["Account Settings Read"]
    assert fields["needed"] == ["Account Settings Write"]
    assert fields["credential_id"] == DEMO_USER_TOKEN_ID


def test_a_deny_policy_refusal_names_the_policy(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    allow_id, deny_id = "a" * 32, "d" * 32
    resources = {f"com.cloudflare.api.account.{DEMO_ACCOUNT}": "*"}
    group = [{"id": ACCOUNT_SETTINGS_READ}]
    seeded = token(name="denied")
    seeded["policies"] = [
        {
            "id": allow_id,
            "effect": "allow",
            "resources": resources,
            "permission_groups": group,
        },
        {
            "id": deny_id,
            "effect": "deny",
            "resources": resources,
            "permission_groups": group,
        },
    ]
    server.seed({"accounts": [{"id": DEMO_ACCOUNT, "tokens": [seeded]}]})
    caplog.set_level(logging.DEBUG, logger="cfaccounts.auth")
    r = httpx.get(
        f"{server.base_url}/accounts/{DEMO_ACCOUNT}", headers=bearer(seeded["value"])
    )
    assert r.status_code == 403
    ray = r.headers["cf-ray"]
    fields = wait_for(caplog, "cfaccounts.auth", lambda f: f["ray"] == ray).fields  # type: ignore[attr-defined]
    assert fields["reason"] == "a deny policy removes the needed groups"
    assert fields["policy_id"] == deny_id
    # Reading an account accepts any of many groups; the one denied is among them.
    assert "Account Settings Read" in fields["needed"]


def test_a_refusal_before_any_permission_check_gives_the_error_as_reason(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cfaccounts.auth")
    r = httpx.get(
        f"{server.base_url}/accounts/{DEMO_ACCOUNT}", headers=bearer("x" * 40)
    )
    assert r.status_code == 401
    ray = r.headers["cf-ray"]
    fields = wait_for(caplog, "cfaccounts.auth", lambda f: f["ray"] == ray).fields  # type: ignore[attr-defined]
    assert fields["code"] == 1000 and fields["reason"] == "Invalid API Token"
    assert "needed" not in fields


def test_nothing_is_built_when_the_levels_are_off(
    server: RunningServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.WARNING, logger="cfaccounts.request")
    caplog.set_level(logging.WARNING, logger="cfaccounts.auth")
    calls: list[object] = []
    monkeypatch.setattr(logs, "_log", lambda *a: calls.append(a))
    with sdk(server, api_email=VIEWER_EMAIL, api_key=VIEWER_KEY) as client:
        client.accounts.get(account_id=DEMO_ACCOUNT)
    r = httpx.get(f"{server.base_url}/accounts/{DEMO_ACCOUNT}")
    assert r.status_code == 400
    time.sleep(0.2)  # let the hooks of both requests run
    assert calls == []
    # ...and the same hook does build the event once the level is on.
    caplog.set_level(logging.INFO, logger="cfaccounts.request")
    httpx.get(f"{server.base_url}/accounts/{DEMO_ACCOUNT}")
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    assert calls
