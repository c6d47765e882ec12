"""Managing fault rules: the admin API under /_cfaccounts/faults, seed documents with
a ``faults`` list, and what a reset does to them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cfaccounts.ids import new_id

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_USER_TOKEN,
    RunningServer,
    bearer,
    error_codes,
    key_headers,
)
from ..servers import start_server

ACCOUNT = "/accounts/{account_id}"


def add(server: RunningServer, **rule: Any) -> dict[str, Any]:
    reply = server.admin("POST", "/faults", json=rule)
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()["result"]
    return result


def account_get(server: RunningServer, **kw: Any) -> httpx.Response:
    return httpx.get(
        f"{server.base_url}/accounts/{DEMO_ACCOUNT}", headers=key_headers(), **kw
    )


def test_a_rule_is_added_listed_and_fires(server: RunningServer) -> None:
    rule = add(server, route=ACCOUNT, method="GET", status=503, retry_after=3)
    assert len(rule["id"]) == 32
    assert rule["fired"] == 0 and rule["count"] is None
    reply = account_get(server)
    assert reply.status_code == 503
    assert reply.headers["retry-after"] == "3"
    assert error_codes(reply) == [10900]
    listed = server.admin("GET", "/faults").json()["result"]
    assert [r["id"] for r in listed] == [rule["id"]]
    assert listed[0]["fired"] == 1
    one = server.admin("GET", f"/faults/{rule['id']}").json()["result"]
    assert one["route"] == ACCOUNT and one["status"] == 503


def test_a_rule_is_removed_by_id(server: RunningServer) -> None:
    rule = add(server, route=ACCOUNT, status=500)
    removed = server.admin("DELETE", f"/faults/{rule['id']}")
    assert removed.status_code == 200
    assert removed.json()["result"] == {"id": rule["id"]}
    assert account_get(server).status_code == 200
    again = server.admin("DELETE", f"/faults/{rule['id']}")
    assert again.status_code == 404
    assert error_codes(again) == [1003]


def test_all_rules_are_cleared_at_once(server: RunningServer) -> None:
    add(server, route=ACCOUNT, status=500)
    add(server, route="*", status=502)
    cleared = server.admin("DELETE", "/faults")
    assert cleared.json()["result"] == {"deleted": 2}
    assert server.admin("GET", "/faults").json()["result"] == []
    assert account_get(server).status_code == 200


def test_a_reset_clears_the_rules(server: RunningServer) -> None:
    add(server, route=ACCOUNT, status=500)
    server.reset()
    assert server.admin("GET", "/faults").json()["result"] == []
    assert account_get(server).status_code == 200


def test_a_rule_with_the_id_of_another_replaces_it(server: RunningServer) -> None:
    rule_id = new_id()
    add(server, id=rule_id, route=ACCOUNT, status=500)
    add(server, id=rule_id, route=ACCOUNT, status=502)
    listed = server.admin("GET", "/faults").json()["result"]
    assert [(r["id"], r["status"]) for r in listed] == [(rule_id, 502)]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"route": ACCOUNT}, "status, a latency"),
        ({"route": "/accounts/{id}", "status": 500}, "route"),
        ({"route": "/client/v4/accounts/{account_id}", "status": 500}, "route"),
        ({"status": 200}, "status"),
        ({"status": "500"}, "status"),
        ({"status": 500, "method": "FETCH"}, "method"),
        ({"status": 500, "code": 12}, "code"),
        ({"status": 500, "message": ""}, "message"),
        ({"status": 500, "retry_after": -1}, "retry_after"),
        ({"status": 500, "should_retry": "no"}, "should_retry"),
        ({"latency": 1000}, "latency"),
        ({"status": 500, "probability": 2}, "probability"),
        ({"status": 500, "count": 0}, "count"),
        ({"status": 500, "credential": {"kind": "password"}}, "credential.kind"),
        ({"status": 500, "credential": {"id": "abc"}}, "credential.id"),
        ({"status": 500, "colour": "red"}, "colour"),
        ({"retry_after": 1, "latency": 1}, "retry_after"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(
    server: RunningServer, rule: dict[str, Any], field: str
) -> None:
    reply = server.admin("POST", "/faults", json=rule)
    assert reply.status_code == 400
    assert error_codes(reply) == [1001]
    assert field in reply.json()["errors"][0]["message"]
    assert server.admin("GET", "/faults").json()["result"] == []


def test_a_body_that_is_not_a_rule_is_refused(server: RunningServer) -> None:
    for body in (b"[]", b"{", b""):
        reply = server.admin("POST", "/faults", content=body)
        assert reply.status_code == 400


def test_fault_rules_need_the_admin_token(server: RunningServer) -> None:
    url = f"{server.url}/_cfaccounts/faults"
    with httpx.Client() as http:
        for headers in (key_headers(), bearer(DEMO_USER_TOKEN), {}):
            for method in ("GET", "POST", "DELETE"):
                reply = http.request(method, url, headers=headers, json={"status": 500})
                assert reply.status_code == 401
                assert error_codes(reply) == [10000]
    assert server.admin("GET", "/faults").json()["result"] == []


def test_a_malformed_fault_id_is_not_routed(server: RunningServer) -> None:
    reply = server.admin("DELETE", "/faults/not-an-id")
    assert reply.status_code == 400
    assert error_codes(reply) == [7003, 7000]


def test_a_seed_document_brings_rules_with_it(server: RunningServer) -> None:
    rule_id = new_id()
    loaded = server.seed(
        {"faults": [{"id": rule_id, "route": ACCOUNT, "status": 502, "count": 1}]}
    )
    assert loaded["faults"] == 1
    assert account_get(server).status_code == 502
    assert account_get(server).status_code == 200  # count spent
    state = server.admin("GET", "/state").json()["result"]
    assert state["faults"] == [
        {"id": rule_id, "method": "*", "route": ACCOUNT, "status": 502, "count": 0}
    ]


def test_a_seed_document_with_a_bad_rule_changes_nothing(
    server: RunningServer,
) -> None:
    email = f"{new_id()[:10]}@example.com"
    reply = server.admin(
        "POST",
        "/seed",
        json={"users": [{"email": email}], "faults": [{"route": ACCOUNT}]},
    )
    assert reply.status_code == 400
    assert "faults[0]" in reply.json()["errors"][0]["message"]
    state = server.admin("GET", "/state").json()["result"]
    assert email not in [u["email"] for u in state["users"]]
    assert "faults" not in state
    assert server.admin("GET", "/faults").json()["result"] == []


def test_the_state_with_rules_loads_back(server: RunningServer) -> None:
    add(server, route=ACCOUNT, method="GET", status=429, latency=0.01, count=3)
    state = server.admin("GET", "/state").json()["result"]
    server.reset()
    server.seed({"faults": state["faults"]})
    listed = server.admin("GET", "/faults").json()["result"]
    assert len(listed) == 1
    assert listed[0]["status"] == 429 and listed[0]["code"] == 971
    assert listed[0]["count"] == 3 and listed[0]["latency"] == 0.01


def test_start_up_seed_files_bring_rules_that_a_reset_restores(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("fault-seed")
    seed = folder / "faults.yaml"
    seed.write_text(
        "faults:\n"
        "  - route: /accounts/{account_id}\n"
        "    method: GET\n"
        "    status: 503\n"
        "    should_retry: false\n"
    )
    running = start_server(tmp_path_factory, "fault-seed", seeds=(str(seed),))
    try:
        assert account_get(running).status_code == 503
        running.admin("DELETE", "/faults")
        assert account_get(running).status_code == 200
        running.reset()
        reply = account_get(running)
        assert reply.status_code == 503
        assert reply.headers["x-should-retry"] == "false"
    finally:
        running.stop()


def test_requests_pay_for_faults_only_while_there_are_rules(
    server: RunningServer,
) -> None:
    hook = server.app.services.faults.before_handler
    assert hook not in server.app.before_handler
    rule = add(server, route=ACCOUNT, status=500)
    assert hook in server.app.before_handler
    server.admin("DELETE", f"/faults/{rule['id']}")
    assert hook not in server.app.before_handler
    add(server, route=ACCOUNT, status=500)
    server.reset()
    assert hook not in server.app.before_handler
