"""Making audit events for the tests: real writes through the API, and, for volume,
events recorded straight into the running server's database with ``record``."""

from __future__ import annotations

from typing import Any

import httpx

from cfaccounts.audit.record import record
from cfaccounts.auth.principal import Principal
from cfaccounts.catalog import catalogue
from cfaccounts.http.request import Request
from cfaccounts.http.response import new_ray

from .. import factories as f
from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_USER_ID,
    RunningServer,
    key_headers,
)

# A window that holds every event a test makes.
SINCE = "2000-01-01"
BEFORE = "2100-01-01"
WINDOW = {"since": SINCE, "before": BEFORE}

V2 = f"/accounts/{DEMO_ACCOUNT}/logs/audit"
V1 = f"/accounts/{DEMO_ACCOUNT}/audit_logs"


def group_id(name: str) -> str:
    return catalogue().group(name).id


def rename(
    http: httpx.Client,
    name: str,
    headers: dict[str, str] | None = None,
    account_id: str = DEMO_ACCOUNT,
) -> httpx.Response:
    """PUT /accounts/{id}: one ``update`` event per call."""
    r = http.put(
        f"/accounts/{account_id}",
        json={"id": account_id, "name": name, "type": "standard"},
        headers=headers if headers is not None else key_headers(),
    )
    assert r.status_code == 200, r.text
    return r


def token_holder(
    server: RunningServer,
    *group_names: str,
    account_id: str = DEMO_ACCOUNT,
    name: str = "audit test token",
) -> tuple[str, str]:
    """A user token of the demo user holding ``group_names`` on the account; returns
    (token id, token value)."""
    token = f.token(
        None,
        f.allow(account_id, *(group_id(n) for n in group_names)),
        name=name,
    )
    server.seed(
        {"users": [{"id": DEMO_USER_ID, "email": DEMO_EMAIL, "tokens": [token]}]}
    )
    return token["id"], token["value"]


def account_token_holder(
    server: RunningServer, *group_names: str, account_id: str = DEMO_ACCOUNT
) -> tuple[str, str]:
    """An account-owned token of the account holding ``group_names``."""
    token = f.token(
        "cfat_" + f.token_value()[:40],
        f.allow(account_id, *(group_id(n) for n in group_names)),
        name="audit account token",
    )
    server.seed({"accounts": [{"id": account_id, "tokens": [token]}]})
    return token["id"], token["value"]


def fabricate(
    server: RunningServer,
    count: int,
    *,
    account_id: str = DEMO_ACCOUNT,
    action_type: Any = "update",
    description: str = "Update account",
    resource_type: str = "account",
    product: str = "accounts",
    method: str = "PUT",
    uri: str | None = None,
    client_ip: str = "192.0.2.10",
    principal: Principal | None = None,
    account_name: str | None = None,
) -> list[str]:
    """Record ``count`` events through ``record`` in one transaction of the running
    server's database, as a handler would; returns their ray ids in order."""
    services = server.app.services
    path = server.settings.prefix + (uri or f"/accounts/{account_id}")
    rays = []
    with services.db.write() as conn:
        for i in range(count):
            req = Request(
                services=services,
                method=method,
                path=path,
                query_string=b"",
                headers={"user-agent": "audit-fixture"},
                body=b"",
                client_ip=client_ip,
                ray=new_ray("TST"),
            )
            req.principal = principal or Principal("api_key", DEMO_USER_ID, DEMO_EMAIL)
            record(
                conn,
                req,
                account_id=account_id,
                action_type=action_type,
                description=description,
                resource_type=resource_type,
                resource_id=f"{i:032x}",
                product=product,
                after={"n": i},
                account_name=account_name,
            )
            rays.append(req.ray)
    return rays
