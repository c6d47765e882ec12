"""Every operation against every kind of credential, generated from the server's own
route table (each route declares its access and accepted permission groups), so an
operation added later is covered without touching this file.

For each route the cells are: the global key of a member and of a non-member; a user
token holding one of the route's groups and one holding another group; an account
token of this account and of another account; tokens that are disabled, expired, not
yet valid, or restricted to another network; and the admin token used on the API.
Denied cells must answer the exact status and code; allowed cells must get past
authorization (the handler may still refuse the empty body or the absent ids)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cfaccounts.api import admin_routes, api_routes
from cfaccounts.catalog import USER_SCOPE, catalogue
from cfaccounts.http.routing import Access, Route

from ..conftest import (
    ACCOUNT_SETTINGS_READ,
    ADMIN_TOKEN,
    DEMO_ACCOUNT,
    DEMO_ACCOUNT_TOKEN,
    DEMO_USER_ID,
    DEMO_USER_TOKEN,
    RunningServer,
    bearer,
    key_headers,
)
from ..factories import account, api_key, token, token_value, user
from .helpers import fill, route_id

PAST = "2020-01-01T00:00:00Z"
FUTURE = "2099-01-01T00:00:00Z"
ELSEWHERE = {"request_ip": {"in": ["192.0.2.0/24"]}}

INVALID_TOKEN = (401, 1000)
UNAUTHORIZED = (403, 9109)


@dataclass(frozen=True)
class Cell:
    name: str
    headers: dict[str, str]


def policy(resource: str, group_id: str) -> dict[str, Any]:
    return {
        "effect": "allow",
        "resources": {resource: "*"},
        "permission_groups": [{"id": group_id}],
    }


def groups_for(route: Route) -> tuple[str, str, str]:
    """(a group the route accepts, a group of the same scope it does not, the
    resource key a token policy names for that scope)."""
    cat = catalogue()
    accepted = sorted(route.groups) or [ACCOUNT_SETTINGS_READ]
    held = accepted[0]
    scope = cat.groups_by_id[held].scope
    other = next(
        g.id
        for g in sorted(cat.groups, key=lambda g: g.id)
        if g.scope == scope and g.id not in route.groups and g.id != held
    )
    if scope == USER_SCOPE:
        return held, other, f"com.cloudflare.api.user.{DEMO_USER_ID}"
    return held, other, f"com.cloudflare.api.account.{DEMO_ACCOUNT}"


class Matrix:
    """The credentials of one route's cells, seeded into the server."""

    def __init__(self, server: RunningServer, route: Route) -> None:
        self.server = server
        self.route = route
        held, other_group, resource = groups_for(route)
        self.stranger_key = api_key()
        self.stranger = user(api_key=self.stranger_key)
        self.other_account = account("Matrix Other Account")
        values = {
            name: token_value("cfut_")
            for name in (
                "with",
                "without",
                "disabled",
                "expired",
                "not_yet",
                "elsewhere",
            )
        }
        values["account"] = token_value("cfat_")
        values["other_account"] = token_value("cfat_")
        allowed = policy(resource, held)
        # An account token can only hold account groups: for a user route it holds
        # one anyway, and must still be refused as not user-level.
        account_group = (
            held if resource.startswith("com.cloudflare.api.account") else None
        )
        account_policy = policy(
            f"com.cloudflare.api.account.{DEMO_ACCOUNT}",
            account_group or ACCOUNT_SETTINGS_READ,
        )
        other_policy = policy(
            f"com.cloudflare.api.account.{self.other_account['id']}",
            account_group or ACCOUNT_SETTINGS_READ,
        )
        self.other_account["tokens"] = [token(values["other_account"], other_policy)]
        self.doc = {
            "users": [
                self.stranger,
                {
                    "id": DEMO_USER_ID,
                    "email": "user@example.com",
                    "tokens": [
                        token(values["with"], allowed),
                        token(values["without"], policy(resource, other_group)),
                        token(values["disabled"], allowed, status="disabled"),
                        token(values["expired"], allowed, expires_on=PAST),
                        token(values["not_yet"], allowed, not_before=FUTURE),
                        token(values["elsewhere"], allowed, condition=ELSEWHERE),
                    ],
                },
            ],
            "accounts": [
                self.other_account,
                {
                    "id": DEMO_ACCOUNT,
                    "tokens": [token(values["account"], account_policy)],
                },
            ],
        }
        self.cells = [
            Cell("member key", key_headers()),
            Cell(
                "non-member key", key_headers(self.stranger["email"], self.stranger_key)
            ),
            Cell("user token with the group", bearer(values["with"])),
            Cell("user token without the group", bearer(values["without"])),
            Cell("account token of this account", bearer(values["account"])),
            Cell("account token of another account", bearer(values["other_account"])),
            Cell("disabled token", bearer(values["disabled"])),
            Cell("expired token", bearer(values["expired"])),
            Cell("not-yet-valid token", bearer(values["not_yet"])),
            Cell("token for another network", bearer(values["elsewhere"])),
            Cell("admin token on the API", bearer(ADMIN_TOKEN)),
        ]

    def seed(self) -> None:
        self.server.seed(self.doc)


