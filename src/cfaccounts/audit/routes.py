"""HTTP handlers for reading the audit log: version 2 (cursor-paged, array filters)
and version 1 (page-numbered)."""

from __future__ import annotations

from typing import Any

from .. import errors
from ..catalog import groups
from ..http import Access, Request, Response, RouteTable, ok, page
from ..http.params import direction, pagination
from ..http.response import raw_json
from . import categories, query, store, wire
from .openapi import CATEGORIES_OPENAPI, HISTORY_OPENAPI, V1_OPENAPI, V2_OPENAPI

routes = RouteTable()

READ_GROUPS = groups("Account Settings Write", "Account Settings Read")


@routes.get(
    "/accounts/{account_id}/logs/audit",
    operation_id="audit-logs-v2-get-account-audit-logs",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
    openapi=V2_OPENAPI,
)
def list_audit_logs_v2(req: Request) -> Response:
    """Get account audit logs (Version 2)"""
    conditions = [*query.time_window(req, required=True), *query.v2_filters(req)]
    return _cursor_page(req, conditions)


def _cursor_page(
    req: Request,
    conditions: list[Any],
    info: dict[str, Any] | None = None,
    *,
    empty: bool = False,
) -> Response:
    """One cursor page of the account's events matching ``conditions``."""
    order = direction(req, default="desc")
    size = query.limit(req)
    raw_cursor = req.arg("cursor")
    cursor = query.Cursor.decode(raw_cursor, order) if raw_cursor else None
    rows: list[Any] = []
    more = False
    if not empty:
        with req.services.db.read() as conn:
            rows, more = store.v2_page(
                conn,
                req.params["account_id"],
                conditions,
                descending=order == "desc",
                cursor=cursor,
                limit=size,
            )
    result_info: dict[str, Any] = {"count": str(len(rows)), **(info or {})}
    if more and rows:
        after = query.Cursor(rows[-1].seq, order).encode()
        # The Python SDK of 2025 reads ``cursor``, the SDKs of 2026 ``cursors.after``.
        result_info["cursor"] = after
        result_info["cursors"] = {"after": after}
    return raw_json(
        200,
        {
            "result": [wire.v2(row) for row in rows],
            "result_info": result_info,
            "success": True,
            "errors": [],
            "messages": [],
        },
    )


@routes.get(
    "/accounts/{account_id}/logs/audit/product_categories",
    operation_id="audit-logs-v2-list-product-categories",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
    openapi=CATEGORIES_OPENAPI,
)
def list_product_categories(req: Request) -> Response:
    """List audit log product categories"""
    return ok(categories.wire())


@routes.get(
    "/accounts/{account_id}/logs/audit/{id}/history",
    operation_id="audit-logs-v2-get-resource-history",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
    openapi=HISTORY_OPENAPI,
)
def resource_history(req: Request) -> Response:
    """Get the change history of an audit log entry's resource"""
    raw_time = req.arg("action_time")
    if not raw_time:
        raise query.bad("action_time", "is required (the entry's action.time)")
    query.parse_time("action_time", raw_time)
    window = query.time_window(req, required=True)
    event_id = req.params["id"].strip().lower()
    with req.services.db.read() as conn:
        source = store.event(conn, req.params["account_id"], event_id)
    if source is None:
        raise errors.NOT_FOUND(what="Audit log")
    if source.resource_id is None:
        # Nothing identifies the resource: the history cannot be told.
        return _cursor_page(req, [], {"history_status": "unavailable"}, empty=True)
    same = store.same_resource(source)
    return _cursor_page(req, [*window, *same], {"history_status": "exact"})


@routes.get(
    "/accounts/{account_id}/audit_logs",
    operation_id="audit-logs-get-account-audit-logs",
    access=Access.ACCOUNT,
    groups=READ_GROUPS,
    openapi=V1_OPENAPI,
)
def list_audit_logs_v1(req: Request) -> Response:
    """Get account audit logs"""
    paging = pagination(req, default_per_page=100, low=1, high=1000)
    order = direction(req, default="desc")
    filters = query.v1_filters(req)
    window = query.time_window(req, required=False)
    with req.services.db.read() as conn:
        total, rows = store.v1_page(
            conn,
            req.params["account_id"],
            filters,
            window,
            descending=order == "desc",
            offset=paging.offset,
            limit=paging.per_page,
        )
    items = [wire.v1(row) for row in rows]
    return page(items, page=paging.page, per_page=paging.per_page, total=total)
