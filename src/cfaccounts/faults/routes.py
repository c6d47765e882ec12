"""Admin API for fault rules, under ``/_cfaccounts/faults`` (admin token required)."""

from __future__ import annotations

from typing import Any

from .. import errors
from ..http import Access, Request, Response, RouteTable
from ..http.response import raw_json
from .rules import FaultError, parse_rule

routes = RouteTable()


def _envelope(result: Any) -> Response:
    return raw_json(
        200, {"success": True, "errors": [], "messages": [], "result": result}
    )


@routes.post("/faults", operation_id="cfaccounts-add-fault", access=Access.ADMIN)
def add_fault(req: Request) -> Response:
    """Add a fault rule (a rule with the id of an existing one replaces it)."""
    try:
        rule = parse_rule(req.json_object(), "body")
    except FaultError as exc:
        raise errors.INVALID_REQUEST(detail=str(exc)) from None
    req.services.faults.add(rule)
    return _envelope(rule.to_wire())


@routes.get("/faults", operation_id="cfaccounts-list-faults", access=Access.ADMIN)
def list_faults(req: Request) -> Response:
    """Every fault rule, in the order they are tried, with how often each fired."""
    return _envelope([r.to_wire() for r in req.services.faults.rules])


@routes.get(
    "/faults/{fault_id}", operation_id="cfaccounts-get-fault", access=Access.ADMIN
)
def get_fault(req: Request) -> Response:
    """One fault rule."""
    rule = req.services.faults.get(req.params["fault_id"])
    if rule is None:
        raise errors.NOT_FOUND(what="fault")
    return _envelope(rule.to_wire())


@routes.delete(
    "/faults/{fault_id}", operation_id="cfaccounts-delete-fault", access=Access.ADMIN
)
def delete_fault(req: Request) -> Response:
    """Remove one fault rule."""
    fault_id = req.params["fault_id"]
    if not req.services.faults.remove(fault_id):
        raise errors.NOT_FOUND(what="fault")
    return _envelope({"id": fault_id})


@routes.delete("/faults", operation_id="cfaccounts-clear-faults", access=Access.ADMIN)
def clear_faults(req: Request) -> Response:
    """Remove every fault rule."""
    return _envelope({"deleted": req.services.faults.clear()})
