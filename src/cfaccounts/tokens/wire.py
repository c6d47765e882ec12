"""Tokens as the API shows them (never with their secret, except where the caller
adds ``value`` on create)."""

from __future__ import annotations

from typing import Any

import orjson

from .. import times
from ..catalog import Catalogue
from .policies import wire_policies

VALID_MESSAGE = {
    "code": 10000,
    "message": "This API Token is valid and active",
    "type": None,
}


def status(stored: str, expires_on: str | None, now: str) -> str:
    """The status a token shows: ``expired`` once ``expires_on`` has passed, unless it
    was disabled."""
    if stored == "active" and expires_on is not None and expires_on <= now:
        return "expired"
    return stored


def last_used(row: Any, pending: str | None) -> str | None:
    """The later of the stored last use and one not yet written (a use noted before
    the token was issued belongs to an earlier token under the same id)."""
    stored: str | None = row.last_used_on
    if pending is None or pending < row.issued_on:
        return stored
    return pending if stored is None or pending > stored else stored


def token(
    row: Any, catalogue: Catalogue, *, now: str, pending: str | None = None
) -> dict[str, Any]:
    condition = orjson.loads(row.condition) if row.condition else None
    out: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "status": status(row.status, row.expires_on, now),
        "issued_on": times.wire(row.issued_on),
        "modified_on": times.wire(row.modified_on),
        "last_used_on": times.wire(last_used(row, pending)),
        "not_before": times.wire(row.not_before),
        "expires_on": times.wire(row.expires_on),
        "policies": wire_policies(orjson.loads(row.policies), catalogue),
        "condition": condition or {},
    }
    if row.kind == "account" and row.creator_email:
        out["creator_email_at_creation"] = row.creator_email
    return out


def verify_result(
    token_id: str, token_status: str, not_before: str | None, expires_on: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": token_id, "status": token_status}
    if not_before is not None:
        out["not_before"] = times.wire(not_before)
    if expires_on is not None:
        out["expires_on"] = times.wire(expires_on)
    return out
