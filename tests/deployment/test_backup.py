"""Backups taken while the server runs restore into a working server: SQLite's online
backup API, and pg_dump / pg_restore for PostgreSQL (as docs/deployment.md says)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest

from cfaccounts.storage.database import normalize_url

from .. import factories as f
from ..conftest import DEMO_EMAIL, SUPER_ADMIN_ROLE, database_url, key_headers
from .conftest import Serve


def _libpq(url: str) -> str:
    return normalize_url(url).set(drivername="postgresql").render_as_string(False)


def test_a_backup_of_a_running_server_restores_into_a_working_one(
    serve: Serve, fresh_database: str, tmp_path: Path
) -> None:
    proc = serve(fresh_database)
    account = f.account("Backed Up")
    account["members"] = [f.member(DEMO_EMAIL, SUPER_ADMIN_ROLE)]
    proc.seed({"accounts": [account]})

    restored = database_url(tmp_path, "restored")
    if fresh_database.startswith("sqlite"):
        source = sqlite3.connect(normalize_url(fresh_database).database or "")
        target = sqlite3.connect(normalize_url(restored).database or "")
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        if shutil.which("pg_dump") is None:
            pytest.skip("pg_dump is not installed")
        dump = tmp_path / "backup.dump"
        subprocess.run(
            ["pg_dump", "-Fc", "-f", str(dump), _libpq(fresh_database)],
            check=True,
            timeout=60,
        )
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", _libpq(restored), str(dump)],
            check=True,
            timeout=60,
        )

    again = serve(restored, "--no-migrate", demo=False)
    r = httpx.get(f"{again.base_url}/accounts/{account['id']}", headers=key_headers())
    assert r.status_code == 200 and r.json()["result"]["name"] == "Backed Up"
