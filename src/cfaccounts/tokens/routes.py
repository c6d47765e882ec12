"""HTTP handlers for account-owned tokens (``/accounts/{account_id}/tokens…``) and user
tokens (``/user/tokens…``). The two families are the same eight operations over a
different owner and permission groups, so each handler here binds the owner and calls
one shared implementation."""

from __future__ import annotations

from typing import Any

from .. import errors, times
from ..audit.record import ActionType, record
from ..auth.principal import Principal
from ..catalog import USER_SCOPE, groups
from ..http import Access, Request, Response, RouteTable, ok, page
from ..http.params import direction, flag, pagination
from . import service, store, wire
from .body import parse
from .groups import decode_filter, listing
from .store import Owner

routes = RouteTable()

ACCOUNT_READ = groups("Account API Tokens Write", "Account API Tokens Read")
ACCOUNT_WRITE = groups("Account API Tokens Write")
USER_READ = groups("API Tokens Write", "API Tokens Read", scope=USER_SCOPE)
USER_WRITE = groups("API Tokens Write", scope=USER_SCOPE)

ACCOUNT_TOKENS = "/accounts/{account_id}/tokens"
USER_TOKENS = "/user/tokens"

# Audit events of user tokens belong to no account; they are kept under the empty
# account id, where no account's audit log shows them.
NO_ACCOUNT = ""


def _account(req: Request) -> Owner:
    return Owner.account(req.params["account_id"])


def _user(req: Request) -> Owner:
    principal = req.principal
    assert principal is not None and principal.user_id is not None
    return Owner.user(principal.user_id)


def _principal(req: Request) -> Principal:
    assert req.principal is not None
    return req.principal


def _show(req: Request, row: Any, now: str | None = None) -> dict[str, Any]:
    pending = req.services.authenticator.usage.pending(row.id)
    return wire.token(
        row, req.services.catalogue, now=now or times.now_db(), pending=pending
    )


