"""The database going away: requests get a 503 envelope with a code quickly (never a
hang or a stack trace), and service comes back by itself when the database does.
PostgreSQL is reached through a proxy the test closes and reopens; the real server is
never touched."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cfaccounts import Settings
from cfaccounts.storage.database import CHANGE_POLL, CONNECT_TIMEOUT, normalize_url

from ..conftest import (
    ADMIN_TOKEN,
    DEMO_ACCOUNT,
    RunningServer,
    database_url,
    error_codes,
    key_headers,
    on_postgresql,
)
from .proxy import TcpProxy

pytestmark = pytest.mark.skipif(
    not on_postgresql(), reason="needs a database server to lose (PostgreSQL)"
)

# How long a request may take while the database is away: a connect timeout at most,
# plus slack for a loaded machine. Far below the client's own timeout.
ANSWER_WITHIN = CONNECT_TIMEOUT + 4


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[RunningServer, TcpProxy]]:
    real = normalize_url(database_url(tmp_path))
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432).open()
    url = real.set(host="127.0.0.1", port=proxy.port)
    settings = Settings.from_env(
        env={},
        database_url=url.render_as_string(hide_password=False),
        admin_token=ADMIN_TOKEN,
        demo=True,
        log_level="critical",
    )
    running = RunningServer(settings).start()
    try:
        yield running, proxy
    finally:
        proxy.close()
        running.stop()


def _details(running: RunningServer) -> httpx.Response:
    return httpx.get(
        f"{running.base_url}/accounts/{DEMO_ACCOUNT}", headers=key_headers(), timeout=30
    )


def _assert_unavailable(r: httpx.Response, elapsed: float) -> None:
    assert r.status_code == 503, r.text
    assert error_codes(r) == [10503]
    assert r.headers["retry-after"] == "1"
    assert elapsed < ANSWER_WITHIN


def _timed(call: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    r = call()  # type: ignore[operator]
    return r, time.monotonic() - started


def _back_within(running: RunningServer, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if _details(running).status_code == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"service did not resume within {seconds} s")


def test_a_closed_database_answers_503_and_service_resumes_when_it_returns(
    proxied: tuple[RunningServer, TcpProxy],
) -> None:
    running, proxy = proxied
    assert _details(running).status_code == 200

    proxy.close()
    # An answer read within the last poll of the change counter may still come from
    # the cache; after that every request goes to the database and finds it gone.
    time.sleep(CHANGE_POLL)
    for _ in range(3):
        _assert_unavailable(*_timed(lambda: _details(running)))
    health = httpx.get(running.url + "/_cfaccounts/health", timeout=30)
    assert health.status_code == 503 and error_codes(health) == [10503]
    write = httpx.post(
        running.url + "/_cfaccounts/seed",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        json={"accounts": []},
        timeout=30,
    )
    assert write.status_code == 503 and error_codes(write) == [10503]

    proxy.open()  # the same port again
    _back_within(running, 10)
    assert httpx.get(running.url + "/_cfaccounts/health").status_code == 200


def test_a_database_that_accepts_but_never_answers_gives_503_not_a_hang(
    proxied: tuple[RunningServer, TcpProxy],
) -> None:
    running, proxy = proxied
    assert _details(running).status_code == 200

    proxy.close()
    proxy.silent = True
    proxy.open()
    time.sleep(CHANGE_POLL)
    _assert_unavailable(*_timed(lambda: _details(running)))

    proxy.close()
    proxy.silent = False
    proxy.open()
    _back_within(running, 10)
