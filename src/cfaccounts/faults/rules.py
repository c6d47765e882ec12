"""Fault rules: which requests a rule catches and what it answers instead.

A rule is written as a JSON object (admin API body, or an entry of a seed document's
top-level ``faults`` list)::

    {"method": "GET", "route": "/accounts/{account_id}",
     "credential": {"kind": "user_token", "id": "<token id>"},
     "status": 503, "code": 10503, "message": "down for a test",
     "retry_after": 1, "should_retry": true,
     "latency": 2.5, "probability": 0.5, "count": 2}

Everything is optional except that a rule must answer something: a ``status``, a
``latency``, or both (a latency alone delays the real answer).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import errors
from ..ids import is_id, new_id

if TYPE_CHECKING:
    from ..http.request import Request
    from ..http.response import Response

METHODS = ("*", "GET", "POST", "PUT", "PATCH", "DELETE")
CREDENTIAL_KINDS = ("api_key", "user_token", "account_token")
MAX_LATENCY = 300.0  # seconds
MAX_RETRY_AFTER = 86_400  # seconds
MAX_MESSAGE = 500
_FIELDS = frozenset(
    {
        "id",
        "method",
        "route",
        "credential",
        "status",
        "code",
        "message",
        "retry_after",
        "should_retry",
        "latency",
        "probability",
        "count",
    }
)


class FaultError(ValueError):
    """A fault rule that cannot be used; the message names the field."""


@functools.cache
def api_templates() -> frozenset[str]:
    """The route templates of every API operation (what ``route`` may name)."""
    from ..api import api_routes  # late: the route tables import this package's users

    return frozenset(r.template for r in api_routes())


@dataclass
class FaultRule:
    id: str
    method: str = "*"
    route: str = "*"
    credential_kind: str | None = None
    credential_id: str | None = None
    status: int | None = None
    code: int | None = None
    message: str | None = None
    retry_after: int | float | None = None
    should_retry: bool | None = None
    latency: float = 0.0
    probability: float = 1.0
    count: int | None = None  # times left to fire; None: no limit
    fired: int = 0
    _spec: errors.ErrorSpec | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.status is not None:
            if self.status == errors.RATE_LIMITED.status and self.code is None:
                base = errors.RATE_LIMITED
            else:
                base = errors.INJECTED_FAULT
            self._spec = errors.ErrorSpec(
                self.code if self.code is not None else base.code,
                self.status,
                self.message if self.message is not None else base.message,
                cloudflare=False,
            )

    @property
    def spent(self) -> bool:
        return self.count is not None and self.count <= 0

    def matches(self, req: Request) -> bool:
        """Whether ``req`` (routed, authenticated) is one this rule catches."""
        if self.spent:
            return False
        if self.method != "*" and self.method != req.method:
            return False
        route = req.route
        if self.route != "*" and (route is None or route.template != self.route):
            return False
        if self.credential_kind is not None or self.credential_id is not None:
            principal = req.principal
            if principal is None:
                return False
            if self.credential_kind and principal.kind != self.credential_kind:
                return False
            if self.credential_id and principal.credential_id != self.credential_id:
                return False
        return True

    def answer(self) -> Response | None:
        """The error response this rule gives, or None when it only delays."""
        if self._spec is None:
            return None
        from ..http.response import error

        exc = self._spec()
        if self.retry_after is not None:
            exc.with_headers(retry_after=_number(self.retry_after))
        if self.should_retry is not None:
            exc.with_headers(x_should_retry="true" if self.should_retry else "false")
        return error(exc)

    def to_wire(self) -> dict[str, Any]:
        credential = None
        if self.credential_kind or self.credential_id:
            credential = {"kind": self.credential_kind, "id": self.credential_id}
        return {
            "id": self.id,
            "method": self.method,
            "route": self.route,
            "credential": credential,
            "status": self.status,
            "code": self._spec.code if self._spec else None,
            "message": self._spec.message if self._spec else None,
            "retry_after": self.retry_after,
            "should_retry": self.should_retry,
            "latency": self.latency,
            "probability": self.probability,
            "count": self.count,
            "fired": self.fired,
        }

    def to_seed(self) -> dict[str, Any]:
        """The rule as a seed-document entry that loads back (with the count it has
        left, without its ``fired`` counter)."""
        wire = self.to_wire()
        wire.update(
            code=self.code,
            message=self.message,
            latency=self.latency or None,
            probability=None if self.probability == 1 else self.probability,
            fired=None,
        )
        return {k: v for k, v in wire.items() if v is not None}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def parse_rule(doc: Any, where: str = "fault") -> FaultRule:
    """Check a rule document and build the rule, or raise FaultError naming the
    field."""
    if not isinstance(doc, dict):
        raise FaultError(f"{where}: must be an object")
    unknown = sorted(set(doc) - _FIELDS)
    if unknown:
        raise FaultError(f"{where}: unknown field {unknown[0]!r}")

    rid = doc.get("id")
    if rid is None:
        rid = new_id()
    elif not isinstance(rid, str) or not is_id(rid):
        raise FaultError(f"{where}.id: must be 32 lowercase hex characters")

    method = doc.get("method", "*")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise FaultError(f"{where}.method: must be one of {', '.join(METHODS)}")
    method = method.upper()

    route = doc.get("route", "*")
    if not isinstance(route, str) or (route != "*" and route not in api_templates()):
        raise FaultError(
            f"{where}.route: must be '*' or the template of an API route, written "
            "without the API prefix, such as /accounts/{account_id}"
        )

    kind = cred_id = None
    credential = doc.get("credential")
    if credential is not None:
        if not isinstance(credential, dict) or set(credential) - {"kind", "id"}:
            raise FaultError(f"{where}.credential: an object with kind and/or id")
        kind = credential.get("kind")
        if kind is not None and kind not in CREDENTIAL_KINDS:
            raise FaultError(
                f"{where}.credential.kind: must be one of {', '.join(CREDENTIAL_KINDS)}"
            )
        cred_id = credential.get("id")
        if cred_id is not None and (not isinstance(cred_id, str) or not is_id(cred_id)):
            raise FaultError(
                f"{where}.credential.id: a token id, or a user id for a global key "
                "(32 lowercase hex characters)"
            )

    status = doc.get("status")
    if status is not None and (
        not isinstance(status, int)
        or isinstance(status, bool)
        or not 400 <= status <= 599
    ):
        raise FaultError(f"{where}.status: an HTTP status from 400 to 599")

    code = doc.get("code")
    if code is not None and (
        not isinstance(code, int) or isinstance(code, bool) or not 1000 <= code <= 99999
    ):
        raise FaultError(f"{where}.code: a Cloudflare error code from 1000 to 99999")
    message = doc.get("message")
    if message is not None and (not isinstance(message, str) or not message.strip()):
        raise FaultError(f"{where}.message: a non-empty string")
    if message is not None and len(message) > MAX_MESSAGE:
        raise FaultError(f"{where}.message: at most {MAX_MESSAGE} characters")

    retry_after = doc.get("retry_after")
    if retry_after is not None and (
        not _is_number(retry_after) or not 0 <= retry_after <= MAX_RETRY_AFTER
    ):
        raise FaultError(
            f"{where}.retry_after: seconds, from 0 to {MAX_RETRY_AFTER} (a number)"
        )
    should_retry = doc.get("should_retry")
    if should_retry is not None and not isinstance(should_retry, bool):
        raise FaultError(f"{where}.should_retry: must be true or false")
    if status is None:
        for name in ("code", "message", "retry_after", "should_retry"):
            if doc.get(name) is not None:
                raise FaultError(f"{where}.{name}: only with a status")

    latency = doc.get("latency", 0)
    if not _is_number(latency) or not 0 <= latency <= MAX_LATENCY:
        raise FaultError(
            f"{where}.latency: seconds to wait before answering, 0 to {MAX_LATENCY:g}"
        )
    if status is None and not latency:
        raise FaultError(f"{where}: give a status, a latency, or both")

    probability = doc.get("probability", 1)
    if not _is_number(probability) or not 0 <= probability <= 1:
        raise FaultError(f"{where}.probability: a number from 0 to 1")
    count = doc.get("count")
    if count is not None and (
        not isinstance(count, int) or isinstance(count, bool) or count < 1
    ):
        raise FaultError(f"{where}.count: how many times to fire, at least 1")

    return FaultRule(
        id=rid,
        method=method,
        route=route,
        credential_kind=kind,
        credential_id=cred_id,
        status=status,
        code=code,
        message=message,
        retry_after=retry_after,
        should_retry=should_retry,
        latency=float(latency),
        probability=float(probability),
        count=count,
    )


def parse_rules(docs: Any, where: str = "faults") -> list[FaultRule]:
    """A list of rule documents (None is an empty list)."""
    if docs is None:
        return []
    if not isinstance(docs, list):
        raise FaultError(f"{where}: must be a list")
    rules = [parse_rule(d, f"{where}[{i}]") for i, d in enumerate(docs)]
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.id in seen:
            raise FaultError(f"{where}[{i}].id: {rule.id} is given twice")
        seen.add(rule.id)
    return rules


def seed_file_rules(paths: list[str]) -> list[FaultRule]:
    """The ``faults`` of the given seed files (read again at every start and reset:
    rules are not kept in the database). Raises SeedError like loading the files."""
    from ..seeding.load import SeedError, read_file

    rules: list[FaultRule] = []
    for path in paths:
        try:
            rules.extend(parse_rules(read_file(path).get("faults"), f"{path}: faults"))
        except FaultError as exc:
            raise SeedError(str(exc)) from None
    return rules
