"""Reading the query of the two audit-log lists into SQL conditions.

Version 2 (``/logs/audit``) takes array filters: a key may repeat (``action_type=create&
action_type=update`` matches either), and every filter has a ``<name>.not`` form that
excludes its values. Filters on different keys must all hold. Version 1
(``/audit_logs``) takes single values with dotted names (``actor.email``).

Both read a time window: ``since`` (inclusive) and ``before`` (exclusive), each a
date (``2019-04-30``, midnight UTC) or an RFC 3339 time.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, false, func, not_, or_

from .. import errors, times
from ..http.params import flag
from ..http.request import Request
from ..storage import schema as s
from . import categories

t = s.audit_logs

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

# resource_scope is not stored: it follows from the URI the change was made through.
SCOPE_PREFIXES = {
    "accounts": "/accounts",
    "user": "/user",
    "zones": "/zones",
    "memberships": "/memberships",
}

ACTION_RESULTS = ("success", "failure")
ACTION_TYPES = ("create", "delete", "view", "update")
ACTOR_CONTEXTS = ("api", "api_key", "api_token", "dash", "oauth", "origin_ca_key")
ACTOR_TYPES = ("account", "cloudflare_admin", "delegated_service", "system", "user")


def bad(name: str, why: str) -> errors.ApiError:
    return errors.INVALID_REQUEST(detail=f"{name} {why}")


# --- the time window ------------------------------------------------------------------


def parse_time(name: str, raw: str) -> str:
    """A ``since``/``before`` value as stored time text (fixed width, sortable)."""
    text = raw.strip()
    try:
        if _DATE_RE.fullmatch(text):
            day = date.fromisoformat(text)
            return times.to_db(datetime(day.year, day.month, day.day, tzinfo=UTC))
        if "T" not in text.upper() and " " not in text:
            raise ValueError(text)
        return times.to_db(times.parse(text))
    except (ValueError, OverflowError):  # a time beyond year 9999 once in UTC
        raise bad(name, "must be a date (2019-04-30) or an RFC 3339 time") from None


def time_window(req: Request, *, required: bool) -> list[ColumnElement[bool]]:
    """Conditions for ``since`` (inclusive) and ``before`` (exclusive)."""
    out: list[ColumnElement[bool]] = []
    bounds: dict[str, str] = {}
    for name in ("since", "before"):
        raw = req.arg(name)
        if raw is None or raw == "":
            if required:
                raise bad(name, "is required (a date such as 2019-04-30 or a time)")
            continue
        bounds[name] = parse_time(name, raw)
    if "since" in bounds and "before" in bounds and bounds["since"] >= bounds["before"]:
        raise bad("since", "must be earlier than before")
    if "since" in bounds:
        out.append(t.c.time >= bounds["since"])
    if "before" in bounds:
        out.append(t.c.time < bounds["before"])
    return out


# --- version 2 array filters ----------------------------------------------------------


def _text(value: str) -> str:
    return value


def _lower(value: str) -> str:
    return value.strip().lower()


def _strip(value: str) -> str:
    return value.strip()


def _upper(value: str) -> str:
    return value.strip().upper()


def _status(value: str) -> int:
    text = value.strip()
    if not text.isdigit() or len(text) > 3:
        raise ValueError(value)
    return int(text)


@dataclass(frozen=True, slots=True)
class ArrayFilter:
    """One v2 filter: the column it reads, how a value is normalized, and the values
    it accepts (``choices``, when the reference declares an enum)."""

    column: str | None  # None: a filter on something this server never records
    convert: Callable[[str], Any] = _text
    choices: tuple[str, ...] = ()
    scope: bool = False
    ray: bool = False  # a Ray ID matches with or without its "-<colo>" suffix


V2_FILTERS: dict[str, ArrayFilter] = {
    "id": ArrayFilter("id", _lower),
    "audit_log_id": ArrayFilter("id", _lower),  # the deprecated name of ``id``
    "account_name": ArrayFilter("account_name"),
    "action_result": ArrayFilter("action_result", choices=ACTION_RESULTS),
    "action_type": ArrayFilter("action_type", choices=ACTION_TYPES),
    "actor_context": ArrayFilter("actor_context", choices=ACTOR_CONTEXTS),
    "actor_email": ArrayFilter("actor_email", _lower),
    "actor_id": ArrayFilter("actor_id", _lower),
    "actor_ip_address": ArrayFilter("actor_ip", _text),
    "actor_token_id": ArrayFilter("actor_token_id", _lower),
    "actor_token_name": ArrayFilter("actor_token_name"),
    "actor_type": ArrayFilter("actor_type", choices=ACTOR_TYPES),
    "raw_cf_ray_id": ArrayFilter("cf_ray", _strip, ray=True),
    "raw_method": ArrayFilter("raw_method", _upper),
    "raw_status_code": ArrayFilter("raw_status", _status),
    "raw_uri": ArrayFilter("raw_uri"),
    "resource_id": ArrayFilter("resource_id"),
    "resource_product": ArrayFilter("resource_product"),
    "resource_type": ArrayFilter("resource_type"),
    "resource_scope": ArrayFilter(None, choices=tuple(SCOPE_PREFIXES), scope=True),
    "zone_id": ArrayFilter(None),
    "zone_name": ArrayFilter(None),
}


def _values(req: Request, key: str, spec: ArrayFilter) -> list[Any]:
    out: list[Any] = []
    for raw in req.query.get(key, ()):
        if raw == "":
            continue
        if spec.choices and raw not in spec.choices:
            raise bad(key, f"must be one of {', '.join(spec.choices)}")
        if spec.column == "actor_ip":
            raw = _ip(key, raw)
        try:
            out.append(spec.convert(raw))
        except ValueError:
            raise bad(key, "must be an HTTP status code") from None
    return out


def _ip(key: str, raw: str) -> str:
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        raise bad(key, "must be an IP address") from None


def _scope_match(scopes: list[str]) -> ColumnElement[bool]:
    # An event recorded without a URI counts as account-scoped, as wire.scope_of says.
    uri = func.coalesce(t.c.raw_uri, SCOPE_PREFIXES["accounts"])
    parts = []
    for scope in scopes:
        prefix = SCOPE_PREFIXES[scope]
        parts.append(or_(uri == prefix, uri.like(prefix + "/%")))
    return or_(*parts)


def _matches(spec: ArrayFilter, values: list[Any]) -> ColumnElement[bool]:
    if spec.scope:
        return _scope_match(values)
    if spec.column is None:
        return false()
    column = t.c[spec.column]
    if spec.ray:
        return or_(
            column.in_(values),
            *(
                column.startswith(v + "-", autoescape=True)
                for v in values
                if "-" not in v
            ),
        )
    if spec.column == "actor_email":
        return func.lower(column).in_(values)
    return column.in_(values)


def _categories(req: Request) -> ColumnElement[bool] | None:
    """``product_category`` (repeatable): the events of the products its categories
    expand to, together with any explicit ``resource_product`` values."""
    wanted: list[str] = []
    for raw in req.query.get("product_category", ()):
        if raw == "":
            continue
        found = categories.products(raw)
        if found is None:
            raise bad("product_category", f"has no category {raw!r}")
        wanted.extend(found)
    if not wanted:
        return None
    explicit = [v for v in req.query.get("resource_product", ()) if v]
    return t.c.resource_product.in_(sorted({*wanted, *explicit}))


def v2_filters(req: Request) -> list[ColumnElement[bool]]:
    """The conditions of every array filter and its ``.not`` form in the query."""
    out: list[ColumnElement[bool]] = []
    by_category = _categories(req)
    for name, spec in V2_FILTERS.items():
        include = _values(req, name, spec)
        exclude = _values(req, name + ".not", spec)
        if by_category is not None and name == "resource_product":
            out.append(by_category)  # a union with the explicit products
        elif include:
            out.append(_matches(spec, include))
        if not exclude:
            continue
        if spec.scope:
            out.append(not_(_scope_match(exclude)))
        elif spec.column is not None:
            # An event without the value (NULL) is not one of the excluded values.
            matched = _matches(spec, exclude)
            out.append(or_(t.c[spec.column].is_(None), not_(matched)))
        # else: nothing has a zone, so nothing is excluded
    return out


# --- version 2 cursor -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the position of its last event and the direction read."""

    seq: int
    direction: str

    def encode(self) -> str:
        raw = orjson.dumps({"s": self.seq, "d": self.direction})
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(text: str, direction: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            data = orjson.loads(raw)
            seq, dirn = data["s"], data["d"]
            if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
                raise ValueError(text)
        except (binascii.Error, ValueError, TypeError, KeyError):
            raise bad("cursor", "is not a cursor this server returned") from None
        if dirn != direction:
            raise bad("cursor", f"was returned for direction={dirn}")
        return Cursor(seq, dirn)

    def condition(self) -> ColumnElement[bool]:
        if self.direction == "desc":
            return t.c.seq < self.seq
        return t.c.seq > self.seq


# --- version 1 ------------------------------------------------------------------------


@dataclass(slots=True)
class V1Query:
    """The v1 filters: SQL conditions, plus a network the actor address must be in
    (a CIDR filter, applied after the query)."""

    conditions: list[ColumnElement[bool]] = field(default_factory=list)
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None


def v1_filters(req: Request) -> V1Query:
    """``id`` (32 hex or the UUID form), ``action.type``, ``actor.email``,
    ``actor.ip`` (an address or a CIDR range), ``zone.name``, ``hide_user_logs``."""
    q = V1Query()
    event_id = req.arg("id")
    if event_id:
        q.conditions.append(t.c.id == event_id.replace("-", "").strip().lower())
    action = req.arg("action.type")
    if action:
        q.conditions.append(t.c.action_type == action.strip())
    email = req.arg("actor.email")
    if email:
        q.conditions.append(func.lower(t.c.actor_email) == email.strip().lower())
    ip = req.arg("actor.ip")
    if ip:
        try:
            if "/" in ip:
                q.network = ipaddress.ip_network(ip.strip(), strict=False)
                q.conditions.extend(_network_prefilter(q.network))
            else:
                q.conditions.append(
                    t.c.actor_ip == str(ipaddress.ip_address(ip.strip()))
                )
        except ValueError:
            raise bad("actor.ip", "must be an IP address or a CIDR range") from None
    if req.arg("zone.name"):
        q.conditions.append(false())  # no event here concerns a zone
    if flag(req, "hide_user_logs"):
        # Changes made through user-level operations (/user..., /memberships...),
        # such as leaving the account or answering an invitation.
        q.conditions.append(not_(_scope_match(["user", "memberships"])))
    flag(req, "export")  # accepted and validated; the answer is JSON either way
    return q


def _network_prefilter(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> list[ColumnElement[bool]]:
    """A condition narrowing a CIDR match in SQL before it is finished in Python:
    the whole octets an IPv4 range fixes are a text prefix of every address in it.
    (IPv6 addresses are stored compressed, where no such prefix holds.)"""
    if network.version != 4 or network.prefixlen < 8:
        return []
    whole = network.prefixlen // 8
    octets = str(network.network_address).split(".")[:whole]
    if whole == 4:
        return [t.c.actor_ip == ".".join(octets)]
    return [t.c.actor_ip.startswith(".".join(octets) + ".", autoescape=True)]


def in_network(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network, ip: str | None
) -> bool:
    if not ip:
        return False
    try:
        return ipaddress.ip_address(ip) in network
    except ValueError:
        return False


def limit(req: Request, *, default: int = 100, high: int = 1000) -> int:
    """``limit``: a whole number from 1 to ``high``; ``2.0`` is read as 2 (the SDK
    types it as a float)."""
    raw = req.arg("limit")
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if value != value or value != int(value) or not 1 <= value <= high:
        raise errors.INVALID_PAGINATION(
            detail=f"limit must be a whole number from 1 to {high}"
        )
    return int(value)
