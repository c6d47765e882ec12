"""Admin routes behind the dashboard page. The page itself needs no token (it holds no
data); every data route needs the admin token like the rest of the admin API."""

from __future__ import annotations

from importlib import resources
from typing import Any

from .. import errors, times
from ..http import Access, Request, Response, RouteTable
from ..http.params import pagination
from ..http.response import raw_json
from ..tokens.policies import wire_policies
from ..tokens.wire import status as shown_status
from . import store

routes = RouteTable()

_PAGE: bytes | None = None


def _ok(result: Any, **extra: Any) -> Response:
    return raw_json(
        200, {"result": result, **extra, "success": True, "errors": [], "messages": []}
    )


def _page_bytes() -> bytes:
    global _PAGE
    if _PAGE is None:
        _PAGE = (
            resources.files(__package__).joinpath("static", "index.html").read_bytes()
        )
    return _PAGE


@routes.get("/ui", operation_id="cfaccounts-dashboard", access=Access.PUBLIC)
def page(req: Request) -> Response:
    """The dashboard page (static; it asks for the admin token in the browser)."""
    resp = Response(200, _page_bytes())
    resp.content_type = "text/html; charset=utf-8"
    resp.header(
        "content-security-policy",
        "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'",
    )
    return resp


def _log(req: Request) -> Any:
    log = req.services.request_log
    if log is None:
        raise errors.NO_ROUTE()
    return log


@routes.get("/requests", operation_id="cfaccounts-requests", access=Access.ADMIN)
def recent_requests(req: Request) -> Response:
    """The recent-request ring, newest first, with filters."""
    log = _log(req)
    raw = req.arg("limit") or "200"
    limit = min(max(int(raw), 1), 2000) if raw.isdigit() else 200
    entries = log.entries(
        status=req.arg("status"),
        credential=req.arg("credential"),
        path=req.arg("path"),
        limit=limit,
    )
    return _ok(entries, result_info={"count": len(entries), "capacity": log.size})


@routes.get("/accounts", operation_id="cfaccounts-accounts", access=Access.ADMIN)
def accounts(req: Request) -> Response:
    """Accounts by name, searchable by id or name, paged."""
    p = pagination(req, default_per_page=50, low=1, high=500)
    with req.services.db.read() as conn:
        rows, total = store.accounts(
            conn, (req.arg("q") or "").strip(), p.offset, p.per_page
        )
    items = [
        {
            "id": r.id,
            "name": r.name,
            "type": r.type,
            "created_on": times.wire(r.created_on),
            "members": r.members,
            "tokens": r.tokens,
        }
        for r in rows
    ]
    return _ok(items, result_info=_info(p.page, p.per_page, len(items), total))


@routes.get("/users", operation_id="cfaccounts-users", access=Access.ADMIN)
def users(req: Request) -> Response:
    """Users by email, searchable by id, email or name, paged."""
    p = pagination(req, default_per_page=50, low=1, high=500)
    with req.services.db.read() as conn:
        rows, total = store.users(
            conn, (req.arg("q") or "").strip(), p.offset, p.per_page
        )
    items = [
        {
            "id": r.id,
            "email": r.email,
            "first_name": r.first_name,
            "last_name": r.last_name,
            "tenant_admin": bool(r.tenant_admin),
            "tokens": r.tokens,
        }
        for r in rows
    ]
    return _ok(items, result_info=_info(p.page, p.per_page, len(items), total))


def _info(page: int, per_page: int, count: int, total: int) -> dict[str, int]:
    return {
        "page": page,
        "per_page": per_page,
        "count": count,
        "total_count": total,
        "total_pages": (total + per_page - 1) // per_page,
    }


def _token(req: Request, row: Any) -> dict[str, Any]:
    status = shown_status(row.status, row.expires_on, times.now_db())
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "status": status,
        "issued_on": times.wire(row.issued_on),
        "modified_on": times.wire(row.modified_on),
        "last_used_on": times.wire(row.last_used_on),
        "not_before": times.wire(row.not_before),
        "expires_on": times.wire(row.expires_on),
        "condition": store.loads(row.condition),
        "policies": wire_policies(
            store.loads(row.policies) or [], req.services.catalogue
        ),
    }


