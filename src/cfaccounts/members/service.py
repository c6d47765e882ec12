"""The rules of membership.

* A member is created with roles or with policies, never both and never neither. Roles
  are built-in role ids or the account's custom role ids; policies name IAM permission
  groups (the built-in roles) and the account's resource groups.
* Adding an email that has no user yet creates an invitation: a ``pending`` member with
  no user behind it. ``accepted`` can only be asked for a person who has a user.
* Only a member who may manage members (a Super Administrator, or a custom role that
  can edit members) adds, changes or removes members with a global key or a user token;
  an account-owned token is judged by its permission groups alone.
* The account always keeps one accepted member who can manage members, so a change that
  would remove the last one is refused.

Everything is validated before anything is written, and every change is recorded as an
audit event in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from .. import errors, times
from ..audit.record import ActionType, record
from ..auth.authenticate import EMAIL_RE
from ..catalog import Catalogue
from ..iam import store as iam_store
from ..ids import is_id, new_id
from ..roles import store as role_store
from . import store, wire

if TYPE_CHECKING:
    from ..http.request import Request

STATUSES = ("accepted", "pending")
MAX_EMAIL = 90
MAX_POLICIES = 100
MAX_GROUPS = 100
NOT_BOTH = "account member must be created with roles or policies (not both)"
NEITHER = "account member must be created with roles or policies"


@dataclass(frozen=True, slots=True)
class Grants:
    """What a member is given: role ids, or policies (stored shape)."""

    roles: list[str]
    policies: list[dict[str, Any]] | None


def _bad(detail: str) -> errors.ApiError:
    return errors.INVALID_REQUEST(detail=detail)


def _given(body: dict[str, Any], key: str) -> bool:
    value = body.get(key)
    return value is not None and value != []


# -- parsing --------------------------------------------------------------------------
def parse_email(body: dict[str, Any]) -> str:
    value = body.get("email")
    if not isinstance(value, str) or not value.strip():
        raise _bad("email: is required")
    email = value.strip().lower()
    if len(email) > MAX_EMAIL or not EMAIL_RE.fullmatch(email):
        raise _bad(f"email: must be an email address of at most {MAX_EMAIL} characters")
    return email


def parse_status(body: dict[str, Any]) -> str | None:
    value = body.get("status")
    if value is None:
        return None
    if value not in STATUSES:
        raise _bad("status: must be 'accepted' or 'pending'")
    return str(value)


def parse_roles(
    conn: Connection, account_id: str, value: Any, catalogue: Catalogue
) -> list[str]:
    """Role ids, given as strings (create) or ``{id}`` objects (update); unknown ids
    are refused as a whole with the real API's 1001."""
    if not isinstance(value, list):
        raise _bad("roles: must be a list of role ids")
    out: list[str] = []
    for i, item in enumerate(value):
        rid = item.get("id") if isinstance(item, dict) else item
        if not isinstance(rid, str):
            raise _bad(f"roles[{i}]: must be a role id or an object with an id")
        if rid not in out:
            out.append(rid)
    for rid in out:
        if rid in catalogue.roles_by_id:
            continue
        if not is_id(rid) or role_store.custom_role(conn, account_id, rid) is None:
            raise errors.INVALID_ROLES()
    return out


