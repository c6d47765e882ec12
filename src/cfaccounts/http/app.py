"""The ASGI application: read the request, route it, authenticate and authorize it as
its route declares, run the handler, and turn every outcome, errors included, into the
Cloudflare envelope with the real API's headers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from time import perf_counter
from typing import TYPE_CHECKING, Any

from .. import errors
from ..admin.guard import check_admin
from ..storage.database import DatabaseUnavailable
from .limits import MAX_HEADER_BYTES, MAX_HEADERS, MAX_URL_BYTES, check_headers
from .request import Request
from .response import BASE_HEADERS, Delay, Response, error, new_ray
from .routing import Access, Route, Router

if TYPE_CHECKING:
    from ..services import Services

log = logging.getLogger("cfaccounts.access")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

ADMIN_PREFIX = "/_cfaccounts"
_ADMIN_START = ADMIN_PREFIX + "/"


class App:
    """The cfaccounts ASGI app. ``api_routes`` are served under the configured prefix
    (``/client/v4`` by default), ``admin_routes`` under ``/_cfaccounts``."""

    def __init__(
        self,
        services: Services,
        api_routes: Iterable[Route],
        admin_routes: Iterable[Route],
    ) -> None:
        self.services = services
        self.settings = services.settings
        self.prefix = self.settings.prefix.rstrip("/")
        self._api_start = self.prefix + "/"
        self.api = Router(api_routes)
        self.admin = Router(admin_routes)
        self.max_body = self.settings.max_body_bytes
        self.colo = self.settings.colo
        # Extension points, each a list of callables run in order:
        # - before_handler: after routing and the access check (req.route and
        #   req.principal are set), before the handler; may raise ApiError or return a
        #   Response to answer instead of the handler (rate limits, fault injection),
        #   or a Delay: the app awaits it, then answers its response or runs the
        #   handler (hooks after the one that returned it do not run).
        # - on_response: may add headers to any response before it is sent.
        # - on_request: after the response is sent (logs, metrics); must not raise.
        self.before_handler: list[Callable[[Request], Response | None]] = []
        self.on_response: list[Callable[[Request, Response], None]] = []
        self.on_request: list[Callable[[Request, Response, float], None]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The request path, inline: every call and coroutine saved here is saved on
        # every request.
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._lifespan(receive, send)
            return
        started = perf_counter()
        ray = new_ray(self.colo)
        headers: dict[str, str] = {}
        raw_headers = scope["headers"]
        header_bytes = 0
        for name, value in raw_headers:
            header_bytes += len(value)
            headers[name.decode("latin-1").lower()] = value.decode("latin-1")
        client = scope.get("client")
        raw_path = scope.get("raw_path") or scope["path"].encode()
        req = Request(
            self.services,
            scope["method"],
            raw_path.decode("latin-1"),
            scope.get("query_string", b""),
            headers,
            b"",
            client[0] if client else "127.0.0.1",
            ray,
        )
        try:
            if (
                header_bytes > MAX_HEADER_BYTES
                or len(raw_headers) > MAX_HEADERS
                or len(headers) != len(raw_headers)  # a name came more than once
            ):
                check_headers(raw_headers, header_bytes)
            if len(raw_path) + len(req.query_string) > MAX_URL_BYTES:
                raise errors.URI_TOO_LONG(limit=MAX_URL_BYTES)
            if "content-length" in headers or "transfer-encoding" in headers:
                req.body = await self._read_body(receive, headers)
            response = self.dispatch(req)
            if type(response) is Delay:  # a hook asked to answer later (latency)
                await asyncio.sleep(response.seconds)
                response = response.then or self.resume(req)
        except errors.ApiError as exc:
            response = error(exc)
        for decorate in self.on_response:
            decorate(req, response)
        if req.method == "HEAD":
            response.body = b""
        out = [*BASE_HEADERS, (b"cf-ray", ray.encode()), *response.headers]
        if response.content_type is not None:  # BASE_HEADERS[0] is the JSON type
            out[0] = (b"content-type", response.content_type.encode("latin-1"))
        await send(
            {"type": "http.response.start", "status": response.status, "headers": out}
        )
        await send({"type": "http.response.body", "body": response.body})
        elapsed = perf_counter() - started
        for hook in self.on_request:
            hook(req, response, elapsed)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _read_body(self, receive: Receive, headers: dict[str, str]) -> bytes:
        # Called only when a header announces a body (HTTP/1.1: a message with
        # neither Content-Length nor Transfer-Encoding has none).
        declared = headers.get("content-length")
        if (
            declared is not None
            and declared.isdigit()
            and int(declared) > self.max_body
        ):
            raise errors.BODY_TOO_LARGE(limit=self.max_body)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise errors.BODY_TOO_LARGE(limit=self.max_body)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def dispatch(self, req: Request) -> Response:
        """Route, check access, and run the handler, mapping every failure to an
        envelope. Unexpected exceptions are logged with the cf-ray and answered 500."""
        try:
            path = req.path
            if "?" in path:
                path = path.split("?", 1)[0]
            if self.prefix and path.startswith(self._api_start):
                router, sub = self.api, path[len(self.prefix) :]
            elif path == ADMIN_PREFIX or path.startswith(_ADMIN_START):
                router, sub = self.admin, path[len(ADMIN_PREFIX) :] or "/"
            elif self.prefix == "":
                router, sub = self.api, path
            else:
                raise errors.NO_ROUTE()
            route, params = router.match(req.method, sub, path)
            req.route = route
            req.params = params
            self._check_access(req, route)
            for hook in self.before_handler:
                answer = hook(req)
                if answer is not None:
                    return answer
            return route.handler(req)
        except Exception as exc:
            return self._failure(req, exc)

    def resume(self, req: Request) -> Response:
        """Run the handler of a request that dispatch already routed and checked
        (after a Delay), with the same mapping of failures."""
        assert req.route is not None
        try:
            return req.route.handler(req)
        except Exception as exc:
            return self._failure(req, exc)

    def _failure(self, req: Request, exc: Exception) -> Response:
        if isinstance(exc, errors.ApiError):
            return error(exc)
        if isinstance(exc, DatabaseUnavailable):
            log.warning("database unavailable (cf-ray %s): %s", req.ray, exc)
            return error(errors.DATABASE_UNAVAILABLE().with_headers(retry_after="1"))
        log.error("unhandled error (cf-ray %s)", req.ray, exc_info=exc)
        return error(errors.INTERNAL_ERROR(ray=req.ray))

    def _check_access(self, req: Request, route: Route) -> None:
        access = route.access
        if access is Access.PUBLIC:
            return
        if access is Access.ADMIN:
            check_admin(req)
            return
        services = self.services
        principal = services.authenticator.authenticate(req.headers, req.client_ip)
        req.principal = principal
        if access is Access.ACCOUNT:
            decision = services.authorizer.on_account(
                principal, req.params["account_id"], route.groups
            )
            req.decision = decision
            if not decision.allowed:
                raise errors.UNAUTHORIZED()
        elif access is Access.USER:
            if not principal.is_user_level:
                raise errors.USER_AUTH_REQUIRED()
            decision = services.authorizer.on_user(principal, route.groups)
            req.decision = decision
            if not decision.allowed:
                raise errors.UNAUTHORIZED()
