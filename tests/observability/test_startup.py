"""What the server says at start, and its logs and metrics when run by the
``cfaccounts serve`` command (one process, or several workers)."""

from __future__ import annotations

import gc
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from cfaccounts import Settings, __version__
from cfaccounts.observability.startup import (
    hide_password,
    rate_limit_settings,
    startup_info,
)
from cfaccounts.server import banner, freeze_startup_objects
from cfaccounts.storage.database import Database

from ..conftest import (
    ADMIN_TOKEN,
    DEMO_ACCOUNT,
    DEMO_KEY,
    RunningServer,
    key_headers,
)


def test_the_banner_says_what_runs(server: RunningServer) -> None:
    out = io.StringIO()
    banner(server.app, server.url, out=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"cfaccounts {__version__} listening on {server.url}"
    text = out.getvalue()
    assert f"  API base URL   {server.base_url}" in text
    assert "  admin API      on" in text
    assert "  workers        1" in text
    assert f"  metrics        {server.url}/_cfaccounts/metrics" in text
    assert "  logs           warning, text" in text
    assert "secret key kept in the database" in text
    assert DEMO_KEY in text  # --demo prints the demo credentials, once, here
    assert ADMIN_TOKEN not in text
    if server.app.services.db.is_sqlite:  # a PostgreSQL database has no file
        assert lines[-1].startswith("  data file")


def test_passwords_are_hidden() -> None:
    assert hide_password("redis://:s3cret@127.0.0.1:6379/0") == (
        "redis://:***@127.0.0.1:6379/0"
    )
    assert hide_password("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    described = {"rate_limit": "default", "redis_url": "redis://u:pw@h:6379/1"}
    assert rate_limit_settings(described) == {
        "rate_limit": "default",
        "redis_url": "redis://u:***@h:6379/1",
    }
    assert rate_limit_settings({"rate_limit": None}) == {}


def test_the_startup_event_holds_no_secret() -> None:
    settings = Settings.from_env(
        env={},
        database_url="postgresql+psycopg://app:db-password@127.0.0.1:5432/prod",
        admin_token="admin-secret-value",
        secret_key="hashing-secret-value",
    )
    db = Database(settings.database_url)
    try:
        app = SimpleNamespace(
            settings=settings,
            services=SimpleNamespace(settings=settings, db=db, seed_report=None),
        )
        info = startup_info(app, "http://127.0.0.1:8787")  # type: ignore[arg-type]
    finally:
        db.dispose()
    text = json.dumps(info)
    for secret in ("db-password", "admin-secret-value", "hashing-secret-value"):
        assert secret not in text
    assert info["admin_api"] is True and info["secret_key"] == "configured"
    assert "***" in info["database"]


# A worker may still be starting when the first requests arrive; on a busy machine
# that takes a while. This is a bound on waiting, not a performance assertion.
LOADED_MACHINE_TIMEOUT = 60


@contextmanager
def serving(tmp: Path, *args: str, env: dict[str, str]) -> Iterator[tuple[str, Path]]:
    """``cfaccounts serve --port 0 ...``: its URL and the file its stderr goes to."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CFACCOUNTS_")}
    clean.update(env)
    stderr = tmp / "stderr.log"
    with stderr.open("w") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cfaccounts",
                "serve",
                "--port",
                "0",
                *args,
                "--database",
                f"sqlite:///{tmp / 'db.sqlite3'}",
            ],
            env=clean,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        assert proc.stdout is not None
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            url = found.group(1) if found else None
        assert url, stderr.read_text()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                health = httpx.get(
                    url + "/_cfaccounts/health", timeout=LOADED_MACHINE_TIMEOUT
                )
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url, stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


@pytest.mark.slow
def test_json_logs_from_the_command(tmp_path: Path) -> None:
    with serving(tmp_path, "--demo", env={"CFACCOUNTS_LOG_FORMAT": "json"}) as (
        url,
        stderr,
    ):
        r = httpx.get(
            f"{url}/client/v4/accounts/{DEMO_ACCOUNT}",
            headers=key_headers(),
            timeout=LOADED_MACHINE_TIMEOUT,
        )
        assert r.status_code == 200
        ray = r.headers["cf-ray"]
        deadline = time.monotonic() + 20
        while ray not in stderr.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    events = [json.loads(line) for line in stderr.read_text().splitlines() if line]
    startup = next(e for e in events if e.get("event") == "startup")
    assert startup["url"] == url and startup["log_format"] == "json"
    assert startup["rate_limits"] == "off" and startup["admin_api"] is False
    request = next(e for e in events if e.get("ray") == ray)
    assert request["route"] == "/accounts/{account_id}"
    assert request["status"] == 200 and request["credential_kind"] == "api_key"
    assert any(e["logger"].startswith("uvicorn") for e in events)
    assert DEMO_KEY not in stderr.read_text()


def _count(url: str, route: str) -> float:
    text = httpx.get(f"{url}/_cfaccounts/metrics", timeout=LOADED_MACHINE_TIMEOUT).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if (
                s.name == "cfaccounts_http_requests_total"
                and s.labels.get("route") == route
                and s.labels.get("status") == "200"
            ):
                total += s.value
    return total


@pytest.mark.slow
def test_metrics_add_up_every_workers_counts(tmp_path: Path) -> None:
    route = "/accounts/{account_id}"
    with serving(tmp_path, "--demo", "--workers", "2", env={}) as (url, _):
        # A new connection per request, so that both workers answer some.
        for _ in range(20):
            r = httpx.get(
                f"{url}/client/v4/accounts/{DEMO_ACCOUNT}",
                headers=key_headers(),
                timeout=LOADED_MACHINE_TIMEOUT,
            )
            assert r.status_code == 200
        deadline = time.monotonic() + 20
        while _count(url, route) < 20 and time.monotonic() < deadline:
            time.sleep(0.1)
        # Whichever worker answers the scrape, it reports the sum of both.
        assert [_count(url, route) for _ in range(6)] == [20.0] * 6


def test_what_start_up_made_is_kept_out_of_full_collections() -> None:
    """A server freezes its start-up objects before it serves, so a full collection
    no longer walks modules, catalogues and routes in the middle of requests."""
    assert gc.get_freeze_count() == 0
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 10_000
        tracked = len(gc.get_objects())
        assert tracked < gc.get_freeze_count()
    finally:
        gc.unfreeze()
