"""Prometheus metrics at /_cfaccounts/metrics: requests by route template and status,
latency, denials by code, rate-limited requests and database errors."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from cfaccounts import Settings, errors
from cfaccounts.http.request import Request
from cfaccounts.http.response import error, ok
from cfaccounts.observability.metrics import Metrics
from cfaccounts.server import build_app

from ..conftest import (
    DEMO_ACCOUNT,
    VIEWER_EMAIL,
    VIEWER_KEY,
    RunningServer,
    database_url,
    key_headers,
    sdk,
)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(server: RunningServer, **headers: str) -> Samples:
    r = httpx.get(f"{server.url}/_cfaccounts/metrics", headers=headers)
    assert r.status_code == 200
    out: Samples = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def settled(server: RunningServer, check: object, name: str, **labels: str) -> Samples:
    """Scrape until ``name`` reaches ``check`` (the hook counts just after the
    response is sent, so a scrape right after may not see it yet)."""
    deadline = time.monotonic() + 10
    while True:
        samples = scrape(server)
        if value(samples, name, **labels) >= check or time.monotonic() > deadline:  # type: ignore[operator]
            return samples


def test_requests_are_counted_by_route_template_and_status(
    server: RunningServer,
) -> None:
    route = "/accounts/{account_id}"
    before = scrape(server)
    with sdk(server, api_email=VIEWER_EMAIL, api_key=VIEWER_KEY) as client:
        client.accounts.get(account_id=DEMO_ACCOUNT)
        client.accounts.get(account_id=DEMO_ACCOUNT)
    httpx.put(
        f"{server.base_url}/accounts/{DEMO_ACCOUNT}",
        headers=key_headers(VIEWER_EMAIL, VIEWER_KEY),
        json={"name": "x"},
    )
    httpx.get(f"{server.base_url}/no/such/{DEMO_ACCOUNT}")
    ok_before = value(
        before,
        "cfaccounts_http_requests_total",
        method="GET",
        route=route,
        status="200",
    )
    after = settled(
        server,
        ok_before + 2,
        "cfaccounts_http_requests_total",
        method="GET",
        route=route,
        status="200",
    )

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    total = "cfaccounts_http_requests_total"
    assert delta(total, method="GET", route=route, status="200") == 2
    assert delta(total, method="PUT", route=route, status="403") == 1
    assert delta(total, method="GET", route="unmatched", status="404") == 1
    assert delta("cfaccounts_denials_total", code="9109") == 1
    histogram = "cfaccounts_http_request_duration_seconds"
    assert delta(f"{histogram}_count", method="GET", route=route) == 2
    assert delta(f"{histogram}_bucket", method="GET", route=route, le="+Inf") == 2
    # No series names a raw path (ids would make one series each).
    assert not any(DEMO_ACCOUNT in str(labels) for _, labels in after)


def test_metrics_need_no_token_and_speak_openmetrics_when_asked(
    server: RunningServer,
) -> None:
    plain = httpx.get(f"{server.url}/_cfaccounts/metrics")
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "cfaccounts_build_info" in plain.text
    om = httpx.get(
        f"{server.url}/_cfaccounts/metrics",
        headers={"Accept": "application/openmetrics-text; version=1.0.0"},
    )
    assert om.headers["content-type"].startswith("application/openmetrics-text")
    assert om.text.rstrip().endswith("# EOF")


def _request(app: object, path: str, client_ip: str = "127.0.0.1") -> Request:
    return Request(
        services=app.services,  # type: ignore[attr-defined]
        method="GET",
        path=path,
        query_string=b"",
        headers={},
        body=b"",
        client_ip=client_ip,
        ray="0" * 16 + "-SJC",
    )


def test_metrics_answer_only_loopback_clients(server: RunningServer) -> None:
    app = server.app
    remote = app.dispatch(_request(app, "/_cfaccounts/metrics", "192.0.2.7"))
    assert remote.status == 404
    local = app.dispatch(_request(app, "/_cfaccounts/metrics", "::1"))
    assert local.status == 200


def test_metrics_can_be_turned_off(tmp_path: Path) -> None:
    settings = Settings.from_env(
        env={},
        database_url=database_url(tmp_path),
        metrics=False,  # type: ignore[arg-type]
    )
    app = build_app(settings)
    try:
        assert app.dispatch(_request(app, "/_cfaccounts/metrics")).status == 404
    finally:
        app.services.db.dispose()


def _observe(metrics: Metrics, app: object, path: str, resp: object) -> None:
    req = _request(app, path)
    req.route = None
    metrics.observe(req, resp, 0.001)  # type: ignore[arg-type]


def test_rate_limited_and_database_errors_are_counted(server: RunningServer) -> None:
    metrics = Metrics()
    app = server.app
    _observe(metrics, app, "/x", error(errors.RATE_LIMITED()))
    _observe(metrics, app, "/x", error(errors.RATE_LIMITED()))
    _observe(metrics, app, "/x", error(errors.DATABASE_UNAVAILABLE()))
    _observe(metrics, app, "/x", ok({}))
    text = metrics.exposition(None)[0].decode()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    assert (
        value(samples, "cfaccounts_rate_limited_requests_total", route="unmatched") == 2
    )
    assert value(samples, "cfaccounts_database_errors_total", route="unmatched") == 1
    assert (
        value(
            samples,
            "cfaccounts_http_requests_total",
            method="GET",
            route="unmatched",
            status="429",
        )
        == 2
    )
