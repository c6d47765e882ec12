"""HTTP handlers for IAM permission groups (read-only) and resource groups.

Both are account settings: reading them takes Account Settings Read or Write, and
changing resource groups takes Account Settings Write (and, for a person, the standing
to manage members, since resource groups decide what member policies grant).
"""

from __future__ import annotations

from .. import errors
from ..catalog import groups
from ..http import Access, Request, Response, RouteTable, ok, page
from ..http.params import pagination
from ..members.service import require_manager
from . import service, store, wire

routes = RouteTable()

READ_GROUPS = groups("Account Settings Write", "Account Settings Read")
WRITE_GROUPS = groups("Account Settings Write")


def _filter(req: Request, name: str) -> str | None:
    value = req.arg(name)
    return value if value else None


@routes.get(
    "/accounts/{account_id}/iam/permission_groups",
    operation_id="account-permission-group-list",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
)
def list_permission_groups(req: Request) -> Response:
    """List Account Permission Groups"""
    paging = pagination(req)
    group_id, label, name = (_filter(req, k) for k in ("id", "label", "name"))
    found = [
        wire.permission_group(role)
        for role in req.services.catalogue.roles
        if (group_id is None or role.id == group_id)
        and (name is None or role.name.casefold() == name.casefold())
        and (label is None or wire.label(role.name) == label.casefold())
    ]
    start = paging.offset
    return page(
        found[start : start + paging.per_page],
        page=paging.page,
        per_page=paging.per_page,
        total=len(found),
    )


@routes.get(
    "/accounts/{account_id}/iam/permission_groups/{permission_group_id}",
    operation_id="account-permission-group-details",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
)
def permission_group_details(req: Request) -> Response:
    """Permission Group Details"""
    role = req.services.catalogue.roles_by_id.get(req.params["permission_group_id"])
    if role is None:
        raise errors.NOT_FOUND(what="Permission group")
    return ok(wire.permission_group(role))


@routes.get(
    "/accounts/{account_id}/iam/resource_groups",
    operation_id="account-resource-group-list",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
)
def list_resource_groups(req: Request) -> Response:
    """List Resource Groups"""
    # The SDK reads this list as one page and never asks for another, so the whole
    # list is the answer unless the caller asks for a page.
    paged = req.arg("page") is not None or req.arg("per_page") is not None
    paging = pagination(req)
    with req.services.db.read() as conn:
        total, rows = store.resource_groups(
            conn,
            req.params["account_id"],
            group_id=_filter(req, "id"),
            name=_filter(req, "name"),
            offset=paging.offset if paged else 0,
            limit=paging.per_page if paged else None,
        )
    items = [wire.resource_group(row) for row in rows]
    if paged:
        return page(items, page=paging.page, per_page=paging.per_page, total=total)
    return page(items, page=1, per_page=max(total, 1), total=total)


@routes.get(
    "/accounts/{account_id}/iam/resource_groups/{resource_group_id}",
    operation_id="account-resource-group-details",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
)
def resource_group_details(req: Request) -> Response:
    """Resource Group Details"""
    with req.services.db.read() as conn:
        row = store.resource_group(
            conn, req.params["account_id"], req.params["resource_group_id"]
        )
    if row is None:
        raise errors.NOT_FOUND(what="Resource group")
    return ok(wire.resource_group(row))


@routes.post(
    "/accounts/{account_id}/iam/resource_groups",
    operation_id="account-resource-group-create",
    access=Access.ACCOUNT,
    groups=WRITE_GROUPS,
)
def create_resource_group(req: Request) -> Response:
    """Create Resource Group"""
    require_manager(req)
    body = req.json_object()
    with req.services.db.write() as conn:
        group = service.create(conn, req, req.params["account_id"], body)
    return ok(group)


@routes.put(
    "/accounts/{account_id}/iam/resource_groups/{resource_group_id}",
    operation_id="account-resource-group-update",
    access=Access.ACCOUNT,
    groups=WRITE_GROUPS,
)
def update_resource_group(req: Request) -> Response:
    """Update Resource Group"""
    require_manager(req)
    body = req.json_object()
    with req.services.db.write() as conn:
        group = service.update(
            conn,
            req,
            req.params["account_id"],
            req.params["resource_group_id"],
            body,
        )
    return ok(group)


@routes.delete(
    "/accounts/{account_id}/iam/resource_groups/{resource_group_id}",
    operation_id="account-resource-group-delete",
    access=Access.ACCOUNT,
    groups=WRITE_GROUPS,
)
def delete_resource_group(req: Request) -> Response:
    """Remove Resource Group"""
    require_manager(req)
    group_id = req.params["resource_group_id"]
    with req.services.db.write() as conn:
        service.delete(conn, req, req.params["account_id"], group_id)
    return ok({"id": group_id})
