"""Query parameters shared by the list operations."""

from __future__ import annotations

from dataclasses import dataclass

from .. import errors
from .request import Request

MAX_PAGE = 1_000_000


@dataclass(frozen=True, slots=True)
class Pagination:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _number(req: Request, name: str, default: int, low: int, high: int) -> int:
    raw = req.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    # Range first: int() of an infinity ("9" * 400 reads as one) would raise.
    if value != value or not low <= value <= high or value != int(value):
        raise errors.INVALID_PAGINATION(
            detail=f"{name} must be a whole number from {low} to {high}"
        )
    return int(value)


def pagination(
    req: Request, *, default_per_page: int = 20, low: int = 5, high: int = 50
) -> Pagination:
    """``page`` (from 1) and ``per_page`` (5 to 50, 20 by default); ``2.0`` is read as
    2, since the SDK types both as floats."""
    return Pagination(
        _number(req, "page", 1, 1, MAX_PAGE),
        _number(req, "per_page", default_per_page, low, high),
    )


def direction(req: Request, default: str = "asc") -> str:
    value = req.arg("direction") or default
    if value not in ("asc", "desc"):
        raise errors.INVALID_REQUEST(detail="direction must be asc or desc")
    return value


def choice(req: Request, name: str, choices: tuple[str, ...]) -> str | None:
    value = req.arg(name)
    if value is None or value == "":
        return None
    if value not in choices:
        raise errors.INVALID_REQUEST(
            detail=f"{name} must be one of {', '.join(choices)}"
        )
    return value


def flag(req: Request, name: str) -> bool:
    value = req.arg(name)
    if value is None or value == "":
        return False
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise errors.INVALID_REQUEST(detail=f"{name} must be true or false")
