"""HTTP handlers for accounts. Thin: parse, call the store, shape the answer."""

from __future__ import annotations

from .. import errors
from ..catalog import groups
from ..http import Access, Request, Response, RouteTable, ok
from . import store, wire

routes = RouteTable()

# "Accepted permissions (at least one required)" of Account Details: nearly every
# account-scoped read or write lets a caller see the account itself.
ACCOUNT_DETAILS_GROUPS = (
    "Trust and Safety Write",
    "Trust and Safety Read",
    "DNS View Write",
    "DNS View Read",
    "SCIM Provisioning",
    "Load Balancers Account Write",
    "Load Balancers Account Read",
    "Zero Trust: PII Read",
    "DDoS Botnet Feed Write",
    "DDoS Botnet Feed Read",
    "Workers R2 Storage Write",
    "Workers R2 Storage Read",
    "DDoS Protection Write",
    "DDoS Protection Read",
    "Workers Tail Read",
    "Workers KV Storage Write",
    "Workers KV Storage Read",
    "Workers Scripts Write",
    "Workers Scripts Read",
    "Load Balancing: Monitors and Pools Write",
    "Load Balancing: Monitors and Pools Read",
    "Account Firewall Access Rules Write",
    "Account Firewall Access Rules Read",
    "DNS Firewall Write",
    "DNS Firewall Read",
    "Billing Write",
    "Billing Read",
    "Account Settings Write",
    "Account Settings Read",
)


@routes.get(
    "/accounts/{account_id}",
    operation_id="accounts-account-details",
    access=Access.ACCOUNT,
    groups=groups(*ACCOUNT_DETAILS_GROUPS),
)
def account_details(req: Request) -> Response:
    """Account Details"""
    with req.services.db.read() as conn:
        row = store.get(conn, req.params["account_id"])
    if row is None:
        raise errors.UNAUTHORIZED()
    return ok(wire.account(row))
