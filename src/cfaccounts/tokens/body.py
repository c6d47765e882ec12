"""Token request bodies: checked whole, before anything is written.

Create takes ``name`` and ``policies`` (required) and ``condition``, ``not_before``,
``expires_on``; update takes the same plus ``status``. On update, an optional field that
is left out keeps its stored value and an explicit ``null`` clears it, so disabling a
token with the SDK (which sends only what it is given) cannot silently drop its IP
condition. Unknown keys (``id``, ``issued_on``... sent back by clients that echo a read)
are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import errors, times
from ..catalog import Catalogue
from .policies import PolicyError, normalize_condition, normalize_policies

MAX_NAME = 120
STATUSES = ("active", "disabled", "expired")


@dataclass
class TokenBody:
    """A checked body. ``changes`` holds the optional fields that were given (a
    ``None`` value clears the field)."""

    name: str
    policies: list[dict[str, Any]]
    changes: dict[str, Any] = field(default_factory=dict)


def _invalid(detail: str) -> errors.ApiError:
    return errors.INVALID_REQUEST(detail=detail)


def _time(body: dict[str, Any], key: str) -> str | None:
    value = body[key]
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(f"{key}: must be an RFC 3339 time such as 2030-01-01T00:00:00Z")
    try:
        return times.to_db(times.parse(value))
    except ValueError:
        raise _invalid(f"{key}: {value!r} is not an RFC 3339 time") from None


def parse(
    body: dict[str, Any],
    catalogue: Catalogue,
    *,
    update: bool,
    previous_policies: list[dict[str, Any]] | None = None,
) -> TokenBody:
    """Check a create (``update=False``) or update body; raise 400 naming the field."""
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _invalid("name: is required and must be a non-empty string")
    if len(name) > MAX_NAME:
        raise _invalid(f"name: at most {MAX_NAME} characters")
    if "policies" not in body:
        raise _invalid("policies: is required")
    try:
        policies = normalize_policies(
            body["policies"], catalogue, previous=previous_policies
        )
        changes: dict[str, Any] = {}
        if "condition" in body:
            changes["condition"] = normalize_condition(body["condition"])
    except PolicyError as exc:
        raise _invalid(str(exc)) from None
    for key in ("not_before", "expires_on"):
        if key in body:
            changes[key] = _time(body, key)
    if update and "status" in body:
        value = body["status"]
        if value not in STATUSES:
            raise _invalid(f"status: must be one of {', '.join(STATUSES)}")
        changes["status"] = value
    return TokenBody(name, policies, changes)
