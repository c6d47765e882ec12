"""HTTP handlers for accounts. Thin: parse, call the service, record the audit
event in the same transaction, shape the answer."""

from __future__ import annotations

from .. import errors
from ..audit.record import record
from ..catalog import groups
from ..http import Access, Request, Response, RouteTable, ok, page
from ..http.params import Pagination, direction, pagination
from ..storage.database import Database
from . import service, store, wire

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
    account_id = req.params["account_id"]
    db = req.services.db
    # The answer is kept until the data changes, like the credentials that reach it.
    body = req.services.reads.read(
        "account details", account_id, lambda: _details_body(db, account_id)
    )
    if body is None:
        raise errors.UNAUTHORIZED()
    return Response(200, body)


def _details_body(db: Database, account_id: str) -> bytes | None:
    row = store.fetch(db, account_id)
    return None if row is None else ok(wire.account(row)).body


@routes.get(
    "/accounts",
    operation_id="accounts-list-accounts",
    access=Access.AUTHENTICATED,
)
def list_accounts(req: Request) -> Response:
    """List Accounts"""
    principal = req.principal
    assert principal is not None
    email = principal.email
    if principal.kind == "account_token" or email is None:
        raise errors.ACCOUNT_TOKEN_LIST_ACCOUNTS()
    paging = pagination(req)
    descending = direction(req) == "desc"
    include, exclude = None, frozenset[str]()
    if principal.token is not None:
        include, exclude = service.token_account_scope(principal.token.policies)
    name = req.arg("name")
    # A page is kept until the data changes, like Account Details; its key is
    # everything the answer depends on: the caller, what their token reaches, and
    # the query.
    key = (
        email,
        include,
        exclude,
        name,
        descending,
        paging.page,
        paging.per_page,
    )
    body = req.services.pages.read(
        "accounts",
        key,
        lambda: _list_body(
            req.services.db,
            email=email,
            include=include,
            exclude=exclude,
            name=name,
            descending=descending,
            paging=paging,
        ),
    )
    return Response(200, body)


def _list_body(
    db: Database,
    *,
    email: str,
    include: frozenset[str] | None,
    exclude: frozenset[str],
    name: str | None,
    descending: bool,
    paging: Pagination,
) -> bytes:
    rows, total = store.page_for_member(
        db,
        email=email,
        include=include,
        exclude=exclude,
        name=name,
        descending=descending,
        limit=paging.per_page,
        offset=paging.offset,
    )
    return page(
        [wire.account(r) for r in rows],
        page=paging.page,
        per_page=paging.per_page,
        total=total,
    ).body


@routes.post(
    "/accounts",
    operation_id="account-creation",
    access=Access.AUTHENTICATED,
)
def create_account(req: Request) -> Response:
    """Create an account"""
    principal = req.principal
    assert principal is not None
    if principal.kind == "account_token":
        raise errors.USER_AUTH_REQUIRED()
    # Writes are serialized, so the idempotency check below holds until commit: two
    # creates racing with the same key make one account, and both answer with it.
    with req.services.db.write() as conn:
        # Who may create comes before what the body says, so that a refused caller
        # learns nothing from validation errors.
        user_id = service.check_may_create(conn, principal, req.services.catalogue)
        new = service.parse_create(req.json_object())
        key = service.check_idempotency_key(req.headers.get("idempotency-key"))
        assert principal.email is not None
        row, created = service.create(
            conn,
            user_id=user_id,
            email=principal.email,
            new=new,
            idempotency_key=key,
        )
        shown = wire.account(row)
        if created:
            record(
                conn,
                req,
                account_id=row.id,
                account_name=row.name,
                action_type="create",
                description="Create account",
                resource_type="account",
                resource_id=row.id,
                product="accounts",
                after=shown,
            )
    return ok(shown)


@routes.put(
    "/accounts/{account_id}",
    operation_id="accounts-update-account",
    access=Access.ACCOUNT,
    groups=groups("Account Settings Write"),
)
def update_account(req: Request) -> Response:
    """Update Account"""
    account_id = req.params["account_id"]
    body = req.json_object()
    with req.services.db.write() as conn:
        current = store.get(conn, account_id)
        if current is None:
            raise errors.UNAUTHORIZED()
        values = service.parse_update(body, current)
        before = wire.account(current)
        store.update(conn, account_id, **values)
        row = store.get(conn, account_id)
        after = wire.account(row)
        record(
            conn,
            req,
            account_id=account_id,
            account_name=row.name,
            action_type="update",
            description="Update account",
            resource_type="account",
            resource_id=account_id,
            product="accounts",
            before=before,
            after=after,
        )
    return ok(after)


@routes.delete(
    "/accounts/{account_id}",
    operation_id="account-deletion",
    access=Access.ACCOUNT,
    groups=groups("Account Settings Write"),
)
def delete_account(req: Request) -> Response:
    """Delete a specific account"""
    account_id = req.params["account_id"]
    principal = req.principal
    assert principal is not None
    with req.services.db.write() as conn:
        service.check_may_delete(conn, principal)
        current = store.get(conn, account_id)
        if current is None:
            raise errors.UNAUTHORIZED()
        before = wire.account(current)
        store.delete(conn, account_id)
        record(
            conn,
            req,
            account_id=account_id,
            account_name=current.name,
            action_type="delete",
            description="Delete account",
            resource_type="account",
            resource_id=account_id,
            product="accounts",
            before=before,
        )
    return ok({"id": account_id})
