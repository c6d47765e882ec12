"""What the server tells its operator: one structured log event per request, the
reason behind every refusal, the start-up summary, and Prometheus metrics.

``build_app`` wires it in with ``metrics_for`` (the metrics, unless turned off),
``routes`` (``/_cfaccounts/metrics``) and ``install`` (the ``on_request`` hooks)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .logs import configure_logging, request_logger
from .metrics import MULTIPROC_ENV, Metrics, on_request
from .startup import banner_lines, log_startup

if TYPE_CHECKING:
    from ..config import Settings
    from ..http.app import App
    from ..http.routing import Route

__all__ = [
    "Metrics",
    "banner_lines",
    "configure_logging",
    "install",
    "log_startup",
    "metrics_for",
    "routes",
    "shared_metrics_dir",
]


def metrics_for(settings: Settings) -> Metrics | None:
    """The application's metrics, or None when they are turned off."""
    return Metrics() if getattr(settings, "metrics", True) else None


def routes(metrics: Metrics | None) -> list[Route]:
    """The admin routes of this package (the metrics endpoint, when on)."""
    return metrics.routes().routes if metrics is not None else []


def install(app: App, metrics: Metrics | None) -> None:
    """Count (when metrics are on) and log every request."""
    if metrics is not None:
        app.on_request.append(on_request(metrics))
    app.on_request.append(request_logger(app.services))


@contextmanager
def shared_metrics_dir() -> Iterator[None]:
    """For worker processes: unless ``PROMETHEUS_MULTIPROC_DIR`` is set already, a
    fresh directory for the workers' metric files, set in the environment they
    inherit and removed at the end."""
    if os.environ.get(MULTIPROC_ENV):
        yield
        return
    path = tempfile.mkdtemp(prefix="cfaccounts-metrics-")
    os.environ[MULTIPROC_ENV] = path
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(path, ignore_errors=True)
