"""Request counts: the families a scrape sees, bucket edges, and the sum of several
worker processes' files."""

from __future__ import annotations

from pathlib import Path

import orjson
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from cfaccounts.observability.counts import FILE_PREFIX, RequestCounts

BUCKETS = (0.001, 0.01)
ROUTE = "/accounts/{account_id}"


def _samples(
    counts: RequestCounts,
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    registry = CollectorRegistry()
    registry.register(counts)
    text = generate_latest(registry).decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _bucket(le: str) -> tuple[str, frozenset[tuple[str, str]]]:
    labels = {"method": "GET", "route": ROUTE, "le": le}
    return "cfaccounts_http_request_duration_seconds_bucket", frozenset(labels.items())


def test_a_latency_on_a_bound_counts_in_that_bucket_and_buckets_add_up() -> None:
    counts = RequestCounts(BUCKETS, None)
    for elapsed in (0.0005, 0.001, 0.005, 3.0):
        counts.add("GET", ROUTE, 200, elapsed)
    counts.add("GET", ROUTE, 403, 0.0001)
    samples = _samples(counts)
    assert samples[_bucket("0.001")] == 3
    assert samples[_bucket("0.01")] == 4
    assert samples[_bucket("+Inf")] == 5
    labels = frozenset({"method": "GET", "route": ROUTE}.items())
    assert samples[("cfaccounts_http_request_duration_seconds_count", labels)] == 5
    total = samples[("cfaccounts_http_request_duration_seconds_sum", labels)]
    assert abs(total - 3.0066) < 1e-9
    by_status = {
        dict(labels)["status"]: v
        for (name, labels), v in samples.items()
        if name == "cfaccounts_http_requests_total"
    }
    assert by_status == {"200": 4, "403": 1}


def test_a_scrape_adds_up_every_workers_file(tmp_path: Path) -> None:
    other = {
        "requests": [["GET", ROUTE, 200, 7]],
        "latency": [["GET", ROUTE, [5, 1, 1, 0.02]]],
    }
    (tmp_path / f"{FILE_PREFIX}1.json").write_bytes(orjson.dumps(other))
    (tmp_path / f"{FILE_PREFIX}2.json").write_bytes(b"{half a file")
    mine = RequestCounts(BUCKETS, str(tmp_path))
    mine.add("GET", ROUTE, 200, 0.002)
    samples = _samples(mine)
    status = frozenset({"method": "GET", "route": ROUTE, "status": "200"}.items())
    assert samples[("cfaccounts_http_requests_total", status)] == 8
    assert samples[_bucket("0.001")] == 5
    assert samples[_bucket("0.01")] == 7
    assert samples[_bucket("+Inf")] == 8


def test_a_worker_writes_its_totals_for_the_others(tmp_path: Path) -> None:
    counts = RequestCounts(BUCKETS, str(tmp_path))
    counts.add("GET", ROUTE, 200, 0.002)  # no event loop here: written at once
    (written,) = tmp_path.glob(f"{FILE_PREFIX}*.json")
    assert orjson.loads(written.read_bytes())["requests"] == [["GET", ROUTE, 200, 1]]
