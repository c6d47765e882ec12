"""The two metrics every request updates, requests by (method, route, status) and
their latency histogram by (method, route), counted in plain dictionaries and turned
into Prometheus metric families only when scraped.

Updating ``prometheus_client`` metrics costs a lock per value and a Python loop over
the histogram's buckets on every request, a tenth of what a cached request costs;
here a request costs two dictionary updates and a bisection. The families come out
with the same names, labels and buckets as the library's own ``Counter`` and
``Histogram`` would give them.

With several worker processes (multi-process mode), each process writes its totals to
a file of its own in the shared directory, about a second after it counted something
and when it exits, and a scrape adds up every process's file: the sum a scrape reports
lags the requests by at most about a second, well under any scrape interval.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.utils import floatToGoString

REQUESTS = (
    "cfaccounts_http_requests",
    "Requests answered, by method, route template and status.",
)
LATENCY = (
    "cfaccounts_http_request_duration_seconds",
    "Time from the request's arrival to its response being sent.",
)
# How long after counting something a worker writes its totals for the others.
PUBLISH_DELAY = 1.0
FILE_PREFIX = "cfaccounts_requests_"

Requests = dict[tuple[str, str, int], int]
# Per (method, route): one count per bucket (the last for +Inf), then the sum.
Latency = dict[tuple[str, str], list[float]]


class RequestCounts:
    """Requests and their latencies. ``add`` is the request path; ``collect`` is the
    ``prometheus_client`` collector interface."""

    def __init__(self, buckets: tuple[float, ...], shared_dir: str | None) -> None:
        self.buckets = buckets
        # The bucket bounds as the library writes them (``le="0.0005"``, ``"+Inf"``).
        self._bounds = [
            floatToGoString(b)  # type: ignore[no-untyped-call]
            for b in (*buckets, float("inf"))
        ]
        self.requests: Requests = {}
        self.latency: Latency = {}
        self.shared_dir = shared_dir
        self._publishing = False
        if shared_dir is not None:
            self._file = Path(shared_dir) / f"{FILE_PREFIX}{os.getpid()}.json"
            atexit.register(self.publish)

    def add(self, method: str, route: str, status: int, elapsed: float) -> None:
        requests = self.requests
        key = (method, route, status)
        requests[key] = requests.get(key, 0) + 1
        latency = self.latency.get((method, route))
        if latency is None:
            latency = self.latency[(method, route)] = [0.0] * (len(self.buckets) + 2)
        latency[bisect_left(self.buckets, elapsed)] += 1
        latency[-1] += elapsed
        if self.shared_dir is not None and not self._publishing:
            self._publish_soon()

    # -- multi-process mode ------------------------------------------------------------
    def _publish_soon(self) -> None:
        self._publishing = True
        try:
            asyncio.get_running_loop().call_later(PUBLISH_DELAY, self.publish)
        except RuntimeError:  # counted outside the server's loop
            self.publish()

    def publish(self) -> None:
        """Write this process's totals where the other workers' scrapes read them."""
        self._publishing = False
        if self.shared_dir is None:
            return
        data = {
            "requests": [[*key, n] for key, n in self.requests.items()],
            "latency": [[*key, values] for key, values in self.latency.items()],
        }
        partial = self._file.with_suffix(".tmp")
        with contextlib.suppress(OSError):  # the directory is gone: shutting down
            partial.write_bytes(orjson.dumps(data))
            os.replace(partial, self._file)

    def _every_process(self) -> tuple[Requests, Latency]:
        self.publish()
        requests: Requests = {}
        latency: Latency = {}
        assert self.shared_dir is not None
        for path in Path(self.shared_dir).glob(f"{FILE_PREFIX}*.json"):
            try:
                data = orjson.loads(path.read_bytes())
            except (OSError, orjson.JSONDecodeError):
                continue  # a worker's file being replaced, or gone
            for method, route, status, n in data["requests"]:
                key = (method, route, status)
                requests[key] = requests.get(key, 0) + n
            for method, route, values in data["latency"]:
                mine = latency.setdefault((method, route), [0.0] * len(values))
                for i, v in enumerate(values):
                    mine[i] += v
        return requests, latency

    # -- the collector -----------------------------------------------------------------
    def collect(self) -> Iterator[Metric]:
        if self.shared_dir is None:
            requests, latency = self.requests, self.latency
        else:
            requests, latency = self._every_process()
        counter = CounterMetricFamily(*REQUESTS, labels=["method", "route", "status"])
        for (method, route, status), n in requests.items():
            counter.add_metric([method, route, str(status)], n)
        yield counter
        histogram = HistogramMetricFamily(*LATENCY, labels=["method", "route"])
        for (method, route), values in latency.items():
            histogram.add_metric(
                [method, route], list(self._cumulative(values)), sum_value=values[-1]
            )
        yield histogram

    def _cumulative(self, values: list[float]) -> Iterable[tuple[str, float]]:
        total = 0.0
        for bound, count in zip(self._bounds, values[:-1], strict=True):
            total += count
            yield bound, total
