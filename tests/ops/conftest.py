"""A migrated database holding the demo data, and a way to run the ``cfaccounts``
command on it in-process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cfaccounts.cli import main
from cfaccounts.testing import DEMO_SEED

from ..conftest import database_url

SECRET_KEY = "ops-tests-secret-key-0123456789abcdef"

Run = Callable[..., Result]


def invoke(
    *args: str, env: dict[str, str] | None = None, input: str | None = None
) -> Result:
    env = {"CFACCOUNTS_SECRET_KEY": SECRET_KEY, **(env or {})}
    return CliRunner().invoke(
        main, list(args), env=env, input=input, prog_name="cfaccounts"
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A fresh, migrated database with the demo data."""
    url = database_url(tmp_path, "ops")
    assert invoke("migrate", "--database", url).exit_code == 0
    seeded = invoke("seed", DEMO_SEED, "--database", url)
    assert seeded.exit_code == 0, seeded.output
    return url


@pytest.fixture
def cli(db: str) -> Run:
    """Run a cfaccounts command against ``db``."""

    def run(*args: str, input: str | None = None) -> Result:
        return invoke(*args, "--database", db, input=input)

    return run


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def authenticates(url: str, headers: dict[str, str]) -> bool:
    """Whether the credential in ``headers`` is accepted by a server on ``url``."""
    from cfaccounts import Settings
    from cfaccounts.errors import ApiError
    from cfaccounts.services import Services
    from cfaccounts.storage.database import Database

    db = Database(url)
    try:
        services = Services.build(
            Settings.from_env(env={}, database_url=url, secret_key=SECRET_KEY), db
        )
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            services.authenticator.authenticate(lowered, "127.0.0.1")
        except ApiError:
            return False
        return True
    finally:
        db.dispose()
