"""Prometheus metrics, served at ``/_cfaccounts/metrics``.

Each application has its own registry (two servers in one test process count apart).
With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory
shared by the workers (``cfaccounts serve --workers N`` does this itself): every process
then writes its counts to a file there and a scrape of any worker adds them all up.

What every request updates (requests and their latency) is counted in plain
dictionaries and made into metric families when scraped (``counts.py``); the rest
counts refusals and failures, which are rare, with the library's own metrics.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    PlatformCollector,
    ProcessCollector,
    values,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from .. import __version__, errors
from ..admin.guard import is_loopback
from ..http import Access, Response, RouteTable
from .counts import RequestCounts
from .denials import error_of, route_of

if TYPE_CHECKING:
    from ..http.request import Request

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"  # the route label of a path no route matches
DATABASE_UNAVAILABLE_CODE = 10503
LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


def multiprocess_dir() -> str | None:
    """The shared directory of multi-process mode, when it is on."""
    return os.environ.get(MULTIPROC_ENV) or None


class Metrics:
    """The server's metrics and the ``on_request`` hook that counts them."""

    def __init__(self) -> None:
        self.multiprocess = multiprocess_dir() is not None
        if self.multiprocess and not getattr(values.ValueClass, "_multiprocess", False):
            # The library picks its value store when first imported; the variable may
            # have been set later (by ``serve --workers``), so pick again.
            values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.counts = RequestCounts(LATENCY_BUCKETS, multiprocess_dir())
        r.register(self.counts)
        self.denials = Counter(
            "cfaccounts_denials",
            "Requests refused for their credentials (401 and 403), by error code.",
            ["code"],
            registry=r,
        )
        self.rate_limited = Counter(
            "cfaccounts_rate_limited_requests",
            "Requests answered 429 (rate limited), by route template.",
            ["route"],
            registry=r,
        )
        self.database_errors = Counter(
            "cfaccounts_database_errors",
            "Requests answered 503 because the database could not be reached.",
            ["route"],
            registry=r,
        )
        info = Gauge(
            "cfaccounts_build_info",
            "The running cfaccounts version.",
            ["version"],
            registry=r,
            multiprocess_mode="max",
        )
        info.labels(__version__).set(1)
        if not self.multiprocess:
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
        self._labels: dict[int, str] = {}

    def route_label(self, req: Request) -> str:
        """The route template of a request (admin routes under ``/_cfaccounts``), or
        ``unmatched``: never the raw path, which would give one series per id."""
        route = req.route
        if route is None:
            return UNMATCHED
        label = self._labels.get(id(route))
        if label is None:
            label = self._labels[id(route)] = route_of(req) or UNMATCHED
        return label

    def observe(self, req: Request, resp: Response, elapsed: float) -> None:
        """The ``on_request`` hook."""
        status = resp.status
        route = self._labels.get(id(req.route)) or self.route_label(req)
        self.counts.add(req.method, route, status, elapsed)
        if status < 400:
            return
        if status in (401, 403):
            code, _ = error_of(resp)
            self.denials.labels(str(code)).inc()
        elif status == 429:
            self.rate_limited.labels(route).inc()
        elif status == 503:
            code, _ = error_of(resp)
            if code == DATABASE_UNAVAILABLE_CODE:
                self.database_errors.labels(route).inc()

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """The metrics in the format the scraper asked for, and its content type."""
        encoder, content_type = choose_encoder(accept or "")
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            registry.register(self.counts)
            return encoder(registry), content_type
        return encoder(self.registry), content_type

    def routes(self) -> RouteTable:
        """The ``/metrics`` route: no token (Prometheus scrapers carry none)."""
        table = RouteTable()

        @table.get("/metrics", operation_id="cfaccounts-metrics", access=Access.PUBLIC)
        def metrics(req: Request) -> Response:
            """Prometheus metrics of this server. Like the rest of the admin API it
            answers only loopback clients unless remote admin access is allowed."""
            settings = req.services.settings
            if not settings.admin_allow_remote and not is_loopback(req.client_ip):
                raise errors.NO_ROUTE()
            body, content_type = self.exposition(req.headers.get("accept"))
            resp = Response(200, body)
            resp.content_type = content_type
            return resp

        return table


def on_request(metrics: Metrics) -> Callable[[Request, Response, float], None]:
    """The hook that counts every request, shielded so it never raises."""

    observe = metrics.observe

    def hook(req: Request, resp: Response, elapsed: float) -> None:
        try:
            observe(req, resp, elapsed)
        except Exception:  # counting must never take the server down
            return

    return hook
