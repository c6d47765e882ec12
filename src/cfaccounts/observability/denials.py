"""The answer to "why was I refused?": what a refused request needed, what its
credential held, and which policy decided, with permission groups by name as well as
by id. Built only when the ``cfaccounts.auth`` logger is at DEBUG."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from ..auth.policy import all_token_groups, covers_account, covers_user

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..http.request import Request
    from ..http.response import Response
    from ..services import Services

# A Super Administrator holds hundreds of groups; the log line shows this many names.
MAX_NAMES = 40

ADMIN_PREFIX = "/_cfaccounts"

_DESCRIBED = frozenset({"allowed", "reason", "needed", "held", "policy_id"})


def route_of(req: Request) -> str | None:
    """The route template of a request, admin routes under ``/_cfaccounts``; None
    when no route matched."""
    route = req.route
    if route is None:
        return None
    if req.path.startswith(ADMIN_PREFIX):
        return ADMIN_PREFIX + route.template
    return route.template


def error_of(resp: Response) -> tuple[int | None, str | None]:
    """The first error code and message of an error response (None for a success,
    or a body that is not the envelope, such as a HEAD reply)."""
    if resp.status < 400:
        return None, None
    exc = resp.error
    if exc is not None:
        return exc.code, exc.message
    if not resp.body.startswith(b"{"):
        return None, None
    try:
        first = orjson.loads(resp.body)["errors"][0]
        return int(first["code"]), str(first["message"])
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, ValueError):
        return None, None


def group_names(services: Services, ids: Iterable[str]) -> list[str]:
    """Permission-group names for ids (an unknown id stands for itself), sorted, at
    most MAX_NAMES of them and then a count of the rest."""
    by_id = services.catalogue.groups_by_id
    roles = services.catalogue.roles_by_id
    # A name can stand for groups of several scopes; it is shown once.
    names = sorted(
        {
            by_id[i].name if i in by_id else roles[i].name if i in roles else i
            for i in ids
        }
    )
    if len(names) > MAX_NAMES:
        rest = len(names) - MAX_NAMES
        names = [*names[:MAX_NAMES], f"... and {rest} more"]
    return names


def explain(
    services: Services, req: Request, code: int | None, message: str | None
) -> dict[str, Any]:
    """The fields of a ``denied`` event for a refused request."""
    out: dict[str, Any] = {"event": "denied", "code": code, "reason": message}
    account_id = req.params.get("account_id")
    if account_id:
        out["account_id"] = account_id
    decision = req.decision
    if decision is None or decision.allowed:
        # Refused before or outside a permission check (bad credentials, a token of
        # the wrong kind, a handler's own rule): the error message is the reason.
        return out
    out["reason"] = decision.reason
    out["needed"] = group_names(services, decision.needed)
    out["needed_ids"] = sorted(decision.needed)
    out["policy_id"] = decision.policy_id
    out.update({k: v for k, v in decision.describe().items() if k not in _DESCRIBED})
    out.update(_held(services, req, account_id))
    return out


def _held(services: Services, req: Request, account_id: str | None) -> dict[str, Any]:
    """What the credential holds where it was refused: its token's groups and, for a
    user's credential on an account, the groups of the user's membership."""
    principal = req.principal
    if principal is None:
        return {}
    out: dict[str, Any] = {}
    token = principal.token
    if account_id is None:
        if token is not None and principal.user_id is not None:
            held = all_token_groups(token.policies, covers_user(principal.user_id))
            out["token_holds"] = group_names(services, held)
        return out
    if token is not None:
        held = (
            all_token_groups(token.policies, covers_account(account_id))
            if token.kind == "user" or token.account_id == account_id
            else frozenset()
        )
        out["token_holds"] = group_names(services, held)
    if principal.kind != "account_token":
        with services.db.read() as conn:
            member, _ = services.authorizer.member_groups(
                conn, account_id, principal.email
            )
        out["member_holds"] = (
            group_names(services, member) if member is not None else "not a member"
        )
    return out
