"""The request as handlers see it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson

from .. import errors
from .limits import check_json

if TYPE_CHECKING:
    from ..auth.principal import Decision, Principal
    from ..services import Services
    from .routing import Route


class Request:
    __slots__ = (
        "_query",
        "body",
        "client_ip",
        "decision",
        "headers",
        "method",
        "params",
        "path",
        "principal",
        "query_string",
        "rate",
        "ray",
        "route",
        "services",
    )

    def __init__(
        self,
        services: Services,
        method: str,
        path: str,
        query_string: bytes,
        headers: dict[str, str],
        body: bytes,
        client_ip: str,
        ray: str,
    ) -> None:
        self.services = services
        self.method = method
        self.path = path
        self.query_string = query_string
        self.headers = headers
        self.body = body
        self.client_ip = client_ip
        self.ray = ray
        self.route: Route | None = None
        self.params: dict[str, str] = {}
        self.principal: Principal | None = None
        self.decision: Decision | None = None
        # (requests counted in the window, seconds to its end) once rate limiting
        # has counted this request; None when limits are off or nothing was counted.
        self.rate: tuple[int, int] | None = None
        self._query: dict[str, list[str]] | None = None

    @property
    def query(self) -> dict[str, list[str]]:
        """Query parameters; a key may repeat (``a=1&a=2``)."""
        if self._query is None:
            try:
                text = self.query_string.decode("utf-8")
            except UnicodeDecodeError:
                raise errors.INVALID_REQUEST(
                    detail="query string is not valid UTF-8"
                ) from None
            if "%00" in text or "\x00" in text:  # no database text takes a NUL
                raise errors.INVALID_REQUEST(detail="query string has a NUL character")
            self._query = parse_qs(text, keep_blank_values=True)
        return self._query

    def arg(self, name: str) -> str | None:
        """The last value of a query parameter, or None."""
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self, *, required: bool = True) -> Any:
        """The body parsed as JSON. An empty body is ``None`` (or an error when a body
        is required); anything that is not JSON is 6007."""
        if not self.body.strip():
            if required:
                raise errors.INVALID_REQUEST(detail="a JSON request body is required")
            return None
        try:
            value = orjson.loads(self.body)
        except orjson.JSONDecodeError:
            raise errors.MALFORMED_JSON() from None
        check_json(self.body, value)
        return value

    def json_object(self, *, required: bool = True) -> dict[str, Any]:
        value = self.json(required=required)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise errors.INVALID_REQUEST(
                detail="the request body must be a JSON object"
            )
        return value