def _group_ids(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise _bad(f"{where}: must be a non-empty list of {{id}} objects")
    if len(value) > MAX_GROUPS:
        raise _bad(f"{where}: at most {MAX_GROUPS} groups")
    out: list[str] = []
    for j, item in enumerate(value):
        gid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(gid, str) or not gid:
            raise _bad(f"{where}[{j}].id: id must be present")
        if gid not in out:
            out.append(gid)
    return out


def parse_policies(
    conn: Connection, account_id: str, value: Any, catalogue: Catalogue
) -> list[dict[str, Any]]:
    """Member policies in their stored shape, every permission group a built-in role
    and every resource group one of the account's."""
    if not isinstance(value, list):
        raise _bad("policies: must be a list of policies")
    if len(value) > MAX_POLICIES:
        raise _bad(f"policies: at most {MAX_POLICIES} policies")
    known_resource_groups = iam_store.by_id(conn, account_id)
    out = []
    for i, policy in enumerate(value):
        here = f"policies[{i}]"
        if not isinstance(policy, dict):
            raise _bad(f"{here}: must be an object")
        access = policy.get("access")
        if access not in ("allow", "deny"):
            raise _bad(f"{here}.access: must be 'allow' or 'deny'")
        pgs = _group_ids(policy.get("permission_groups"), f"{here}.permission_groups")
        for j, gid in enumerate(pgs):
            if gid not in catalogue.roles_by_id:
                raise _bad(
                    f"{here}.permission_groups[{j}].id: "
                    f"unknown permission group {gid!r}"
                )
        rgs = _group_ids(policy.get("resource_groups"), f"{here}.resource_groups")
        for j, gid in enumerate(rgs):
            if gid not in known_resource_groups:
                raise _bad(
                    f"{here}.resource_groups[{j}].id: unknown resource group {gid!r}"
                )
        pid = policy.get("id")
        out.append(
            {
                "id": pid if isinstance(pid, str) and is_id(pid) else new_id(),
                "access": access,
                "permission_groups": [{"id": g} for g in pgs],
                "resource_groups": [{"id": g} for g in rgs],
            }
        )
    return out


def parse_grants(
    conn: Connection, account_id: str, body: dict[str, Any], catalogue: Catalogue
) -> Grants:
    """Roles XOR policies. A key that is absent, null or an empty list counts as not
    given."""
    has_roles, has_policies = _given(body, "roles"), _given(body, "policies")
    if has_roles and has_policies:
        raise _bad(NOT_BOTH)
    if has_roles:
        return Grants(parse_roles(conn, account_id, body["roles"], catalogue), None)
    if has_policies:
        return Grants([], parse_policies(conn, account_id, body["policies"], catalogue))
    raise _bad(NEITHER)


# -- rules ----------------------------------------------------------------------------
def require_manager(req: Request) -> None:
    """Refuse a key or user-token caller whose membership cannot manage members."""
    principal = req.principal
    if principal is None or principal.kind == "account_token":
        return
    decision = req.decision
    if decision is None or not decision.details.get("manage_members"):
        raise errors.UNAUTHORIZED()


def _is_manager(req: Request, conn: Connection, account_id: str, email: str) -> bool:
    _, manage = req.services.authorizer.member_groups(conn, account_id, email)
    return manage


def has_a_manager(req: Request, conn: Connection, account_id: str) -> bool:
    """Whether an accepted member of the account can manage members."""
    return any(
        _is_manager(req, conn, account_id, email)
        for email in store.accepted_emails(conn, account_id)
    )


def keep_a_manager(req: Request, conn: Connection, account_id: str) -> None:
    """Called after a change, in its transaction: refuse it (rolling it back) when no
    accepted member can manage members any more."""
    if not has_a_manager(req, conn, account_id):
        raise errors.CONFLICT(
            detail="the account must keep at least one member who can manage members"
        ).with_headers(x_should_retry="false")


def _audit(
    conn: Connection,
    req: Request,
    account_id: str,
    action: ActionType,
    description: str,
    member_id: str,
    before: Any,
    after: Any,
) -> None:
    record(
        conn,
        req,
        account_id=account_id,
        action_type=action,
        description=description,
        resource_type="member",
        resource_id=member_id,
        product="members",
        before=before,
        after=after,
    )


def _shown(
    conn: Connection, req: Request, account_id: str, member_id: str
) -> dict[str, Any]:
    row = store.get(conn, account_id, member_id)
    return wire.member(row, wire.Context.load(conn, account_id, req.services.catalogue))


# -- operations -----------------------------------------------------------------------
def add_member(
    conn: Connection, req: Request, account_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Add a member (or invite one); the new member as the API shows it."""
    catalogue = req.services.catalogue
    email = parse_email(body)
    status = parse_status(body) or "pending"
    grants = parse_grants(conn, account_id, body, catalogue)
    user_id = store.user_id_by_email(conn, email)
    if status == "accepted" and user_id is None:
        raise _bad(
            f"status: {email} has no Cloudflare user yet, so the member can only be "
            "invited (status pending)"
        )
    conflict = errors.CONFLICT(
        detail=f"{email} is already a member of this account"
    ).with_headers(x_should_retry="false")
    if store.id_by_email(conn, account_id, email) is not None:
        raise conflict
    member_id = new_id()
    try:
        store.insert(
            conn,
            id=member_id,
            account_id=account_id,
            user_id=user_id,
            email=email,
            status=status,
            roles=orjson.dumps(grants.roles).decode(),
            policies=_policies_text(grants.policies),
            created_on=times.now_db(),
        )
    except IntegrityError:
        raise conflict from None
    after = _shown(conn, req, account_id, member_id)
    _audit(conn, req, account_id, "create", "Add Member", member_id, None, after)
    return after


def update_member(
    conn: Connection,
    req: Request,
    account_id: str,
    member_id: str,
    body: dict[str, Any],
) -> dict[str, Any]:
    """Replace a member's roles or policies; the member as it now is."""
    row = store.get(conn, account_id, member_id)
    if row is None:
        raise errors.NOT_FOUND(what="Member")
    grants = parse_grants(conn, account_id, body, req.services.catalogue)
    status = parse_status(body) or row.status
    if status != row.status:
        if status == "pending":
            raise _bad("status: an accepted member cannot be made pending again")
        if row.u_id is None:
            raise _bad(f"status: {row.email} has no Cloudflare user yet")
    before = _shown(conn, req, account_id, member_id)
    was_manager = row.status == "accepted" and _is_manager(
        req, conn, account_id, row.email
    )
    store.update(
        conn,
        member_id,
        status=status,
        user_id=row.u_id,
        roles=orjson.dumps(grants.roles).decode(),
        policies=_policies_text(grants.policies),
    )
    if was_manager:
        keep_a_manager(req, conn, account_id)
    after = _shown(conn, req, account_id, member_id)
    _audit(conn, req, account_id, "update", "Update Member", member_id, before, after)
    return after


def remove_member(
    conn: Connection, req: Request, account_id: str, member_id: str
) -> None:
    """Remove a member; the person loses access to the account at once."""
    row = store.get(conn, account_id, member_id)
    if row is None:
        raise errors.NOT_FOUND(what="Member")
    before = _shown(conn, req, account_id, member_id)
    was_manager = row.status == "accepted" and _is_manager(
        req, conn, account_id, row.email
    )
    store.delete(conn, member_id)
    if was_manager:
        keep_a_manager(req, conn, account_id)
    _audit(conn, req, account_id, "delete", "Remove Member", member_id, before, None)


def _policies_text(policies: list[dict[str, Any]] | None) -> str | None:
    return orjson.dumps(policies).decode() if policies else None
