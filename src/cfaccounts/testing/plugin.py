"""The pytest plugin that installing cfaccounts registers (entry point ``pytest11``).

Fixtures (all named ``cfaccounts_*`` or ``*cloudflare_client``, so they stand beside a
project's own):

- ``cfaccounts_server``: a real cfaccounts server for the session, emptied and seeded
  again before each test that uses it (a ``CfaccountsServer``).
- ``cloudflare_client`` / ``async_cloudflare_client``: the official SDK pointed at it.
- ``cfaccounts_env``: ``CLOUDFLARE_*`` environment variables pointed at it, for code
  that builds its own client.
- ``cfaccounts_seed`` and ``cfaccounts_credentials``: override these in a conftest, a
  module or a class to choose the data and the credential.

Ini options: ``cfaccounts_seed`` (seed files loaded instead of the demo data) and
``cfaccounts_database_url`` (a database for the server instead of a temporary SQLite
file). Nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import cloudflare

    from .harness import CfaccountsServer, SeedSpec


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "cfaccounts_seed",
        "Seed files (JSON or YAML) the cfaccounts_server fixture loads before each "
        "test, instead of the demo data.",
        type="paths",
        default=[],
    )
    parser.addini(
        "cfaccounts_database_url",
        "Database URL for the cfaccounts_server fixture (default: a temporary SQLite "
        "file). It is emptied before every test.",
        default="",
    )


@pytest.fixture(scope="session")
def cfaccounts_session_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CfaccountsServer]:
    """The session's server, started on first use; ``cfaccounts_server`` resets it."""
    from .harness import CfaccountsServer

    url = str(request.config.getini("cfaccounts_database_url") or "")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('cfaccounts') / 'cfaccounts.db'}"
    running = CfaccountsServer(url).start()
    yield running
    running.stop()


@pytest.fixture
def cfaccounts_seed(request: pytest.FixtureRequest) -> SeedSpec:
    """The data each test starts from: the ``cfaccounts_seed`` ini files when set,
    else the demo data. Override this fixture to return a seed document (a dict), a
    file path, or a list of them (``cfaccounts.testing.DEMO_SEED`` names the demo
    data)."""
    from .demo import DEMO_SEED

    paths = request.config.getini("cfaccounts_seed")
    return [str(p) for p in paths] if paths else DEMO_SEED


@pytest.fixture
def cfaccounts_server(
    cfaccounts_session_server: CfaccountsServer, cfaccounts_seed: SeedSpec
) -> CfaccountsServer:
    """A real cfaccounts server holding exactly ``cfaccounts_seed``'s data."""
    cfaccounts_session_server.reset(cfaccounts_seed)
    return cfaccounts_session_server


@pytest.fixture
def cfaccounts_credentials(cfaccounts_server: CfaccountsServer) -> dict[str, str]:
    """The credential the client fixtures use, as SDK keyword arguments: by default
    the first the seed declares with its secret (the demo user's global API key).
    Override to return e.g. ``{"api_token": DEMO.user_token}``."""
    return dict(cfaccounts_server.credentials)


@pytest.fixture
def cloudflare_client(
    cfaccounts_server: CfaccountsServer, cfaccounts_credentials: dict[str, str]
) -> Iterator[cloudflare.Cloudflare]:
    """``cloudflare.Cloudflare`` pointed at the server."""
    client = cfaccounts_server.client(**cfaccounts_credentials)
    yield client
    client.close()


@pytest.fixture
def async_cloudflare_client(
    cfaccounts_server: CfaccountsServer, cfaccounts_credentials: dict[str, str]
) -> cloudflare.AsyncCloudflare:
    """``cloudflare.AsyncCloudflare`` pointed at the server, usable from any event
    loop (it keeps no connection open between requests)."""
    return cfaccounts_server.async_client(**cfaccounts_credentials)


@pytest.fixture
def cfaccounts_env(
    cfaccounts_server: CfaccountsServer,
    cfaccounts_credentials: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """Sets ``CLOUDFLARE_BASE_URL`` and the credential's ``CLOUDFLARE_*`` variables
    (removing the others) for the test, so ``Cloudflare()`` with no arguments talks
    to the server. Returns the variables set."""
    for name in (
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_EMAIL",
        "CLOUDFLARE_API_USER_SERVICE_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    env = cfaccounts_server.env(**cfaccounts_credentials)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
