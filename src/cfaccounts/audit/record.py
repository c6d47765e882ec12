"""Recording audit events. Every write handler calls ``record`` inside the same
transaction as the write, so an event exists exactly when its change does.

An event says who acted (the user, or the account for an account-owned token), with
which credential (global key or API token, and which token), what was done to which
resource, the resource before and after, and the request it came from (method, URI
without the API prefix, cf-ray, client address, user agent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import orjson
from sqlalchemy import Connection, select

from .. import times
from ..ids import new_id
from ..storage import schema as s

if TYPE_CHECKING:
    from ..auth.principal import Principal
    from ..http.request import Request

ActionType = Literal["create", "update", "delete", "view"]

# The actor.context of each credential kind.
_CONTEXT = {
    "api_key": "api_key",
    "user_token": "api_token",
    "account_token": "api_token",
}

# Top-level keys never kept in a recorded state, whatever a caller passes: a token's
# secret appears in its create and roll responses, and must not reach the log.
_SECRET_KEYS = frozenset({"value", "api_key", "secret"})

# Column widths of the audit_logs table; longer text is cut rather than refused, since
# an event must never make its write fail.
_WIDTHS = {
    "action_description": 120,
    "resource_type": 64,
    "resource_id": 64,
    "resource_product": 64,
    "actor_token_name": 120,
    "account_name": 100,
    "actor_email": 90,
    "actor_ip": 45,
    "raw_method": 8,
    "cf_ray": 32,
}


def record(
    conn: Connection,
    req: Request,
    *,
    account_id: str,
    action_type: ActionType,
    description: str,
    resource_type: str,
    resource_id: str | None,
    product: str,
    before: Any = None,
    after: Any = None,
    account_name: str | None = None,
    result: str = "success",
) -> None:
    """Store one audit event for a change made by ``req``'s principal to a resource
    of ``account_id``.

    ``before`` and ``after`` are the resource as the API shows it (``None`` for the
    side that does not exist: before a create, after a delete); top-level secret keys
    (``value``, ``api_key``, ``secret``) are dropped. ``account_name`` is looked up in
    the same transaction when not given (pass it when the account row is about to go).
    """
    principal = req.principal
    if account_name is None:
        account_name = conn.execute(
            select(s.accounts.c.name).where(s.accounts.c.id == account_id)
        ).scalar_one_or_none()
    values: dict[str, Any] = {
        "id": new_id(),
        "account_id": account_id,
        "account_name": account_name,
        "time": times.now_db(),
        "action_type": action_type,
        "action_description": description,
        "action_result": result,
        **actor_columns(principal, account_id),
        "actor_ip": req.client_ip,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "resource_product": product,
        "before": _state(before),
        "after": _state(after),
        "raw_method": req.method,
        "raw_uri": api_path(req),
        "raw_status": 200,
        "cf_ray": req.ray,
        "user_agent": req.headers.get("user-agent"),
    }
    for column, width in _WIDTHS.items():
        text = values.get(column)
        if isinstance(text, str) and len(text) > width:
            values[column] = text[:width]
    # Parameters rather than .values(): the compiled INSERT is cached and reused,
    # which keeps the event cheap next to the write it records.
    conn.execute(s.audit_logs.insert(), values)


def actor_columns(principal: Principal | None, account_id: str) -> dict[str, Any]:
    """The actor of an event. A user acting with a global key or a user token is the
    actor (type ``user``, their user id and email); an account-owned token acts for
    the account (type ``account``, the account's id, no email). Token events also
    name the token."""
    if principal is None:  # only a route without authentication could get here
        return {
            "actor_id": None,
            "actor_email": None,
            "actor_type": "system",
            "actor_context": "api",
            "actor_token_id": None,
            "actor_token_name": None,
        }
    token = principal.token
    by_account = principal.kind == "account_token"
    return {
        "actor_id": (token.account_id or account_id)
        if by_account and token
        else principal.user_id,
        "actor_email": None if by_account else principal.email,
        "actor_type": "account" if by_account else "user",
        "actor_context": _CONTEXT.get(principal.kind, "api"),
        "actor_token_id": token.id if token else None,
        "actor_token_name": token.name if token else None,
    }


def api_path(req: Request) -> str:
    """The request path as the API names it: without the configured prefix
    (``/client/v4``) and without the query string, e.g. ``/accounts/<id>/members``."""
    path = req.path.split("?", 1)[0]
    prefix = req.services.settings.prefix.rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix) :]
    return path


def _state(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k not in _SECRET_KEYS}
    return orjson.dumps(value).decode()
