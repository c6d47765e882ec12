"""The rules of accounts: which accounts a caller sees, who may create and delete
them, and what a create or update body may hold. Nothing here knows about HTTP; the
handlers own the transactions and the audit events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection

from .. import errors, times
from ..auth.authenticate import EMAIL_RE
from ..auth.policy import ACCOUNT_PREFIX, ACCOUNT_WILDCARD, all_token_groups
from ..auth.principal import Principal
from ..catalog import Catalogue
from ..ids import is_id, new_id
from ..seeding.load import ensure_account_resource_group
from ..users import store as users
from . import store

ACCOUNT_TYPES = ("standard", "enterprise")
SUPER_ADMINISTRATOR_ROLE = "33666b9c79b9a5273fc7344ff42f953d"
MAX_NAME = 100
MAX_ABUSE_EMAIL = 254
MAX_IDEMPOTENCY_KEY = 255

# Fields of the Account document that a client may send back on update but cannot
# change: they are ignored.
READ_ONLY_FIELDS = frozenset({"id", "created_on", "managed_by"})
SETTINGS_FIELDS = ("abuse_contact_email", "enforce_twofactor")


def _invalid(detail: str) -> errors.ApiError:
    return errors.INVALID_REQUEST(detail=detail)


def _name(body: Mapping[str, Any]) -> str:
    if "name" not in body or body["name"] is None:
        raise _invalid("name: is required")
    name = body["name"]
    if not isinstance(name, str):
        raise _invalid("name: must be a string")
    name = name.strip()
    if not name:
        raise _invalid("name: must not be empty")
    if len(name) > MAX_NAME:
        raise _invalid(f"name: must be at most {MAX_NAME} characters")
    return name


def _type(body: Mapping[str, Any], default: str) -> str:
    value = body.get("type")
    if value is None:
        return default
    if value not in ACCOUNT_TYPES:
        raise _invalid(f"type: must be one of {', '.join(ACCOUNT_TYPES)}")
    return str(value)


def _unknown(body: Mapping[str, Any], known: frozenset[str], where: str = "") -> None:
    for key in body:
        if key not in known:
            raise _invalid(f"{where}{key}: is not a known field")


# -- create ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NewAccount:
    name: str
    type: str
    unit_id: str | None


_CREATE_FIELDS = frozenset({"name", "type", "unit", "standalone"})


def parse_create(body: Mapping[str, Any]) -> NewAccount:
    """Check a create body whole; raise 400 naming the first bad field."""
    _unknown(body, _CREATE_FIELDS)
    name = _name(body)
    kind = _type(body, "standard")
    unit_id = None
    unit = body.get("unit")
    if unit is not None:
        if not isinstance(unit, dict):
            raise _invalid("unit: must be an object with an id")
        _unknown(unit, frozenset({"id"}), "unit.")
        unit_id = unit.get("id")
        if not isinstance(unit_id, str) or not is_id(unit_id):
            raise _invalid("unit.id: must be a 32-character lowercase hex identifier")
    standalone = body.get("standalone")
    if standalone is not None:
        if standalone is not True:
            raise _invalid("standalone: must be true when given")
        if unit_id is not None:
            raise _invalid("standalone: cannot be given together with unit")
    return NewAccount(name, kind, unit_id)


def check_idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise _invalid(
            f"Idempotency-Key: must be 1 to {MAX_IDEMPOTENCY_KEY} characters"
        )
    return key


def _covers_all_accounts(resources: Mapping[str, Any]) -> bool:
    return resources.get(ACCOUNT_WILDCARD) == "*"


def check_may_create(
    conn: Connection, principal: Principal, catalogue: Catalogue
) -> str:
    """Refuse anyone but a tenant administrator; return the creator's user id.

    A user token of a tenant administrator must also hold Account Settings Write on
    every account (``com.cloudflare.api.account.*``): it is then allowed to manage the
    account it creates, which a token limited to named accounts would not be."""
    if principal.kind == "account_token" or principal.user_id is None:
        raise errors.USER_AUTH_REQUIRED()
    if not users.is_tenant_admin(conn, principal.user_id):
        raise errors.FORBIDDEN_ACTION(
            detail="Only tenant administrators can create accounts"
        )
    if principal.kind == "user_token":
        token = principal.token
        assert token is not None
        write = catalogue.group("Account Settings Write").id
        if write not in all_token_groups(token.policies, _covers_all_accounts):
            raise errors.UNAUTHORIZED()
    return principal.user_id


def create(
    conn: Connection,
    *,
    user_id: str,
    email: str,
    new: NewAccount,
    idempotency_key: str | None,
) -> tuple[Any, bool]:
    """Create the account with its whole-account resource group and the creator as
    an accepted Super Administrator. With an idempotency key already used by this
    user, return the account made then instead. Returns (row, created)."""
    if idempotency_key is not None:
        earlier = store.idempotent_account(conn, user_id, idempotency_key)
        if earlier is not None:
            row = store.get(conn, earlier)
            if row is not None:
                return row, False
    account_id = new_id()
    now = times.now_db()
    store.insert(
        conn,
        id=account_id,
        name=new.name,
        type=new.type,
        created_on=now,
        settings=orjson.dumps({"enforce_twofactor": False}).decode(),
        managed_by=(
            orjson.dumps({"parent_org_id": new.unit_id}).decode()
            if new.unit_id
            else None
        ),
    )
    ensure_account_resource_group(conn, account_id)
    store.add_member(
        conn,
        member_id=new_id(),
        account_id=account_id,
        user_id=user_id,
        email=email,
        role_ids=[SUPER_ADMINISTRATOR_ROLE],
        created_on=now,
    )
    if idempotency_key is not None:
        store.remember_idempotency_key(
            conn,
            user_id=user_id,
            key=idempotency_key,
            account_id=account_id,
            created_on=now,
        )
    return store.get(conn, account_id), True


# -- update ----------------------------------------------------------------------------
_UPDATE_FIELDS = frozenset({"name", "type", "settings"}) | READ_ONLY_FIELDS


def parse_update(body: Mapping[str, Any], current: Any) -> dict[str, Any]:
    """The column values a PUT body sets. ``name`` is required; ``type`` and each
    key of ``settings`` keep their current value when left out; the read-only fields
    are ignored. Raises 400 naming the first bad field."""
    _unknown(body, _UPDATE_FIELDS)
    values: dict[str, Any] = {
        "name": _name(body),
        "type": _type(body, current.type),
    }
    settings = dict(orjson.loads(current.settings or "{}"))
    given = body.get("settings")
    if given is not None:
        if not isinstance(given, dict):
            raise _invalid("settings: must be an object")
        _unknown(given, frozenset(SETTINGS_FIELDS), "settings.")
        if "enforce_twofactor" in given:
            flag = given["enforce_twofactor"]
            if not isinstance(flag, bool):
                raise _invalid("settings.enforce_twofactor: must be true or false")
            settings["enforce_twofactor"] = flag
        if "abuse_contact_email" in given:
            email = given["abuse_contact_email"]
            if email is None or email == "":
                settings.pop("abuse_contact_email", None)
            elif (
                not isinstance(email, str)
                or len(email) > MAX_ABUSE_EMAIL
                or not EMAIL_RE.fullmatch(email)
            ):
                raise _invalid("settings.abuse_contact_email: must be an email address")
            else:
                settings["abuse_contact_email"] = email
    settings.setdefault("enforce_twofactor", False)
    values["settings"] = orjson.dumps(settings).decode()
    return values


# -- delete ----------------------------------------------------------------------------
def check_may_delete(conn: Connection, principal: Principal) -> None:
    """Deleting is for tenant administrators, like creating (the route has already
    checked Account Settings Write on the account)."""
    if principal.user_id is None or not users.is_tenant_admin(conn, principal.user_id):
        raise errors.FORBIDDEN_ACTION(
            detail="Only tenant administrators can delete accounts"
        )


# -- list ------------------------------------------------------------------------------
def _touches(account_id: str | None) -> Any:
    """A resource test for listing: a policy names the account (or every account),
    whether for the whole account or only its zones."""
    keys = (
        (ACCOUNT_WILDCARD,)
        if account_id is None
        else (
            ACCOUNT_PREFIX + account_id,
            ACCOUNT_WILDCARD,
        )
    )

    def test(resources: Mapping[str, Any]) -> bool:
        for key in keys:
            value = resources.get(key)
            if value == "*" or isinstance(value, dict):
                return True
        return False

    return test


def token_account_scope(
    policies: list[dict[str, Any]],
) -> tuple[frozenset[str] | None, frozenset[str]]:
    """Which accounts a user token's policies reach, as (include, exclude) for
    ``store.list_for_member``: include None means every account but the excluded."""
    named: set[str] = set()
    for policy in policies:
        for key in policy.get("resources") or {}:
            if key.startswith(ACCOUNT_PREFIX) and is_id(key[len(ACCOUNT_PREFIX) :]):
                named.add(key[len(ACCOUNT_PREFIX) :])
    reached = {a for a in named if all_token_groups(policies, _touches(a))}
    if all_token_groups(policies, _touches(None)):
        return None, frozenset(named - reached)
    return frozenset(reached), frozenset()
