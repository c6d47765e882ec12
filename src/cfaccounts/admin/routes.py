"""Admin API handlers: health (open), reset, seed and state (admin token)."""

from __future__ import annotations

from typing import Any

from .. import errors
from ..faults.rules import seed_file_rules
from ..http import Access, Request, Response, RouteTable
from ..http.response import raw_json
from ..seeding import SeedError, export_state, load_document
from ..storage.state import wipe

routes = RouteTable()


def _report(report: Any) -> dict[str, Any]:
    return {
        "users": report.users,
        "accounts": report.accounts,
        "members": report.members,
        "tokens": report.tokens,
        "minted_tokens": report.minted,
        "faults": len(report.faults),
    }


@routes.get("/health", operation_id="cfaccounts-health", access=Access.PUBLIC)
def health(req: Request) -> Response:
    """Liveness and database reachability."""
    req.services.db.ping()
    return raw_json(
        200, {"success": True, "errors": [], "messages": [], "result": {"status": "ok"}}
    )


@routes.post("/reset", operation_id="cfaccounts-reset", access=Access.ADMIN)
def reset(req: Request) -> Response:
    """Wipe the database, then load the start-up seeds again."""
    services = req.services
    wipe(services.db)
    from ..server import load_startup_seeds, startup_seed_paths

    report = load_startup_seeds(services, force=True)
    # Fault rules go back to those of the start-up seed files (none without them).
    services.faults.clear()
    services.faults.extend(seed_file_rules(startup_seed_paths(services.settings)))
    if services.rate_limiter is not None:
        services.rate_limiter.reset()  # every budget starts again
    return raw_json(
        200, {"success": True, "errors": [], "messages": [], "result": _report(report)}
    )


@routes.post("/seed", operation_id="cfaccounts-seed", access=Access.ADMIN)
def seed(req: Request) -> Response:
    """Load a seed document (JSON body) into the running server."""
    doc = req.json()
    services = req.services
    try:
        report = load_document(services.db, services.hasher, services.catalogue, doc)
    except SeedError as exc:
        raise errors.INVALID_REQUEST(detail=str(exc)) from None
    services.faults.extend(report.faults)
    return raw_json(
        200, {"success": True, "errors": [], "messages": [], "result": _report(report)}
    )


@routes.get("/state", operation_id="cfaccounts-state", access=Access.ADMIN)
def state(req: Request) -> Response:
    """The whole state as a seed document (secrets as hashes only)."""
    with req.services.db.read() as conn:
        doc = export_state(conn)
    if req.services.faults.rules:
        doc["faults"] = [r.to_seed() for r in req.services.faults.rules]
    return raw_json(200, {"success": True, "errors": [], "messages": [], "result": doc})


@routes.get("/openapi.json", operation_id="cfaccounts-openapi", access=Access.PUBLIC)
def openapi_document(req: Request) -> Response:
    """This server's OpenAPI 3.0.3 document, generated from its routes."""
    from ..openapi.serve import document_bytes

    return Response(200, document_bytes(req.services.settings.prefix))
