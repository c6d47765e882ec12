"""What the token tests share: group ids by name, policy builders, credentials, and
small helpers to make a token and read the database."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from cfaccounts.catalog import ACCOUNT_SCOPE, USER_SCOPE, catalogue
from cfaccounts.storage import schema

from .. import factories as f
from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_KEY,
    DEMO_USER_ID,
    RunningServer,
    key_headers,
)

KEY = {"api_email": DEMO_EMAIL, "api_key": DEMO_KEY}
SUPER_ADMIN = "33666b9c79b9a5273fc7344ff42f953d"
ADMINISTRATOR = "05784afa30c1afe1440e79d9351c7430"  # Super Admin minus Billing, SCIM

ACCOUNT_KEY = f"com.cloudflare.api.account.{DEMO_ACCOUNT}"
USER_KEY = f"com.cloudflare.api.user.{DEMO_USER_ID}"
ACCOUNT_TOKENS = f"/accounts/{DEMO_ACCOUNT}/tokens"
USER_TOKENS = "/user/tokens"


def gid(name: str, scope: str = ACCOUNT_SCOPE) -> str:
    return catalogue().group(name, scope).id


def uid(name: str) -> str:
    return gid(name, USER_SCOPE)


def on_account(
    *names: str, account: str = DEMO_ACCOUNT, effect: str = "allow"
) -> dict[str, Any]:
    """A policy granting account-scoped groups (by name) on one account."""
    return f.allow(account, *(gid(n) for n in names), effect=effect)


def on_user(*names: str, user_id: str = DEMO_USER_ID) -> dict[str, Any]:
    """A policy granting user-scoped groups (by name) on a user."""
    return f.on_user(user_id, *(uid(n) for n in names))


def create(
    http: httpx.Client,
    path: str,
    *policies: dict[str, Any],
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Create a token over raw HTTP (with the demo global key unless told) and return
    the result, secret included."""
    body = {"name": fields.pop("name", "test token"), "policies": list(policies)}
    body.update(fields)
    r = http.post(path, json=body, headers=headers or key_headers())
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()["result"]
    return result


def member(server: RunningServer, *role_ids: str) -> tuple[str, str]:
    """A new user who is an accepted member of the demo account with these roles:
    (email, global key)."""
    key = f.api_key()
    email = f"m{f.api_key()[:10]}@example.com"
    server.seed(
        {
            "users": [f.user(email, api_key=key)],
            "accounts": [{"id": DEMO_ACCOUNT, "members": [f.member(email, *role_ids)]}],
        }
    )
    return email, key


def token_row(server: RunningServer, token_id: str) -> Any:
    with server.app.services.db.read() as conn:
        return conn.execute(
            select(schema.tokens).where(schema.tokens.c.id == token_id)
        ).first()


def audit_events(server: RunningServer, token_id: str) -> list[Any]:
    a = schema.audit_logs.c
    with server.app.services.db.read() as conn:
        return list(
            conn.execute(
                select(schema.audit_logs)
                .where(a.resource_id == token_id)
                .order_by(a.seq)
            ).all()
        )
