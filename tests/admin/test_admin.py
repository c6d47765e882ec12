"""The admin API: open health, token-guarded reset/seed/state, and the separation
between admin and API credentials."""

from __future__ import annotations

from pathlib import Path

import httpx

from cfaccounts import Settings

from ..conftest import (
    ADMIN_TOKEN,
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_KEY,
    DEMO_USER_TOKEN,
    RunningServer,
    bearer,
    database_url,
    error_codes,
    key_headers,
)


def test_health_needs_no_token(server: RunningServer) -> None:
    r = httpx.get(server.url + "/_cfaccounts/health")
    assert r.status_code == 200 and r.json()["result"]["status"] == "ok"


def test_api_credentials_on_the_admin_api_are_10000(server: RunningServer) -> None:
    for headers in (key_headers(), bearer(DEMO_USER_TOKEN), {}):
        r = httpx.get(server.url + "/_cfaccounts/state", headers=headers)
        assert (r.status_code, error_codes(r)) == (401, [10000])


def test_admin_token_on_the_api_is_just_an_unknown_token(http: httpx.Client) -> None:
    r = http.get(f"/accounts/{DEMO_ACCOUNT}", headers=bearer(ADMIN_TOKEN))
    assert (r.status_code, error_codes(r)) == (401, [1000])


def test_reset_wipes_and_reloads_the_start_up_seeds(
    server: RunningServer, http: httpx.Client
) -> None:
    server.seed({"accounts": [{"name": "Temporary"}]})
    assert len(server.admin("GET", "/state").json()["result"]["accounts"]) == 2
    r = server.admin("POST", "/reset")
    assert r.status_code == 200 and r.json()["result"]["accounts"] == 1
    state = server.admin("GET", "/state").json()["result"]
    assert [a["name"] for a in state["accounts"]] == ["Demo Account"]
    assert (
        http.get(f"/accounts/{DEMO_ACCOUNT}", headers=key_headers()).status_code == 200
    )


def test_state_holds_hashes_never_secrets(server: RunningServer) -> None:
    text = server.admin("GET", "/state").text
    for secret in (DEMO_KEY, DEMO_USER_TOKEN, DEMO_ACCOUNT_TOKEN):
        assert secret not in text
    assert "api_key_hash" in text and "value_hash" in text


def test_seed_rejects_a_bad_document_with_the_field(server: RunningServer) -> None:
    r = server.admin("POST", "/seed", json={"accounts": [{"name": 5}]})
    assert r.status_code == 400
    assert "accounts[0].name" in r.json()["errors"][0]["message"]
    r = server.admin("POST", "/seed", content=b"{not json")
    assert error_codes(r) == [6007]


def test_without_an_admin_token_the_admin_routes_do_not_exist(tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, database_url=database_url(tmp_path, "noadmin"))
    running = RunningServer(settings).start()
    try:
        for method, path in (("POST", "/reset"), ("POST", "/seed"), ("GET", "/state")):
            r = httpx.request(
                method, running.url + "/_cfaccounts" + path, headers=bearer("x" * 40)
            )
            assert (r.status_code, error_codes(r)) == (404, [7000])
        assert httpx.get(running.url + "/_cfaccounts/health").status_code == 200
    finally:
        running.stop()
