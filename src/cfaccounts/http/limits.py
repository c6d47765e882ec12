"""Limits on what a request may carry, checked before anything reads it.

The HTTP layer (uvicorn) already refuses malformed requests (a bad request line,
bytes that are not allowed in a path, a bad Content-Length) with a plain 400. What it
lets through is checked here, and refused with the Cloudflare envelope:

- the path and query string: at most ``MAX_URL_BYTES`` together (the edge's limit for
  a URL): 414;
- headers: at most ``MAX_HEADERS`` of them and ``MAX_HEADER_BYTES`` of values in
  all (the edge refuses oversized headers too): 431;
- a credential header (``Authorization``, ``X-Auth-Email``, ``X-Auth-Key``) given
  more than once is ambiguous, so it is refused rather than one copy picked: 400 6003;
- JSON bodies nested deeper than ``MAX_JSON_DEPTH``, or with a NUL character in a
  string (no database text column takes one): 400 1001.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import errors

MAX_URL_BYTES = 16 * 1024
MAX_HEADERS = 100
MAX_HEADER_BYTES = 32 * 1024
MAX_JSON_DEPTH = 32

_CREDENTIAL_HEADERS = {
    b"authorization": errors.BAD_AUTHORIZATION_HEADER,
    b"x-auth-email": errors.BAD_EMAIL_HEADER,
    b"x-auth-key": errors.BAD_KEY_HEADER,
}


def check_headers(raw: list[tuple[bytes, bytes]], value_bytes: int) -> None:
    """Refuse too many or too large headers, and repeated credential headers. Called
    only when the cheap signs (a total over the limit, or fewer distinct names than
    headers) say there may be something to refuse."""
    if len(raw) > MAX_HEADERS or value_bytes > MAX_HEADER_BYTES:
        raise errors.HEADERS_TOO_LARGE(count=MAX_HEADERS, limit=MAX_HEADER_BYTES)
    seen: dict[bytes, int] = {}
    for name, _ in raw:
        lowered = name.lower()
        if lowered in _CREDENTIAL_HEADERS:
            seen[lowered] = seen.get(lowered, 0) + 1
    repeated = [_CREDENTIAL_HEADERS[n] for n, times in seen.items() if times > 1]
    if repeated:
        raise errors.INVALID_HEADERS().with_chain(*repeated)


def check_json(body: bytes, value: Any) -> None:
    """Refuse a parsed JSON body nested too deeply or holding a NUL character. Only
    bodies that could (by a cheap look at their bytes) are walked."""
    deep = body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH
    nul = b"\\u0000" in body
    if deep or nul:
        _walk(value)


def _walk(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise errors.INVALID_REQUEST(
                    detail="the request body has a NUL character in a string"
                )
            continue
        children: Iterable[Any]
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise errors.INVALID_REQUEST(
                detail=f"the request body is nested more than {MAX_JSON_DEPTH} "
                "levels deep"
            )
        stack.extend((child, depth + 1) for child in children)