def expected(route: Route, cell: str) -> tuple[int, int] | None:
    """The refusal a cell must get, or None when it must get past authorization (for
    a route whose handler decides, any answer but a 5xx will then do)."""
    if cell in ("disabled token", "expired token", "not-yet-valid token"):
        return INVALID_TOKEN
    if cell == "admin token on the API":
        return INVALID_TOKEN
    if cell == "token for another network":
        return UNAUTHORIZED
    if route.access is Access.AUTHENTICATED:
        return None
    if route.access is Access.ACCOUNT:
        allowed = {
            "member key",
            "user token with the group",
            "account token of this account",
        }
    else:  # Access.USER
        allowed = {"member key", "non-member key", "user token with the group"}
    return None if cell in allowed else UNAUTHORIZED


CHECKED = [r for r in api_routes() if r.access is not Access.PUBLIC]


def test_every_protected_operation_is_in_the_matrix() -> None:
    assert {r.access for r in CHECKED} <= {
        Access.ACCOUNT,
        Access.USER,
        Access.AUTHENTICATED,
    }
    assert len(CHECKED) >= 10


@pytest.fixture
def api(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url) as client:
        yield client


# Reaching the handler stage is observed through a fault rule on the route: the
# application runs its hooks only after authorization let the request through, so an
# allowed cell answers exactly this, and the handler never runs (nothing is written).
PASSED = (599, 99999)


@pytest.mark.parametrize("route", CHECKED, ids=route_id)
def test_each_credential_kind_gets_the_expected_answer(
    server: RunningServer, api: httpx.Client, route: Route
) -> None:
    matrix = Matrix(server, route)
    matrix.seed()
    decided_by_handler = route.access is Access.AUTHENTICATED
    if not decided_by_handler:
        marker = {"route": route.template, "method": route.method}
        marker.update(status=PASSED[0], code=PASSED[1], message="let through")
        assert server.admin("POST", "/faults", json=marker).status_code == 200
    path = fill(route)
    body = {"json": {}} if route.method in ("POST", "PUT", "PATCH") else {}
    wrong = []
    for cell in matrix.cells:
        reply = api.request(route.method, path, headers=cell.headers, **body)
        want = expected(route, cell.name)
        first = reply.json()["errors"][0]["code"] if reply.status_code >= 400 else None
        got = (reply.status_code, first)
        if want is None and not decided_by_handler:
            want = PASSED
        if want is None:
            if reply.status_code >= 500:
                wrong.append(f"{cell.name}: {got} is a server error")
        elif got != want:
            wrong.append(f"{cell.name}: {got}, expected {want}")
    assert not wrong, f"{route_id(route)}:\n  " + "\n  ".join(wrong)


ADMIN_CHECKED = [r for r in admin_routes() if r.access is Access.ADMIN]


@pytest.mark.parametrize("route", ADMIN_CHECKED, ids=route_id)
def test_an_api_credential_on_the_admin_api_is_401_10000(
    server: RunningServer, route: Route
) -> None:
    path = route.template.replace("{fault_id}", "0" * 32)
    with httpx.Client(base_url=server.url + "/_cfaccounts") as admin:
        for headers in (
            key_headers(),
            bearer(DEMO_USER_TOKEN),
            bearer(DEMO_ACCOUNT_TOKEN),
            {},
        ):
            reply = admin.request(route.method, path, headers=headers)
            assert (reply.status_code, reply.json()["errors"][0]["code"]) == (
                401,
                10000,
            ), (route_id(route), headers)
