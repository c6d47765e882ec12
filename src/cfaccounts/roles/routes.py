"""HTTP handlers for roles: the built-in roles, then the account's custom roles."""

from __future__ import annotations

from typing import Any

from .. import errors
from ..catalog import groups
from ..http import Access, Request, Response, RouteTable, ok, page
from ..http.params import pagination
from . import store, wire

routes = RouteTable()

READ_GROUPS = groups(
    "SCIM Provisioning", "Account Settings Write", "Account Settings Read"
)


@routes.get(
    "/accounts/{account_id}/roles",
    operation_id="account-roles-list-roles",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
)
def list_roles(req: Request) -> Response:
    """List Roles"""
    paging = pagination(req)
    builtin = req.services.catalogue.roles
    with req.services.db.read() as conn:
        custom = store.custom_roles(conn, req.params["account_id"])
    total = len(builtin) + len(custom)
    start, end = paging.offset, paging.offset + paging.per_page
    items: list[dict[str, Any]] = [wire.builtin_role(r) for r in builtin[start:end]]
    if len(items) < paging.per_page:
        skip = max(0, start - len(builtin))
        wanted = paging.per_page - len(items)
        items += [wire.custom_role(r) for r in custom[skip : skip + wanted]]
    return page(items, page=paging.page, per_page=paging.per_page, total=total)


@routes.get(
    "/accounts/{account_id}/roles/{role_id}",
    operation_id="account-roles-role-details",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
)
def role_details(req: Request) -> Response:
    """Role Details"""
    role_id = req.params["role_id"]
    builtin = req.services.catalogue.roles_by_id.get(role_id)
    if builtin is not None:
        return ok(wire.builtin_role(builtin))
    with req.services.db.read() as conn:
        row = store.custom_role(conn, req.params["account_id"], role_id)
    if row is None:
        raise errors.NOT_FOUND(what="Role")
    return ok(wire.custom_role(row))