def _audit(
    conn: Any,
    req: Request,
    owner: Owner,
    action: ActionType,
    verb: str,
    token_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    kind = "account API token" if owner.kind == "account" else "user API token"
    record(
        conn,
        req,
        account_id=owner.id if owner.kind == "account" else NO_ACCOUNT,
        action_type=action,
        description=f"{verb} {kind}",
        resource_type=f"{owner.kind}.token",
        resource_id=token_id,
        product="api_tokens",
        before=before,
        after=after,
    )


# -- shared implementations ------------------------------------------------------------
def _list(req: Request, owner: Owner) -> Response:
    pages = pagination(req)
    descending = direction(req) == "desc"
    include_expired = flag(req, "include_expired")
    now = times.now_db()
    with req.services.db.read() as conn:
        rows, total = store.page(
            conn,
            owner,
            now=now,
            include_expired=include_expired,
            descending=descending,
            offset=pages.offset,
            limit=pages.per_page,
        )
    items = [_show(req, row, now) for row in rows]
    return page(items, page=pages.page, per_page=pages.per_page, total=total)


def _create(req: Request, owner: Owner) -> Response:
    services = req.services
    body = parse(req.json_object(), services.catalogue, update=False)
    with services.db.write() as conn:
        row, value = service.create(conn, services, _principal(req), owner, body)
        out = _show(req, row)
        _audit(conn, req, owner, "create", "Create", row.id, None, out)
    return ok({**out, "value": value})


def _details(req: Request, owner: Owner) -> Response:
    with req.services.db.read() as conn:
        row = store.get(conn, owner, req.params["token_id"])
    if row is None:
        raise service.not_found()
    return ok(_show(req, row))


def _update(req: Request, owner: Owner) -> Response:
    services = req.services
    raw = req.json_object()
    with services.db.write() as conn:
        before, after = service.update(
            conn, services, _principal(req), owner, req.params["token_id"], raw
        )
        out = _show(req, after)
        _audit(conn, req, owner, "update", "Update", after.id, _show(req, before), out)
    return ok(out)


def _delete(req: Request, owner: Owner) -> Response:
    with req.services.db.write() as conn:
        before = service.delete(conn, owner, req.params["token_id"])
        _audit(
            conn, req, owner, "delete", "Delete", before.id, _show(req, before), None
        )
    return ok({"id": before.id})


def _roll(req: Request, owner: Owner) -> Response:
    req.json_object(required=False)  # any JSON object, or no body, is accepted
    services = req.services
    with services.db.write() as conn:
        before, after, value = service.roll(
            conn, services, owner, req.params["token_id"]
        )
        _audit(
            conn,
            req,
            owner,
            "update",
            "Roll",
            after.id,
            _show(req, before),
            _show(req, after),
        )
    return ok(value)


def _permission_groups(req: Request, *, user_level: bool) -> Response:
    items = listing(
        req.services.catalogue,
        user_level=user_level,
        name=decode_filter(req.arg("name")),
        scope=decode_filter(req.arg("scope")),
    )
    return ok(items)


def _token_to_verify(req: Request) -> Principal:
    """The token a verify request is about. Verify judges the bearer token itself,
    so a global API key alone is not enough, and a token beside a key is judged."""
    principal = _principal(req)
    if principal.kind != "api_key":
        return principal
    authorization = req.headers.get("authorization")
    if authorization is None:
        raise errors.MISSING_AUTHORIZATION()
    return req.services.authenticator.authenticate(
        {"authorization": authorization}, req.client_ip
    )


def _verified(principal: Principal) -> Response:
    token = principal.token
    assert token is not None
    status = token.status
    if token.expires_on is not None:  # the clock matters only to a token that expires
        status = wire.status(status, token.expires_on, times.now_db())
    result = wire.verify_result(token.id, status, token.not_before, token.expires_on)
    return ok(result, messages=[dict(wire.VALID_MESSAGE)])


# -- account-owned tokens --------------------------------------------------------------
@routes.get(
    ACCOUNT_TOKENS,
    operation_id="account-api-tokens-list-tokens",
    access=Access.ACCOUNT,
    groups=ACCOUNT_READ,
)
def list_account_tokens(req: Request) -> Response:
    """List Tokens"""
    return _list(req, _account(req))


@routes.post(
    ACCOUNT_TOKENS,
    operation_id="account-api-tokens-create-token",
    access=Access.ACCOUNT,
    groups=ACCOUNT_WRITE,
)
def create_account_token(req: Request) -> Response:
    """Create Token"""
    return _create(req, _account(req))


@routes.get(
    ACCOUNT_TOKENS + "/permission_groups",
    operation_id="account-api-tokens-list-permission-groups",
    access=Access.ACCOUNT,
    groups=ACCOUNT_READ,
)
def account_permission_groups(req: Request) -> Response:
    """List Permission Groups"""
    return _permission_groups(req, user_level=False)


@routes.get(
    ACCOUNT_TOKENS + "/verify",
    operation_id="account-api-tokens-verify-token",
    access=Access.AUTHENTICATED,
)
def verify_account_token(req: Request) -> Response:
    """Verify Token"""
    principal = _token_to_verify(req)
    token = principal.token
    if token is None or token.account_id != req.params["account_id"]:
        # Only the account's own tokens verify here; a user token is not one.
        raise errors.INVALID_TOKEN()
    return _verified(principal)


@routes.get(
    ACCOUNT_TOKENS + "/{token_id}",
    operation_id="account-api-tokens-token-details",
    access=Access.ACCOUNT,
    groups=ACCOUNT_READ,
)
def account_token_details(req: Request) -> Response:
    """Token Details"""
    return _details(req, _account(req))


@routes.put(
    ACCOUNT_TOKENS + "/{token_id}",
    operation_id="account-api-tokens-update-token",
    access=Access.ACCOUNT,
    groups=ACCOUNT_WRITE,
)
def update_account_token(req: Request) -> Response:
    """Update Token"""
    return _update(req, _account(req))


@routes.delete(
    ACCOUNT_TOKENS + "/{token_id}",
    operation_id="account-api-tokens-delete-token",
    access=Access.ACCOUNT,
    groups=ACCOUNT_WRITE,
)
def delete_account_token(req: Request) -> Response:
    """Delete Token"""
    return _delete(req, _account(req))


@routes.put(
    ACCOUNT_TOKENS + "/{token_id}/value",
    operation_id="account-api-tokens-roll-token",
    access=Access.ACCOUNT,
    groups=ACCOUNT_WRITE,
)
def roll_account_token(req: Request) -> Response:
    """Roll Token"""
    return _roll(req, _account(req))


# -- user tokens -----------------------------------------------------------------------
@routes.get(
    USER_TOKENS,
    operation_id="user-api-tokens-list-tokens",
    access=Access.USER,
    groups=USER_READ,
)
def list_user_tokens(req: Request) -> Response:
    """List Tokens"""
    return _list(req, _user(req))


@routes.post(
    USER_TOKENS,
    operation_id="user-api-tokens-create-token",
    access=Access.USER,
    groups=USER_WRITE,
)
def create_user_token(req: Request) -> Response:
    """Create Token"""
    return _create(req, _user(req))


@routes.get(
    USER_TOKENS + "/permission_groups",
    operation_id="permission-groups-list-permission-groups",
    access=Access.USER,
    groups=USER_READ,
)
def user_permission_groups(req: Request) -> Response:
    """List Token Permission Groups"""
    return _permission_groups(req, user_level=True)


@routes.get(
    USER_TOKENS + "/verify",
    operation_id="user-api-tokens-verify-token",
    access=Access.AUTHENTICATED,
)
def verify_user_token(req: Request) -> Response:
    """Verify Token"""
    principal = _token_to_verify(req)
    if principal.kind != "user_token":
        # Account-owned tokens verify on their account's endpoint only.
        raise errors.INVALID_TOKEN()
    return _verified(principal)


@routes.get(
    USER_TOKENS + "/{token_id}",
    operation_id="user-api-tokens-token-details",
    access=Access.USER,
    groups=USER_READ,
)
def user_token_details(req: Request) -> Response:
    """Token Details"""
    return _details(req, _user(req))


@routes.put(
    USER_TOKENS + "/{token_id}",
    operation_id="user-api-tokens-update-token",
    access=Access.USER,
    groups=USER_WRITE,
)
def update_user_token(req: Request) -> Response:
    """Update Token"""
    return _update(req, _user(req))


@routes.delete(
    USER_TOKENS + "/{token_id}",
    operation_id="user-api-tokens-delete-token",
    access=Access.USER,
    groups=USER_WRITE,
)
def delete_user_token(req: Request) -> Response:
    """Delete Token"""
    return _delete(req, _user(req))


@routes.put(
    USER_TOKENS + "/{token_id}/value",
    operation_id="user-api-tokens-roll-token",
    access=Access.USER,
    groups=USER_WRITE,
)
def roll_user_token(req: Request) -> Response:
    """Roll Token"""
    return _roll(req, _user(req))
