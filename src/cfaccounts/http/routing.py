"""Routes: a path template, a method, who may call it, and the handler.

Path ids are checked here, once for every route: a segment bound to an ``*_id``
parameter that is not 32 lowercase hex characters is answered as the real API does, with
7003 "Could not route to …" followed by 7000 "No route for that URI".
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .. import errors
from ..ids import is_id

if TYPE_CHECKING:
    from .request import Request
    from .response import Response


class Access(enum.Enum):
    """Who may call a route, checked before the handler runs."""

    PUBLIC = "public"  # no credentials (admin health, openapi)
    ADMIN = "admin"  # the admin token
    AUTHENTICATED = "authenticated"  # any valid API credential; the handler decides
    ACCOUNT = "account"  # a credential holding one of `groups` on {account_id}
    USER = "user"  # a user-level credential holding one of `groups` on the user


Handler = Callable[["Request"], "Response"]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    operation_id: str
    access: Access
    groups: frozenset[str] = frozenset()
    summary: str = ""
    # Optional OpenAPI operation fields (tags, description, parameters, requestBody,
    # responses, deprecated) for an operation the shipped reference document does not
    # describe; the generated document merges them over what it derives.
    openapi: Mapping[str, Any] | None = field(default=None, compare=False)
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "segments", tuple(s for s in self.template.split("/") if s)
        )

    @property
    def param_count(self) -> int:
        return sum(1 for s in self.segments if s.startswith("{"))


class RouteTable:
    """The routes of one resource family, declared with decorators."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(
        self,
        method: str,
        template: str,
        *,
        operation_id: str,
        access: Access,
        groups: Iterable[str] = (),
        summary: str = "",
        openapi: Mapping[str, Any] | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self.routes.append(
                Route(
                    method,
                    template,
                    fn,
                    operation_id,
                    access,
                    frozenset(groups),
                    summary or (fn.__doc__ or "").strip().split("\n")[0],
                    openapi,
                )
            )
            return fn

        return register

    def get(self, template: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", template, **kw)

    def post(self, template: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", template, **kw)

    def put(self, template: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("PUT", template, **kw)

    def patch(self, template: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("PATCH", template, **kw)

    def delete(self, template: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", template, **kw)


# How many (method, path) matches a router remembers; it starts again when full.
MATCHES_REMEMBERED = 4096


class Router:
    """Matches a raw path to a route. Literal segments win over parameters, so
    ``/tokens/verify`` is never read as a token id."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = list(routes)
        by_length: dict[int, list[Route]] = {}
        for r in self.routes:
            by_length.setdefault(len(r.segments), []).append(r)
        self._by_length = {
            n: sorted(rs, key=lambda r: [s.startswith("{") for s in r.segments])
            for n, rs in by_length.items()
        }
        # Paths matched recently: clients repeat the same few paths (an account, its
        # members), and a hit skips splitting, decoding and comparing segments.
        self._matched: dict[tuple[str, str], tuple[Route, dict[str, str]]] = {}

    def match(
        self, method: str, raw_path: str, shown_path: str
    ) -> tuple[Route, dict[str, str]]:
        """The route and its decoded path parameters, or an ApiError: 7003/7000 for a
        malformed id, 7000 for no such path, 405 for a known path with another
        method."""
        key = (method, raw_path)
        found = self._matched.get(key)
        if found is not None:
            return found[0], found[1].copy()
        route, params = self._match(method, raw_path, shown_path)
        if len(self._matched) >= MATCHES_REMEMBERED:
            self._matched.clear()
        self._matched[key] = (route, params.copy())
        return route, params

    def _match(
        self, method: str, raw_path: str, shown_path: str
    ) -> tuple[Route, dict[str, str]]:
        parts = raw_path.split("/")[1:]
        if parts and parts[-1] == "":
            parts.pop()
        if "" in parts:
            raise errors.NO_ROUTE()  # "//" never names a route
        segments = [unquote(p) for p in parts]
        candidates = self._by_length.get(len(segments), ())
        allowed: list[str] = []
        bad_id = False
        for route in candidates:
            params: dict[str, str] = {}
            for tmpl, seg in zip(route.segments, segments, strict=True):
                if tmpl[0] == "{":
                    params[tmpl[1:-1]] = seg
                elif tmpl != seg:
                    break
            else:
                if not all(is_id(v) for k, v in params.items() if k.endswith("_id")):
                    bad_id = True
                    continue
                if route.method == method or (
                    method == "HEAD" and route.method == "GET"
                ):
                    return route, params
                allowed.append(route.method)
        if allowed:
            raise errors.METHOD_NOT_ALLOWED(method=method).with_headers(
                allow=", ".join(sorted(set(allowed)))
            )
        if bad_id:
            raise errors.BAD_IDENTIFIER(path=shown_path).then(errors.NO_ROUTE)
        raise errors.NO_ROUTE()
