"""The dashboard's data routes: the request log with its decisions, search and paging,
token actions, all behind the admin token."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .. import factories as f
from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_ACCOUNT_TOKEN_ID,
    DEMO_KEY,
    DEMO_USER_TOKEN,
    RunningServer,
    bearer,
    error_codes,
    key_headers,
)


@pytest.fixture(autouse=True)
def _empty_log(server: RunningServer) -> None:
    server.app.services.request_log.clear()


def _get(server: RunningServer, path: str) -> Any:
    r = server.admin("GET", path)
    assert r.status_code == 200, r.text
    return r.json()


def test_page_is_served_without_a_token(server: RunningServer) -> None:
    r = httpx.get(server.url + "/_cfaccounts/ui")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<title>cfaccounts dashboard</title>" in r.text
    assert "http://" not in r.text and "https://" not in r.text  # nothing from outside


def test_data_routes_need_the_admin_token(server: RunningServer) -> None:
    for path in ("/requests", "/accounts", "/users", f"/accounts/{DEMO_ACCOUNT}"):
        r = httpx.get(server.url + "/_cfaccounts" + path, headers=key_headers())
        assert (r.status_code, error_codes(r)) == (401, [10000])


def test_a_refusal_is_logged_with_its_decision(
    server: RunningServer, http: httpx.Client
) -> None:
    other = f.account("Other")
    server.seed({"accounts": [other]})
    http.get(f"/accounts/{DEMO_ACCOUNT}", headers=bearer(DEMO_ACCOUNT_TOKEN))
    http.get(f"/accounts/{other['id']}", headers=bearer(DEMO_ACCOUNT_TOKEN))
    entries = _get(server, "/requests?status=4xx")["result"]
    (refused,) = entries
    assert refused["status"] == 403 and refused["error_code"] == 9109
    assert refused["route"] == "/accounts/{account_id}"
    assert refused["credential_kind"] == "account_token"
    assert refused["credential_id"] == DEMO_ACCOUNT_TOKEN_ID
    decision = refused["decision"]
    assert decision["allowed"] is False
    assert decision["reason"] == "account token of another account"
    assert "Account Settings Read" in decision["accepted"]
    assert DEMO_ACCOUNT_TOKEN not in str(entries)
    ok = _get(server, "/requests?status=200")["result"]
    assert [e["status"] for e in ok] == [200]


def test_authentication_failures_are_logged_with_the_reason(
    server: RunningServer, http: httpx.Client
) -> None:
    http.get(f"/accounts/{DEMO_ACCOUNT}", headers=key_headers(key="0" * 32))
    (entry,) = _get(server, "/requests?credential=api_key")["result"]
    assert entry["error_code"] == 9103
    assert entry["decision"]["allowed"] is False
    assert DEMO_KEY not in str(entry)


def test_filters_by_path_and_credential_id(
    server: RunningServer, http: httpx.Client
) -> None:
    http.get(f"/accounts/{DEMO_ACCOUNT}", headers=bearer(DEMO_USER_TOKEN))
    http.get("/nothing/here", headers=key_headers())
    assert len(_get(server, "/requests?path=/nothing")["result"]) == 1
    by_id = _get(server, f"/requests?credential={DEMO_ACCOUNT_TOKEN_ID}")["result"]
    assert by_id == []


def test_accounts_search_and_paging_over_many_rows(server: RunningServer) -> None:
    bulk = {"accounts": [f.account(f"Bulk {i:05d}") for i in range(1200)]}
    assert server.admin("POST", "/seed", json=bulk, timeout=120).status_code == 200
    first = _get(server, "/accounts?per_page=500&page=1")
    assert first["result_info"]["total_count"] == 1201
    assert first["result_info"]["total_pages"] == 3
    assert len(first["result"]) == 500
    last = _get(server, "/accounts?per_page=500&page=3")
    assert len(last["result"]) == 201
    hit = _get(server, "/accounts?q=bulk%2000042")["result"]
    assert [a["name"] for a in hit] == ["Bulk 00042"]
    by_id = _get(server, f"/accounts?q={DEMO_ACCOUNT}")["result"]
    assert [a["name"] for a in by_id] == ["Demo Account"]


def test_account_detail_shows_members_tokens_roles_without_secrets(
    server: RunningServer,
) -> None:
    detail = _get(server, f"/accounts/{DEMO_ACCOUNT}")["result"]
    assert {m["email"] for m in detail["members"]} == {
        "user@example.com",
        "viewer@example.com",
    }
    roles = {r["name"] for m in detail["members"] for r in m["roles"]}
    assert roles == {"Super Administrator - All Privileges", "Account Reader"}
    (token,) = detail["tokens"]
    assert (
        token["policies"][0]["permission_groups"][0]["name"] == "Account Settings Read"
    )
    assert [r["name"] for r in detail["roles"]] == ["Account Reader"]
    assert DEMO_ACCOUNT_TOKEN not in str(detail) and "value_hash" not in str(detail)


def test_users_search_and_detail(server: RunningServer) -> None:
    (user,) = _get(server, "/users?q=appleseed")["result"]
    detail = _get(server, f"/users/{user['id']}")["result"]
    assert detail["has_api_key"] is True
    assert [t["name"] for t in detail["tokens"]] == ["readonly token"]
    assert detail["memberships"][0]["account_name"] == "Demo Account"


def test_disable_then_delete_a_token(server: RunningServer, http: httpx.Client) -> None:
    path = f"/tokens/{DEMO_ACCOUNT_TOKEN_ID}"
    assert server.admin("PATCH", path, json={"status": "disabled"}).status_code == 200
    r = http.get(f"/accounts/{DEMO_ACCOUNT}", headers=bearer(DEMO_ACCOUNT_TOKEN))
    assert (r.status_code, error_codes(r)) == (401, [1000])
    assert server.admin("PATCH", path, json={"status": "active"}).status_code == 200
    assert (
        http.get(
            f"/accounts/{DEMO_ACCOUNT}", headers=bearer(DEMO_ACCOUNT_TOKEN)
        ).status_code
        == 200
    )
    assert server.admin("DELETE", path).status_code == 200
    assert server.admin("DELETE", path).status_code == 404
    assert server.admin("PATCH", path, json={"status": "gone"}).status_code == 400
