"""Extra servers with settings of their own (rate limits, Redis, remote admin), for
the tests that need something the session server does not have. Each starts from the
demo data on a fresh database and is stopped by the fixture that made it."""

from __future__ import annotations

from typing import Any

import pytest

from cfaccounts import Settings

from .conftest import ADMIN_TOKEN, RunningServer, database_url


def start_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, **settings: Any
) -> RunningServer:
    """A running server with the demo data, the test admin token and ``settings``."""
    tmp = tmp_path_factory.mktemp(name)
    values: dict[str, Any] = {
        "database_url": database_url(tmp, name),
        "admin_token": ADMIN_TOKEN,
        "demo": True,
        "log_level": "warning",
    }
    values.update(settings)
    return RunningServer(Settings.from_env(env={}, **values)).start()
