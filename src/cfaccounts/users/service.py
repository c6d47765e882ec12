"""The rules of the user object: what an edit may change, and what the user object
says about the user's memberships."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy import Connection

from .. import errors
from ..catalog import Catalogue
from ..memberships import service as memberships
from ..memberships import store as membership_store
from ..memberships import wire as membership_wire
from . import store, wire


def parse_edit(body: Mapping[str, Any]) -> dict[str, str | None]:
    """The profile fields a PATCH body sets (null clears one). Any other field, a
    non-string, or a value over its length is a 400 naming the field."""
    values: dict[str, str | None] = {}
    for key, value in body.items():
        limit = wire.PROFILE_FIELDS.get(key)
        if limit is None:
            raise errors.INVALID_REQUEST(detail=f"{key}: is not a known field")
        if value is None:
            values[key] = None
            continue
        if not isinstance(value, str):
            raise errors.INVALID_REQUEST(detail=f"{key}: must be a string or null")
        if len(value) > limit:
            raise errors.INVALID_REQUEST(
                detail=f"{key}: must be at most {limit} characters"
            )
        values[key] = value
    return values


def current(conn: Connection, user_id: str) -> Any:
    """The user row of an authenticated caller."""
    row = store.get(conn, user_id)
    if row is None:
        # The credential was valid a moment ago; the user has just been removed.
        raise errors.USER_AUTH_REQUIRED()
    return row


def shown(conn: Connection, catalogue: Catalogue, user_id: str) -> dict[str, Any]:
    """The user object of ``user_id``, with its memberships as organizations."""
    row = current(conn, user_id)
    organizations = []
    locked = False
    for m in membership_store.all_for_email(conn, row.email):
        grants = memberships.grants(conn, catalogue, m)
        organizations.append(membership_wire.organization(m, grants))
        if m.status == "accepted":
            settings = orjson.loads(m.account_settings or "{}")
            locked = locked or bool(settings.get("enforce_twofactor"))
    return wire.user(row, organizations, locked)
