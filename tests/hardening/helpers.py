"""What the hardening tests share: every API route with a path filled in, and a
check that a reply is a well-formed refusal rather than a crash."""

from __future__ import annotations

import re
from typing import Any

import httpx

from cfaccounts.api import api_routes
from cfaccounts.http.routing import Route
from cfaccounts.ids import derived_id

from ..conftest import DEMO_ACCOUNT

ROUTES = api_routes()
BODY_ROUTES = [r for r in ROUTES if r.method in ("POST", "PUT", "PATCH")]
_PARAM = re.compile(r"\{(\w+)\}")


def route_id(route: Route) -> str:
    return f"{route.method} {route.template}"


def fill(route: Route) -> str:
    """The route's path with the demo account for ``{account_id}`` and a well-formed
    id that names nothing for every other parameter."""

    def value(match: re.Match[str]) -> str:
        name = match[1]
        return DEMO_ACCOUNT if name == "account_id" else derived_id("absent", name)

    return _PARAM.sub(value, route.template)


def assert_envelope_refusal(reply: httpx.Response, *statuses: int) -> dict[str, Any]:
    """A Cloudflare failure envelope with a 4xx status (one of ``statuses`` when
    given): never a 5xx, never a half answer."""
    assert reply.status_code < 500, (reply.status_code, reply.text[:300])
    assert reply.status_code >= 400, (reply.status_code, reply.text[:300])
    if statuses:
        assert reply.status_code in statuses, (reply.status_code, reply.text[:300])
    body: dict[str, Any] = reply.json()
    assert body["success"] is False and body["result"] is None
    assert body["errors"] and all(isinstance(e["code"], int) for e in body["errors"])
    return body


def not_a_crash(reply: httpx.Response) -> None:
    """Any answer but a server error, and always JSON."""
    assert reply.status_code < 500, (reply.status_code, reply.text[:300])
    reply.json()
