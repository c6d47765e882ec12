"""Shared fixtures: one real cfaccounts server per test session (uvicorn on a free
loopback port, in a thread), reset to the demo data before every test, and clients
pointed at it: the official SDK (sync and async, strict validation on) and plain httpx.

The database is a fresh SQLite file by default; set CFACCOUNTS_TEST_DATABASE_URL to a
PostgreSQL URL (for example postgresql://postgres@127.0.0.1:5432/test) to run the same
tests there: the run then creates its own uniquely named databases on that server and
drops them at the end.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudflare
import httpx
import pytest
import uvicorn

from cfaccounts import Settings
from cfaccounts.server import bind, build_app
from cfaccounts.storage.database import normalize_url

ADMIN_TOKEN = "test-admin-token-0123456789abcdef0123456789abcdef"
DEMO_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
DEMO_EMAIL = "user@example.com"
DEMO_KEY = "144c9defac04969c7bfad8efaa8ea194"
DEMO_USER_ID = "7c5dae5552338874e5053f2534d2767a"
DEMO_USER_TOKEN = "vLkX0nq2PfbM8Zc3T5rWy7Hs1Gd4Jk6Ne9Qa0Ubo"
DEMO_USER_TOKEN_ID = "ed17574386854bf78a67040be0a770b0"
DEMO_ACCOUNT_TOKEN = "cfat_Wq8Lr2Zx5Cv7Bn1Mk4Jh6Gf9Ds3Ap0Oi2Uy5Te8R"
DEMO_ACCOUNT_TOKEN_ID = "9a7806061c88ada191ed06f989cc3dac"
VIEWER_EMAIL = "viewer@example.com"
VIEWER_KEY = "2c1ebd0d8f3a4b5c9e7f6a5b4c3d2e1f0a9b8"
SUPER_ADMIN_ROLE = "33666b9c79b9a5273fc7344ff42f953d"
ACCOUNT_SETTINGS_READ = "c1fde68c7bcc44588cbb6ddbc16d6480"
ACCOUNT_SETTINGS_WRITE = "1af1fa2adc104452b74a9a3364202f20"


TEST_DATABASE_URL = os.environ.get("CFACCOUNTS_TEST_DATABASE_URL", "")


def on_postgresql() -> bool:
    """Whether this run's databases are PostgreSQL (else SQLite files)."""
    return TEST_DATABASE_URL.startswith(("postgresql", "postgres:"))


class PostgresDatabases:
    """Fresh, uniquely named PostgreSQL databases for one test run, made on the
    server CFACCOUNTS_TEST_DATABASE_URL names and dropped when the run ends, so runs
    (and tests) never see each other's data.

    They use an ICU English collation, as a typical production database would, so that
    a list relying on the database's default text order shows up as a difference from
    SQLite."""

    def __init__(self, url: str) -> None:
        self.server_url = normalize_url(url)
        self.created: list[str] = []

    def _admin(self) -> Any:
        import psycopg

        u = self.server_url
        return psycopg.connect(
            host=u.host or "127.0.0.1",
            port=u.port or 5432,
            user=u.username or "postgres",
            password=u.password,
            dbname=u.database or "postgres",
            autocommit=True,
            connect_timeout=5,
        )

    # A run killed before its end cannot drop its databases; the next run drops those
    # older than this (their names carry their creation time).
    STALE_AFTER = 6 * 3600

    def create(self) -> str:
        name = f"cfaccounts_test_{int(time.time())}_{secrets.token_hex(4)}"
        with self._admin() as conn:
            if not self.created:
                self._drop_stale(conn)
            try:
                conn.execute(
                    f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                    "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
                )
            except Exception:  # a server without ICU: its default collation
                conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        self.created.append(name)
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def _drop_stale(self, conn: Any) -> None:
        names = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'cfaccounts_test_%'"
        ).fetchall()
        for (name,) in names:
            parts = name.split("_")
            stale = (
                len(parts) == 4
                and parts[2].isdigit()
                and time.time() - int(parts[2]) > self.STALE_AFTER
            )
            if stale:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def drop_all(self) -> None:
        with self._admin() as conn:
            for name in self.created:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.created.clear()


_postgres = PostgresDatabases(TEST_DATABASE_URL) if on_postgresql() else None


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """Drop every PostgreSQL database this run made, after everything else."""
    yield
    if _postgres is not None:
        _postgres.drop_all()


def database_url(tmp: Path, name: str = "cfaccounts") -> str:
    """A fresh, empty database: a new SQLite file under ``tmp``, or, when
    CFACCOUNTS_TEST_DATABASE_URL names a PostgreSQL server, a new database there
    (dropped at the end of the run). Each call gives a different database."""
    if _postgres is not None:
        return _postgres.create()
    return f"sqlite:///{tmp / (name + '.sqlite3')}"


class RunningServer:
    """A cfaccounts server running in a thread of the test process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = build_app(settings)
        self.sock = bind("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = self.url + settings.prefix
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            server_header=False,
            lifespan="on",
            proxy_headers=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self) -> RunningServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("cfaccounts test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.app.services.db.dispose()

    def admin(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        return httpx.request(
            method, f"{self.url}/_cfaccounts{path}", headers=headers, **kw
        )

    def reset(self) -> None:
        r = self.admin("POST", "/reset")
        assert r.status_code == 200, r.text

    def seed(self, doc: dict[str, Any]) -> dict[str, Any]:
        r = self.admin("POST", "/seed", json=doc)
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()["result"]
        return result


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("server")
    settings = Settings.from_env(
        env={},
        database_url=database_url(tmp),
        admin_token=ADMIN_TOKEN,
        demo=True,
        log_level="warning",
    )
    running = RunningServer(settings).start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _fresh_state(request: pytest.FixtureRequest) -> None:
    """Every test that uses the server starts from the demo data alone."""
    if "server" in request.fixturenames:
        request.getfixturevalue("server").reset()


def sdk(server: RunningServer, **credentials: Any) -> cloudflare.Cloudflare:
    return cloudflare.Cloudflare(
        base_url=server.base_url,
        _strict_response_validation=True,
        max_retries=0,
        **credentials,
    )


def async_sdk(server: RunningServer, **credentials: Any) -> cloudflare.AsyncCloudflare:
    return cloudflare.AsyncCloudflare(
        base_url=server.base_url,
        _strict_response_validation=True,
        max_retries=0,
        **credentials,
    )


@pytest.fixture
def key_client(server: RunningServer) -> cloudflare.Cloudflare:
    """The SDK with the demo user's global API key (a Super Administrator)."""
    return sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY)


@pytest.fixture
def token_client(server: RunningServer) -> cloudflare.Cloudflare:
    """The SDK with the demo user token (Account Settings Read on the demo account)."""
    return sdk(server, api_token=DEMO_USER_TOKEN)


@pytest.fixture
def http(server: RunningServer) -> Iterator[httpx.Client]:
    """Plain HTTP against the API base URL, for what the SDK hides."""
    with httpx.Client(base_url=server.base_url) as client:
        yield client


def key_headers(email: str = DEMO_EMAIL, key: str = DEMO_KEY) -> dict[str, str]:
    return {"X-Auth-Email": email, "X-Auth-Key": key}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_codes(response: httpx.Response) -> list[int]:
    body = response.json()
    assert body["success"] is False and body["result"] is None
    return [e["code"] for e in body["errors"]]
