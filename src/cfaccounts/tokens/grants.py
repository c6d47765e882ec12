"""What a token may be granted: where its policies may point, and the rule that a
token cannot grant more than the credential creating (or changing) it holds.

Account-owned tokens act only on their own account: their resources may not name a
user or another account, and they may not hold user-level permission groups. Every
group in one of their allow policies must be held on the account by the caller: a
global API key holds its member's groups (roles and member policies), a user token the
groups its policies grant on the account that its owner also holds as a member, an
account-owned token the groups its policies grant.

User tokens may name their own user only. Every group in an allow policy on an account
(``com.cloudflare.api.account.<id>``, simple or nested) must be held by the user as a
member there; on ``com.cloudflare.api.account.*``, on at least one account the user is
a member of. This is checked against the user, not against the token making the call:
a user token holding "API Tokens Write" can mint tokens with anything its user holds.
User-level groups on the user's own resource are the user's to give.

On update, only what the change adds is checked, so a caller who may edit a token can
rename or disable it without holding everything it grants.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from .. import errors
from ..auth.authorize import Authorizer
from ..auth.policy import ACCOUNT_PREFIX, ACCOUNT_WILDCARD, USER_PREFIX
from ..auth.principal import Principal
from ..catalog import USER_SCOPE, Catalogue
from ..ids import is_id
from . import store

MAX_NAMED = 3  # missing groups named in one error message


def _invalid(detail: str) -> errors.ApiError:
    return errors.INVALID_REQUEST(detail=detail)


def account_in(key: str) -> str | None:
    """The account id a resource key names (``com.cloudflare.api.account.<id>``)."""
    if key.startswith(ACCOUNT_PREFIX):
        rest = key[len(ACCOUNT_PREFIX) :]
        if is_id(rest):
            return rest
    return None


def _allowed_groups(policies: Iterable[dict[str, Any]]) -> set[str]:
    return {
        g["id"]
        for p in policies
        if p.get("effect") == "allow"
        for g in p.get("permission_groups", ())
    }


def _account_pairs(
    policies: Iterable[dict[str, Any]], catalogue: Catalogue
) -> set[tuple[str, str]]:
    """(account id or "*", group id) for every non-user group an allow policy grants
    on an account."""
    pairs: set[tuple[str, str]] = set()
    for p in policies:
        if p.get("effect") != "allow":
            continue
        for key in p.get("resources", {}):
            account = "*" if key == ACCOUNT_WILDCARD else account_in(key)
            if account is None:
                continue
            for g in p.get("permission_groups", ()):
                known = catalogue.groups_by_id.get(g["id"])
                if known is not None and known.scope != USER_SCOPE:
                    pairs.add((account, g["id"]))
    return pairs


def _refuse(catalogue: Catalogue, missing: list[str], where: str) -> errors.ApiError:
    names = [
        repr(catalogue.groups_by_id[g].name) if g in catalogue.groups_by_id else repr(g)
        for g in missing
    ]
    shown = ", ".join(names[:MAX_NAMED])
    if len(names) > MAX_NAMED:
        shown += f" and {len(names) - MAX_NAMED} more"
    return _invalid(
        "A token cannot grant more than its creator holds: the caller does not hold "
        f"{shown} on {where}"
    )


def held_on_account(
    conn: Connection, authorizer: Authorizer, principal: Principal, account_id: str
) -> frozenset[str]:
    """The groups ``principal`` holds on an account, for granting them on."""
    if principal.kind == "account_token":
        token = principal.token
        if token is None or token.account_id != account_id:
            return frozenset()
        return authorizer.token_groups_on_account(principal, account_id)
    member, _ = authorizer.member_groups(conn, account_id, principal.email)
    if member is None:
        return frozenset()
    if principal.kind == "user_token":
        return member & authorizer.token_groups_on_account(principal, account_id)
    return member


def check_account_token(
    conn: Connection,
    authorizer: Authorizer,
    catalogue: Catalogue,
    principal: Principal,
    account_id: str,
    policies: list[dict[str, Any]],
    previous: list[dict[str, Any]],
) -> None:
    """Raise 400 unless ``policies`` may be stored on an account-owned token of
    ``account_id`` by ``principal``."""
    for i, p in enumerate(policies):
        for key in p["resources"]:
            other = account_in(key)
            if key.startswith(USER_PREFIX) or (other and other != account_id):
                raise _invalid(
                    f"policies[{i}].resources: {key} is outside account {account_id};"
                    " an account-owned token acts only on its own account"
                )
        for j, g in enumerate(p["permission_groups"]):
            group = catalogue.groups_by_id[g["id"]]
            if group.scope == USER_SCOPE:
                raise _invalid(
                    f"policies[{i}].permission_groups[{j}].id: {group.name!r} is a "
                    "user-level permission group, which an account-owned token "
                    "cannot hold"
                )
    wanted = _allowed_groups(policies) - _allowed_groups(previous)
    if not wanted:
        return
    held = held_on_account(conn, authorizer, principal, account_id)
    missing = sorted(wanted - held)
    if missing:
        raise _refuse(catalogue, missing, f"account {account_id}")


def check_user_token(
    conn: Connection,
    authorizer: Authorizer,
    catalogue: Catalogue,
    principal: Principal,
    user_id: str,
    policies: list[dict[str, Any]],
    previous: list[dict[str, Any]],
) -> None:
    """Raise 400 unless ``policies`` may be stored on a user token of ``user_id`` by
    ``principal`` (a credential of that user)."""
    own = USER_PREFIX + user_id
    for i, p in enumerate(policies):
        for key in p["resources"]:
            if key.startswith(USER_PREFIX) and key != own:
                raise _invalid(
                    f"policies[{i}].resources: {key} is another user; a user token "
                    f"may name only its own user ({own})"
                )
    wanted = _account_pairs(policies, catalogue) - _account_pairs(previous, catalogue)
    if not wanted:
        return
    held: dict[str, frozenset[str]] = {}

    def on(account: str) -> frozenset[str]:
        if account not in held:
            if account == "*":
                every: set[str] = set()
                for a in store.member_account_ids(conn, principal.email or ""):
                    every |= on(a)
                held[account] = frozenset(every)
            else:
                groups, _ = authorizer.member_groups(conn, account, principal.email)
                held[account] = groups or frozenset()
        return held[account]

    by_account: dict[str, list[str]] = {}
    for account, group in sorted(wanted):
        if group not in on(account):
            by_account.setdefault(account, []).append(group)
    for account, missing in by_account.items():
        where = "any of the user's accounts" if account == "*" else f"account {account}"
        raise _refuse(catalogue, missing, where)
