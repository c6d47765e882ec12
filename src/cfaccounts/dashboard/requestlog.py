"""The recent-request log: a bounded in-memory ring, filled by an ``on_request`` hook.

Each entry keeps what a person needs to understand a call, refusals above all: the
route, status, error code, credential kind and id (never a secret), latency, cf-ray, and
for a refusal the decision behind it — which permission groups the route accepts, what
the credential held, which policy or condition decided.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import times

if TYPE_CHECKING:
    from ..catalog import Catalogue
    from ..http.request import Request
    from ..http.response import Response


class RequestLog:
    """The last ``size`` requests, newest last. Appending one is a tuple put on a
    bounded deque: the entry is described (times formatted, group names looked up) only
    when the dashboard reads it, since most entries are never read."""

    def __init__(self, size: int, catalogue: Catalogue) -> None:
        self.size = size
        self.catalogue = catalogue
        self._entries: deque[tuple[Any, ...]] = deque(maxlen=max(size, 1))
        # next() on a count is atomic in CPython: no lock is needed for the sequence.
        self._seq = itertools.count(1)

    def hook(self, req: Request, resp: Response, elapsed: float) -> None:
        path = req.path
        if path.startswith("/_cfaccounts"):
            return  # the dashboard's own traffic would drown everything else
        if "?" in path:
            path = path.split("?", 1)[0]
        principal = req.principal
        # A plain tuple in _Raw's field order (a NamedTuple costs a call to make).
        self._entries.append(
            (
                next(self._seq),
                time.time(),
                req.method,
                path,
                req.route,
                resp.status,
                resp.error,
                principal.kind if principal else _attempted(req),
                principal.credential_id if principal else None,
                elapsed,
                req.ray,
                req.decision,
            )
        )

    def _describe(self, raw: _Raw) -> dict[str, Any]:
        route, error = raw.route, raw.error
        stamp = datetime.fromtimestamp(raw.time, UTC)
        return {
            "seq": raw.seq,
            "time": times.wire(times.to_db(stamp)),
            "method": raw.method,
            "path": raw.path,
            "route": route.template if route else None,
            "operation": route.operation_id if route else None,
            "status": raw.status,
            "error_code": error.code if error is not None else None,
            "error_message": error.message if error is not None else None,
            "credential_kind": raw.credential_kind,
            "credential_id": raw.credential_id,
            "latency_ms": round(raw.elapsed * 1000, 2),
            "ray": raw.ray,
            "decision": self._decision(raw.decision, route, error),
        }

    def _decision(self, decision: Any, route: Any, error: Any) -> dict[str, Any] | None:
        accepted = self._names(route.groups) if route else []
        if decision is not None:
            described: dict[str, Any] = decision.describe()
            described["needed"] = self._names(decision.needed)
            described["held"] = self._names(decision.held)
            described["accepted"] = accepted
            return described
        if error is not None and route is not None:
            return {
                "allowed": False,
                "reason": getattr(error, "reason", None) or error.message,
                "accepted": accepted,
                "needed": accepted,
                "held": [],
                "policy_id": None,
            }
        return None

    def _names(self, ids: Iterable[str]) -> list[str]:
        groups = self.catalogue.groups_by_id
        return sorted(groups[g].name if g in groups else g for g in ids)

    def entries(
        self,
        *,
        status: str | None = None,
        credential: str | None = None,
        path: str | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """Newest first, filtered: ``status`` is a code ("403") or a class ("4xx");
        ``credential`` matches the kind or the id; ``path`` is a substring."""
        out = []
        for raw in reversed(self._entries):
            entry = _Raw(*raw)
            if status and not _status_matches(entry.status, status):
                continue
            if credential and credential not in (
                entry.credential_kind,
                entry.credential_id,
            ):
                continue
            if path and path not in entry.path:
                continue
            out.append(self._describe(entry))
            if len(out) >= limit:
                break
        return out

    def clear(self) -> None:
        self._entries.clear()


class _Raw(NamedTuple):
    """An entry as recorded: the objects the request left, described when read."""

    seq: int
    time: float
    method: str
    path: str
    route: Any
    status: int
    error: Any
    credential_kind: str | None
    credential_id: str | None
    elapsed: float
    ray: str
    decision: Any


def _status_matches(status: int, wanted: str) -> bool:
    wanted = wanted.strip().lower()
    if len(wanted) == 3 and wanted.endswith("xx"):
        return str(status)[0] == wanted[0]
    return str(status) == wanted


def _attempted(req: Request) -> str | None:
    headers = req.headers
    if "x-auth-email" in headers or "x-auth-key" in headers:
        return "api_key"
    if "authorization" in headers:
        return "token"
    return None
