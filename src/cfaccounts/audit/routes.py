"""HTTP handlers for reading the audit log: version 2 (cursor-paged, array filters)
and version 1 (page-numbered)."""

from __future__ import annotations

from ..catalog import groups
from ..http import Access, Request, Response, RouteTable, page
from ..http.params import direction, pagination
from ..http.response import raw_json
from . import query, store, wire
from .openapi import V1_OPENAPI, V2_OPENAPI

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
    order = direction(req, default="desc")
    size = query.limit(req)
    raw_cursor = req.arg("cursor")
    cursor = query.Cursor.decode(raw_cursor, order) if raw_cursor else None
    with req.services.db.read() as conn:
        rows, more = store.v2_page(
            conn,
            req.params["account_id"],
            conditions,
            descending=order == "desc",
            cursor=cursor,
            limit=size,
        )
    info: dict[str, object] = {"count": str(len(rows))}
    if more and rows:
        after = query.Cursor(rows[-1].seq, order).encode()
        # The Python SDK of 2025 reads ``cursor``, the SDKs of 2026 ``cursors.after``.
        info["cursor"] = after
        info["cursors"] = {"after": after}
    return raw_json(
        200,
        {
            "result": [wire.v2(row) for row in rows],
            "result_info": info,
            "success": True,
            "errors": [],
            "messages": [],
        },
    )


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
