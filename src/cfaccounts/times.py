"""Times on the wire are RFC 3339 in UTC with a ``Z``; in the database they are the
same text at fixed width (microseconds always present), so they sort as strings."""

from __future__ import annotations

from datetime import UTC, datetime

_STORED = "%Y-%m-%dT%H:%M:%S.%fZ"


def now() -> datetime:
    return datetime.now(UTC)


def to_db(value: datetime) -> str:
    return value.astimezone(UTC).strftime(_STORED)


def now_db() -> str:
    return to_db(now())


def parse(value: str) -> datetime:
    """Parse RFC 3339 / ISO 8601 with a zone (``Z`` or an offset); a value without
    a zone is read as UTC. Raises ValueError on anything else."""
    text = value.strip()
    if not text or len(text) > 40:
        raise ValueError(value)
    parsed = datetime.fromisoformat(text.replace("z", "Z"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-05:00 is past year 9999 in UTC
        raise ValueError(value) from None


def from_db(value: str) -> datetime:
    return datetime.strptime(value, _STORED).replace(tzinfo=UTC)


def wire(value: str | None) -> str | None:
    """A stored time as the API shows it: whole seconds unless the fraction matters."""
    if value is None:
        return None
    if value.endswith(".000000Z"):
        return value[:-8] + "Z"
    return value
