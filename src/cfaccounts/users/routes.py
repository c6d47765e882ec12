"""HTTP handlers for the user (``/user``) and the legacy organizations
(``/user/organizations``), which show the user's memberships as organizations."""

from __future__ import annotations

from typing import Any

from .. import errors, times
from ..audit.record import record
from ..catalog import USER_SCOPE, groups
from ..http import Access, Request, Response, RouteTable, ok, page
from ..http.params import choice, direction, pagination
from ..http.response import raw_json
from ..memberships import service as memberships
from ..memberships import store as membership_store
from ..memberships import wire as membership_wire
from . import service, store

routes = RouteTable()

USER_READ = groups("User Details Write", "User Details Read", scope=USER_SCOPE)
USER_WRITE = groups("User Details Write", scope=USER_SCOPE)
MEMBERSHIPS_READ = groups("Memberships Write", "Memberships Read", scope=USER_SCOPE)
MEMBERSHIPS_WRITE = groups("Memberships Write", scope=USER_SCOPE)

_ORGANIZATION_ORDER: dict[str, membership_store.Order] = {
    "id": "account_id",
    "name": "account_name",
    "status": "status",
}
_ORGANIZATION_STATUS = {"member": "accepted", "invited": "pending"}


def _user_id(req: Request) -> str:
    principal = req.principal
    assert principal is not None and principal.user_id is not None
    return principal.user_id


def _email(req: Request) -> str:
    principal = req.principal
    assert principal is not None and principal.email is not None
    return principal.email


@routes.get(
    "/user",
    operation_id="user-user-details",
    access=Access.USER,
    groups=USER_READ,
)
def user_details(req: Request) -> Response:
    """User Details"""
    with req.services.db.read() as conn:
        return ok(service.shown(conn, req.services.catalogue, _user_id(req)))


@routes.patch(
    "/user",
    operation_id="user-edit-user",
    access=Access.USER,
    groups=USER_WRITE,
)
def edit_user(req: Request) -> Response:
    """Edit User"""
    values = service.parse_edit(req.json_object())
    user_id = _user_id(req)
    catalogue = req.services.catalogue
    with req.services.db.write() as conn:
        current = service.current(conn, user_id)
        if values:
            store.update(conn, user_id, modified_on=times.now_db(), **values)
        after = service.shown(conn, catalogue, user_id)
        if values:
            # A user belongs to no one account: the event is kept under the user's
            # id, where no account's log shows it but a user's log can find it.
            record(
                conn,
                req,
                account_id=user_id,
                action_type="update",
                description="Edit user",
                resource_type="user",
                resource_id=user_id,
                product="user",
                before={k: getattr(current, k) for k in values},
                after={k: after[k] for k in values},
            )
    return ok(after)


# -- legacy organizations --------------------------------------------------------------
def _organization(conn: Any, req: Request) -> Any:
    row = membership_store.get_by_account(
        conn, req.params["organization_id"], _email(req)
    )
    if row is None:
        # An organization is an account: one that is not the caller's is refused
        # exactly like one that does not exist.
        raise errors.UNAUTHORIZED()
    return row


@routes.get(
    "/user/organizations",
    operation_id="user'-s-organizations-list-organizations",
    access=Access.USER,
    groups=MEMBERSHIPS_READ,
)
def list_organizations(req: Request) -> Response:
    """List Organizations"""
    paging = pagination(req)
    descending = direction(req) == "desc"
    order = _ORGANIZATION_ORDER[
        choice(req, "order", tuple(_ORGANIZATION_ORDER)) or "name"
    ]
    match_any = (choice(req, "match", ("any", "all")) or "all") == "any"
    filters = []
    name = req.arg("name")
    if name:
        filters.append(membership_store.name_contains(name))
    status = choice(req, "status", tuple(_ORGANIZATION_STATUS))
    if status is not None:
        filters.append(membership_store.status_is(_ORGANIZATION_STATUS[status]))
    catalogue = req.services.catalogue
    with req.services.db.read() as conn:
        rows, total = membership_store.list_for_email(
            conn,
            _email(req),
            filters=filters,
            match_any=match_any,
            order=order,
            descending=descending,
            limit=paging.per_page,
            offset=paging.offset,
        )
        items = [
            membership_wire.organization(r, memberships.grants(conn, catalogue, r))
            for r in rows
        ]
    return page(items, page=paging.page, per_page=paging.per_page, total=total)


@routes.get(
    "/user/organizations/{organization_id}",
    operation_id="user'-s-organizations-organization-details",
    access=Access.USER,
    groups=MEMBERSHIPS_READ,
)
def organization_details(req: Request) -> Response:
    """Organization Details"""
    with req.services.db.read() as conn:
        row = _organization(conn, req)
        grants = memberships.grants(conn, req.services.catalogue, row)
        return ok(membership_wire.organization(row, grants))


@routes.delete(
    "/user/organizations/{organization_id}",
    operation_id="user'-s-organizations-leave-organization",
    access=Access.USER,
    groups=MEMBERSHIPS_WRITE,
)
def leave_organization(req: Request) -> Response:
    """Leave Organization

    The answer is the bare ``{"id": ...}`` without the envelope, as the real API's.
    """
    with req.services.db.write() as conn:
        row = _organization(conn, req)
        grants = memberships.grants(conn, req.services.catalogue, row)
        memberships.leave(conn, req.services.authorizer, row)
        record(
            conn,
            req,
            account_id=row.account_id,
            account_name=row.account_name,
            action_type="delete",
            description="Leave account",
            resource_type="member",
            resource_id=row.id,
            product="members",
            before=membership_wire.organization(row, grants),
        )
    return raw_json(200, {"id": row.account_id})