def _role_names(
    req: Request, role_ids: list[str], custom: dict[str, str]
) -> list[dict[str, str]]:
    builtin = req.services.catalogue.roles_by_id
    return [
        {
            "id": rid,
            "name": builtin[rid].name if rid in builtin else custom.get(rid, rid),
        }
        for rid in role_ids
    ]


@routes.get(
    "/accounts/{account_id}", operation_id="cfaccounts-account", access=Access.ADMIN
)
def account(req: Request) -> Response:
    """One account with its members, account-owned tokens and custom roles."""
    account_id = req.params["account_id"]
    with req.services.db.read() as conn:
        row = store.account(conn, account_id)
        if row is None:
            raise errors.NOT_FOUND(what="Account")
        roles = store.custom_roles(conn, account_id)
        members = store.members(conn, account_id)
        tokens = store.tokens_of(conn, account_id=account_id)
    custom = {r.id: r.name for r in roles}
    return _ok(
        {
            "id": row.id,
            "name": row.name,
            "type": row.type,
            "created_on": times.wire(row.created_on),
            "settings": store.loads(row.settings),
            "managed_by": store.loads(row.managed_by),
            "members": [
                {
                    "id": m.id,
                    "email": m.email,
                    "name": " ".join(x for x in (m.first_name, m.last_name) if x)
                    or None,
                    "status": m.status,
                    "roles": _role_names(req, store.loads(m.roles) or [], custom),
                    "policies": store.loads(m.policies),
                }
                for m in members
            ],
            "tokens": [_token(req, t) for t in tokens],
            "roles": [
                {
                    "id": r.id,
                    "name": r.name,
                    "description": r.description,
                    "permissions": store.loads(r.permissions),
                }
                for r in roles
            ],
        }
    )


@routes.get("/users/{user_id}", operation_id="cfaccounts-user", access=Access.ADMIN)
def user(req: Request) -> Response:
    """One user with their tokens and memberships."""
    user_id = req.params["user_id"]
    with req.services.db.read() as conn:
        row = store.user(conn, user_id)
        if row is None:
            raise errors.NOT_FOUND(what="User")
        tokens = store.tokens_of(conn, user_id=user_id)
        memberships = store.memberships(conn, user_id)
    return _ok(
        {
            "id": row.id,
            "email": row.email,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "tenant_admin": bool(row.tenant_admin),
            "has_api_key": row.api_key_hash is not None,
            "tokens": [_token(req, t) for t in tokens],
            "memberships": [
                {
                    "id": m.id,
                    "account_id": m.account_id,
                    "account_name": m.name,
                    "status": m.status,
                }
                for m in memberships
            ],
        }
    )


@routes.patch(
    "/tokens/{token_id}", operation_id="cfaccounts-token-status", access=Access.ADMIN
)
def token_status(req: Request) -> Response:
    """Set a token's status (active or disabled)."""
    body = req.json_object()
    status = body.get("status")
    if status not in ("active", "disabled"):
        raise errors.INVALID_REQUEST(detail="status: must be 'active' or 'disabled'")
    with req.services.db.write() as conn:
        if not store.set_token_status(conn, req.params["token_id"], status):
            raise errors.NOT_FOUND(what="Token")
    return _ok({"id": req.params["token_id"], "status": status})


@routes.delete(
    "/tokens/{token_id}", operation_id="cfaccounts-token-delete", access=Access.ADMIN
)
def token_delete(req: Request) -> Response:
    """Delete a token."""
    with req.services.db.write() as conn:
        if not store.delete_token(conn, req.params["token_id"]):
            raise errors.NOT_FOUND(what="Token")
    return _ok({"id": req.params["token_id"]})
