"""A small ASGI layer made for this API: a route table, a request object, the
Cloudflare envelope and headers. Handlers are plain functions of a Request."""

from .request import Request
from .response import Response, ok, page
from .routing import Access, Route, RouteTable

__all__ = ["Access", "Request", "Response", "Route", "RouteTable", "ok", "page"]
