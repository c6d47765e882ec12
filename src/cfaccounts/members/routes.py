"""HTTP handlers for account members: parse, call the service, shape the answer."""

from __future__ import annotations

from .. import errors
from ..catalog import groups
from ..http import Access, Request, Response, RouteTable, ok, page
from ..http.params import choice, direction, pagination
from ..services import Services
from . import service, store, wire

routes = RouteTable()

READ_GROUPS = groups(
    "SCIM Provisioning", "Account Settings Write", "Account Settings Read"
)
WRITE_GROUPS = groups("SCIM Provisioning", "Account Settings Write")

ORDERS = ("user.first_name", "user.last_name", "user.email", "status")
STATUS_FILTERS = ("accepted", "pending", "rejected")


@routes.get(
    "/accounts/{account_id}/members",
    operation_id="account-members-list-members",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
)
def list_members(req: Request) -> Response:
    """List Members"""
    paging = pagination(req)
    descending = direction(req) == "desc"
    order = choice(req, "order", ORDERS)
    status = choice(req, "status", STATUS_FILTERS)
    if status == "rejected":
        # A rejected invitation is deleted, so no member is ever in that state.
        return page([], page=paging.page, per_page=paging.per_page, total=0)
    account_id = req.params["account_id"]
    with req.services.db.read() as conn:
        total, rows = store.page(
            conn,
            account_id,
            status=status,
            order=order,
            descending=descending,
            offset=paging.offset,
            limit=paging.per_page,
        )
        ctx = wire.Context.load(conn, account_id, req.services.catalogue)
        items = [wire.member(row, ctx) for row in rows]
    return page(items, page=paging.page, per_page=paging.per_page, total=total)


@routes.post(
    "/accounts/{account_id}/members",
    operation_id="account-members-add-member",
    access=Access.ACCOUNT,
    groups=WRITE_GROUPS,
)
def add_member(req: Request) -> Response:
    """Add Member"""
    service.require_manager(req)
    body = req.json_object()
    with req.services.db.write() as conn:
        member = service.add_member(conn, req, req.params["account_id"], body)
    return ok(member)


@routes.get(
    "/accounts/{account_id}/members/{member_id}",
    operation_id="account-members-member-details",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
)
def member_details(req: Request) -> Response:
    """Member Details"""
    account_id, member_id = req.params["account_id"], req.params["member_id"]
    services = req.services
    # The answer is kept until the data changes, like Account Details.
    body = services.reads.read(
        "member details",
        (account_id, member_id),
        lambda: _details_body(services, account_id, member_id),
    )
    if body is None:
        raise errors.NOT_FOUND(what="Member")
    return Response(200, body)


def _details_body(services: Services, account_id: str, member_id: str) -> bytes | None:
    # Most members hold built-in roles and no policies: one statement on the fast
    # path reads all their answer needs. Custom roles and policies need the
    # account's roles and resource groups, read in one transaction with the member.
    row = store.fetch(services.db, account_id, member_id)
    if row is None:
        return None
    if wire.shaped_from_catalogue(row, services.catalogue):
        return ok(
            wire.member(row, wire.Context.catalogue_only(services.catalogue))
        ).body
    with services.db.read() as conn:
        row = store.get(conn, account_id, member_id)
        if row is None:
            return None
        member = wire.member(
            row, wire.Context.load(conn, account_id, services.catalogue)
        )
    return ok(member).body


@routes.put(
    "/accounts/{account_id}/members/{member_id}",
    operation_id="account-members-update-member",
    access=Access.ACCOUNT,
    groups=WRITE_GROUPS,
)
def update_member(req: Request) -> Response:
    """Update Member"""
    service.require_manager(req)
    body = req.json_object()
    with req.services.db.write() as conn:
        member = service.update_member(
            conn, req, req.params["account_id"], req.params["member_id"], body
        )
    return ok(member)


@routes.delete(
    "/accounts/{account_id}/members/{member_id}",
    operation_id="account-members-remove-member",
    access=Access.ACCOUNT,
    groups=WRITE_GROUPS,
)
def remove_member(req: Request) -> Response:
    """Remove Member"""
    service.require_manager(req)
    member_id = req.params["member_id"]
    with req.services.db.write() as conn:
        service.remove_member(conn, req, req.params["account_id"], member_id)
    return ok({"id": member_id})
