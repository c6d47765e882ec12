"""The rules of resource groups.

A resource group belongs to one account and its scope stays inside it: the scope key is
that account's key (``com.cloudflare.api.account.<id>``), with one or more objects
(``*`` for everything in the account, or the keys of single resources such as zones).
The group every account has, covering the whole account, cannot be changed or deleted;
a group still named by a member policy cannot be deleted. Resource groups decide what
member policies grant, so changing them takes the same standing as changing members,
and no change may leave the account without a member who can manage members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection

from .. import errors
from ..audit.record import ActionType, record
from ..ids import new_id
from ..members.service import has_a_manager, keep_a_manager
from ..seeding.load import account_resource_group_id
from . import store, wire

if TYPE_CHECKING:
    from ..http.request import Request

ACCOUNT_PREFIX = "com.cloudflare.api.account."
MAX_NAME = 255
MAX_OBJECTS = 500


def _bad(detail: str) -> errors.ApiError:
    return errors.INVALID_REQUEST(detail=detail)


def parse_name(body: dict[str, Any]) -> str | None:
    value = body.get("name")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise _bad(f"name: must be a string of 1 to {MAX_NAME} characters")
    return value.strip()


def parse_scope(body: dict[str, Any], account_id: str) -> dict[str, Any] | None:
    value = body.get("scope")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad("scope: must be an object with key and objects")
    key = value.get("key")
    if key != ACCOUNT_PREFIX + account_id:
        raise _bad(f"scope.key: must be {ACCOUNT_PREFIX}{account_id}, this account")
    objects = value.get("objects")
    if not isinstance(objects, list) or not objects:
        raise _bad("scope.objects: must be a non-empty list of {key} objects")
    if len(objects) > MAX_OBJECTS:
        raise _bad(f"scope.objects: at most {MAX_OBJECTS} objects")
    keys: list[str] = []
    for i, item in enumerate(objects):
        okey = item.get("key") if isinstance(item, dict) else None
        if not isinstance(okey, str) or not okey or len(okey) > MAX_NAME:
            raise _bad(
                f"scope.objects[{i}].key: must be a string of 1 to 255 characters"
            )
        if okey not in keys:
            keys.append(okey)
    return {"key": key, "objects": [{"key": k} for k in keys]}


def _audit(
    conn: Connection,
    req: Request,
    account_id: str,
    action: ActionType,
    description: str,
    group_id: str,
    before: Any,
    after: Any,
) -> None:
    record(
        conn,
        req,
        account_id=account_id,
        action_type=action,
        description=description,
        resource_type="resource_group",
        resource_id=group_id,
        product="iam",
        before=before,
        after=after,
    )


def _editable(conn: Connection, account_id: str, group_id: str) -> Any:
    row = store.resource_group(conn, account_id, group_id)
    if row is None:
        raise errors.NOT_FOUND(what="Resource group")
    if group_id == account_resource_group_id(account_id):
        raise errors.FORBIDDEN_ACTION(
            detail="the resource group covering the whole account cannot be changed"
        )
    return row


def create(
    conn: Connection, req: Request, account_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Create a resource group; the group as the API shows it."""
    name = parse_name(body)
    scope = parse_scope(body, account_id)
    if name is None:
        raise _bad("name: is required")
    if scope is None:
        raise _bad("scope: is required")
    group_id = new_id()
    store.insert(
        conn,
        id=group_id,
        account_id=account_id,
        name=name,
        scope=orjson.dumps(scope).decode(),
        meta=orjson.dumps({"editable": "true"}).decode(),
    )
    after = wire.resource_group(store.resource_group(conn, account_id, group_id))
    _audit(
        conn, req, account_id, "create", "Create Resource Group", group_id, None, after
    )
    return after


def update(
    conn: Connection,
    req: Request,
    account_id: str,
    group_id: str,
    body: dict[str, Any],
) -> dict[str, Any]:
    """Rename a resource group or replace its scope; the group as it now is."""
    row = _editable(conn, account_id, group_id)
    name = parse_name(body)
    scope = parse_scope(body, account_id)
    if name is None and scope is None:
        raise _bad("name or scope is required")
    before = wire.resource_group(row)
    had_manager = has_a_manager(req, conn, account_id)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = name
    if scope is not None:
        values["scope"] = orjson.dumps(scope).decode()
    store.update(conn, group_id, **values)
    if had_manager and scope is not None:
        keep_a_manager(req, conn, account_id)
    after = wire.resource_group(store.resource_group(conn, account_id, group_id))
    _audit(
        conn,
        req,
        account_id,
        "update",
        "Update Resource Group",
        group_id,
        before,
        after,
    )
    return after


def delete(conn: Connection, req: Request, account_id: str, group_id: str) -> None:
    """Delete a resource group that no member policy names."""
    row = _editable(conn, account_id, group_id)
    used = store.members_using(conn, account_id, group_id)
    if used:
        raise errors.CONFLICT(
            detail=f"the resource group is used by the policies of {used} member(s)"
        ).with_headers(x_should_retry="false")
    store.delete(conn, group_id)
    before = wire.resource_group(row)
    _audit(
        conn, req, account_id, "delete", "Delete Resource Group", group_id, before, None
    )
