"""Responses: the Cloudflare envelope and the headers api.cloudflare.com sends."""

from __future__ import annotations

import random
from typing import Any

import orjson

from ..errors import ApiError

_random_bits = random.getrandbits

# The headers every reply of the real API carries that matter to clients: JSON, never
# cached, and the security headers of the Cloudflare edge.
BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-type", b"application/json"),
    (
        b"cache-control",
        b"no-store, no-cache, must-revalidate, post-check=0, pre-check=0",
    ),
    (b"expires", b"Sun, 25 Jan 1981 05:00:00 GMT"),
    (b"pragma", b"no-cache"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cf-cache-status", b"DYNAMIC"),
    (b"server", b"cloudflare"),
)


def new_ray(colo: str) -> str:
    """A Ray ID as the edge writes it: 16 lowercase hex, a hyphen, a data centre.
    It names a request in logs and is no secret, so the process's PRNG serves (one
    system call per request for ``os.urandom`` showed in profiles)."""
    return f"{_random_bits(64):016x}-{colo}"


class Response:
    __slots__ = ("body", "content_type", "error", "headers", "status")

    def __init__(
        self,
        status: int,
        body: bytes,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers if headers is not None else []
        # None means application/json, as every API reply
        self.content_type: str | None = None
        # the error this response answers, for the hooks that log it
        self.error: ApiError | None = None

    def header(self, name: str, value: str) -> Response:
        self.headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        return self


class Delay(Response):
    """Not an answer yet, returned by a before_handler hook: the app waits ``seconds``
    without blocking other requests, then sends ``then``, or runs the route's handler
    when ``then`` is None (the request is already routed and its access checked)."""

    __slots__ = ("seconds", "then")

    def __init__(self, seconds: float, then: Response | None = None) -> None:
        super().__init__(0, b"")
        self.seconds = seconds
        self.then = then


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def ok(result: Any, *, messages: list[dict[str, Any]] | None = None) -> Response:
    """A success envelope around ``result``."""
    return Response(
        200,
        _dumps(
            {
                "result": result,
                "success": True,
                "errors": [],
                "messages": messages or [],
            }
        ),
    )


def page(items: list[Any], *, page: int, per_page: int, total: int) -> Response:
    """A success envelope for one page of a list, with ``result_info``."""
    total_pages = (total + per_page - 1) // per_page if per_page else 0
    return Response(
        200,
        _dumps(
            {
                "result": items,
                "result_info": {
                    "page": page,
                    "per_page": per_page,
                    "count": len(items),
                    "total_count": total,
                    "total_pages": total_pages,
                },
                "success": True,
                "errors": [],
                "messages": [],
            }
        ),
    )


def raw_json(status: int, value: Any) -> Response:
    return Response(status, _dumps(value))


def error(exc: ApiError) -> Response:
    """The failure envelope for an ApiError, with its extra headers."""
    resp = Response(
        exc.status,
        _dumps(
            {
                "success": False,
                "errors": exc.errors(),
                "messages": [],
                "result": None,
            }
        ),
    )
    resp.error = exc
    for name, value in exc.headers.items():
        resp.header(name, value)
    return resp
