"""The token rules, for user tokens and account-owned tokens alike: quotas, validity
windows, what a token may be granted, minting and rolling secrets.

Functions take the connection of the caller's transaction, so that a change and its
audit event are written together; they raise ``ApiError`` for what the client must
hear. Secrets are returned to the caller once and stored only as keyed hashes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection

from .. import errors, times
from ..auth.principal import Principal
from ..auth.secrets import ACCOUNT_TOKEN_PREFIX, USER_TOKEN_PREFIX, mint_token
from ..ids import new_id
from . import grants, store
from .body import TokenBody, parse
from .store import Owner

if TYPE_CHECKING:
    from ..services import Services


def not_found() -> errors.ApiError:
    return errors.NOT_FOUND(what="Token")


def _check_window(not_before: str | None, expires_on: str | None) -> None:
    if not_before is not None and expires_on is not None and expires_on <= not_before:
        raise errors.INVALID_REQUEST(detail="expires_on: must be later than not_before")


def _check_grants(
    conn: Connection,
    services: Services,
    principal: Principal,
    owner: Owner,
    policies: list[dict[str, Any]],
    previous: list[dict[str, Any]],
) -> None:
    check = (
        grants.check_account_token
        if owner.kind == "account"
        else grants.check_user_token
    )
    check(
        conn,
        services.authorizer,
        services.catalogue,
        principal,
        owner.id,
        policies,
        previous,
    )


def _quota(services: Services, owner: Owner) -> tuple[int, str]:
    settings = services.settings
    if owner.kind == "account":
        limit = settings.account_token_quota
        return limit, f"An account may own at most {limit} API tokens"
    limit = settings.user_token_quota
    return limit, f"A user may have at most {limit} API tokens"


def create(
    conn: Connection,
    services: Services,
    principal: Principal,
    owner: Owner,
    body: TokenBody,
) -> tuple[Any, str]:
    """Store a new token; return its row and its secret (shown once)."""
    changes = body.changes
    _check_window(changes.get("not_before"), changes.get("expires_on"))
    _check_grants(conn, services, principal, owner, body.policies, [])
    store.lock_owner(conn, owner)
    limit, message = _quota(services, owner)
    if store.count(conn, owner) >= limit:
        raise errors.QUOTA_EXCEEDED(detail=message)
    prefix = ACCOUNT_TOKEN_PREFIX if owner.kind == "account" else USER_TOKEN_PREFIX
    value = mint_token(prefix)
    now = times.now_db()
    token_id = new_id()
    condition = changes.get("condition")
    store.insert(
        conn,
        {
            "id": token_id,
            "kind": owner.kind,
            "user_id": owner.id if owner.kind == "user" else None,
            "account_id": owner.id if owner.kind == "account" else None,
            "name": body.name,
            "status": "active",
            "value_hash": services.hasher.hash(value),
            "issued_on": now,
            "modified_on": now,
            "last_used_on": None,
            "not_before": changes.get("not_before"),
            "expires_on": changes.get("expires_on"),
            "policies": orjson.dumps(body.policies).decode(),
            "condition": orjson.dumps(condition).decode() if condition else None,
            "creator_email": principal.email,
        },
    )
    return store.get(conn, owner, token_id), value


def update(
    conn: Connection,
    services: Services,
    principal: Principal,
    owner: Owner,
    token_id: str,
    raw: dict[str, Any],
) -> tuple[Any, Any]:
    """Replace a token's name and policies and the optional fields given; return the
    rows before and after."""
    before = store.get(conn, owner, token_id)
    if before is None:
        raise not_found()
    previous = orjson.loads(before.policies)
    body = parse(raw, services.catalogue, update=True, previous_policies=previous)
    changes = body.changes
    _check_window(
        changes.get("not_before", before.not_before),
        changes.get("expires_on", before.expires_on),
    )
    _check_grants(conn, services, principal, owner, body.policies, previous)
    values: dict[str, Any] = {
        "name": body.name,
        "policies": orjson.dumps(body.policies).decode(),
        "modified_on": times.now_db(),
    }
    for key in ("not_before", "expires_on", "status"):
        if key in changes:
            values[key] = changes[key]
    if "condition" in changes:
        condition = changes["condition"]
        values["condition"] = orjson.dumps(condition).decode() if condition else None
    store.update(conn, token_id, values)
    return before, store.get(conn, owner, token_id)


def roll(
    conn: Connection, services: Services, owner: Owner, token_id: str
) -> tuple[Any, Any, str]:
    """Give a token a new secret (the old one stops working at once); return the rows
    before and after, and the new secret."""
    before = store.get(conn, owner, token_id)
    if before is None:
        raise not_found()
    prefix = ACCOUNT_TOKEN_PREFIX if owner.kind == "account" else USER_TOKEN_PREFIX
    value = mint_token(prefix)
    store.update(
        conn,
        token_id,
        {"value_hash": services.hasher.hash(value), "modified_on": times.now_db()},
    )
    return before, store.get(conn, owner, token_id), value


def delete(conn: Connection, owner: Owner, token_id: str) -> Any:
    """Delete a token; return its row as it was."""
    before = store.get(conn, owner, token_id)
    if before is None:
        raise not_found()
    store.delete(conn, token_id)
    return before
