"""HTTP handlers for memberships: the calling user's side of account members."""

from __future__ import annotations

from typing import Any

from .. import errors
from ..audit.record import record
from ..catalog import USER_SCOPE, groups
from ..http import Access, Request, Response, RouteTable, ok, page
from ..http.params import choice, direction, pagination
from . import openapi, service, store, wire

routes = RouteTable()

READ_GROUPS = groups("Memberships Write", "Memberships Read", scope=USER_SCOPE)
WRITE_GROUPS = groups("Memberships Write", scope=USER_SCOPE)

_ORDER: dict[str, store.Order] = {
    "id": "member_id",
    "account.name": "account_name",
    "status": "status",
}


def _email(req: Request) -> str:
    principal = req.principal
    assert principal is not None and principal.email is not None
    return principal.email


def _own(conn: Any, req: Request) -> Any:
    row = store.get(conn, req.params["membership_id"], _email(req))
    if row is None:
        raise errors.NOT_FOUND(what="Membership")
    return row


@routes.get(
    "/memberships",
    operation_id="user'-s-account-memberships-list-memberships",
    openapi=openapi.LIST,
    access=Access.USER,
    groups=READ_GROUPS,
)
def list_memberships(req: Request) -> Response:
    """List Memberships"""
    paging = pagination(req)
    descending = direction(req) == "desc"
    order = _ORDER[choice(req, "order", tuple(_ORDER)) or "account.name"]
    filters = []
    status = choice(req, "status", service.STATUSES)
    if status is not None:
        filters.append(store.status_is(status))
    for name in (req.arg("name"), req.arg("account.name")):
        if name:
            filters.append(store.name_contains(name))
    catalogue = req.services.catalogue
    with req.services.db.read() as conn:
        rows, total = store.list_for_email(
            conn,
            _email(req),
            filters=filters,
            order=order,
            descending=descending,
            limit=paging.per_page,
            offset=paging.offset,
        )
        items = [wire.membership(r, service.grants(conn, catalogue, r)) for r in rows]
    return page(items, page=paging.page, per_page=paging.per_page, total=total)


@routes.get(
    "/memberships/{membership_id}",
    operation_id="user'-s-account-memberships-membership-details",
    openapi=openapi.DETAILS,
    access=Access.USER,
    groups=READ_GROUPS,
)
def membership_details(req: Request) -> Response:
    """Membership Details"""
    catalogue = req.services.catalogue
    with req.services.db.read() as conn:
        row = _own(conn, req)
        shown = wire.membership(
            row,
            service.grants(conn, catalogue, row),
            policies=service.policies(conn, catalogue, row),
        )
    return ok(shown)


@routes.put(
    "/memberships/{membership_id}",
    operation_id="user'-s-account-memberships-update-membership",
    openapi=openapi.UPDATE,
    access=Access.USER,
    groups=WRITE_GROUPS,
)
def update_membership(req: Request) -> Response:
    """Update Membership

    Accept or reject an invitation.
    """
    status = service.parse_answer(req.json_object())
    principal = req.principal
    assert principal is not None and principal.user_id is not None
    catalogue = req.services.catalogue
    with req.services.db.write() as conn:
        row = _own(conn, req)
        grants = service.grants(conn, catalogue, row)
        policies = service.policies(conn, catalogue, row)
        before = wire.membership(row, grants, policies=policies)
        changed = service.answer(conn, row, status, principal.user_id)
        after = wire.membership(row, grants, status=status, policies=policies)
        if changed:
            record(
                conn,
                req,
                account_id=row.account_id,
                account_name=row.account_name,
                action_type="update" if status == "accepted" else "delete",
                description=(
                    "Accept invitation" if status == "accepted" else "Reject invitation"
                ),
                resource_type="member",
                resource_id=row.id,
                product="members",
                before=before,
                after=after,
            )
    return ok(after)


@routes.delete(
    "/memberships/{membership_id}",
    operation_id="user'-s-account-memberships-delete-membership",
    openapi=openapi.DELETE,
    access=Access.USER,
    groups=WRITE_GROUPS,
)
def delete_membership(req: Request) -> Response:
    """Delete Membership

    Leave the account, or decline an invitation.
    """
    catalogue = req.services.catalogue
    with req.services.db.write() as conn:
        row = _own(conn, req)
        before = wire.membership(row, service.grants(conn, catalogue, row))
        service.leave(conn, req.services.authorizer, row)
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
            before=before,
        )
    return ok({"id": row.id})
