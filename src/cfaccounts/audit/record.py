"""Recording audit events. Every write handler calls ``record`` inside the same
transaction as the write, so an event exists exactly when its change does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import orjson
from sqlalchemy import Connection

from .. import times
from ..ids import new_id
from ..storage import schema as s

if TYPE_CHECKING:
    from ..http.request import Request

ActionType = Literal["create", "update", "delete", "view"]

_CONTEXT = {
    "api_key": "api_key",
    "user_token": "api_token",
    "account_token": "api_token",
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
    """Store one audit event for a change made by ``req``'s principal. ``before`` and
    ``after`` are the resource as the API shows it (never with secrets)."""
    principal = req.principal
    token = principal.token if principal else None
    conn.execute(
        s.audit_logs.insert().values(
            id=new_id(),
            account_id=account_id,
            account_name=account_name,
            time=times.now_db(),
            action_type=action_type,
            action_description=description,
            action_result=result,
            actor_id=(principal.user_id or (token.id if token else None))
            if principal
            else None,
            actor_email=principal.email if principal else None,
            actor_type=(
                "account" if principal and principal.kind == "account_token" else "user"
            ),
            actor_context=_CONTEXT.get(principal.kind, "api_key")
            if principal
            else "api_key",
            actor_ip=req.client_ip,
            actor_token_id=token.id if token else None,
            actor_token_name=token.name if token else None,
            resource_type=resource_type,
            resource_id=resource_id,
            resource_product=product,
            before=orjson.dumps(before).decode() if before is not None else None,
            after=orjson.dumps(after).decode() if after is not None else None,
            raw_method=req.method,
            raw_uri=req.path,
            raw_status=200,
            cf_ray=req.ray,
            user_agent=req.headers.get("user-agent"),
        )
    )
