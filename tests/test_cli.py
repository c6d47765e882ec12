"""The cfaccounts command: serve with demo data on a free port, persistence across
restarts, and seed/migrate without a server."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import yaml

from .conftest import DEMO_ACCOUNT, DEMO_EMAIL, DEMO_KEY, key_headers

CLI = [sys.executable, "-m", "cfaccounts"]


@contextmanager
def serving(*args: str, cwd: Path) -> Iterator[tuple[str, list[str]]]:
    """Run ``cfaccounts serve --port 0 ...`` and yield its URL and the banner lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CFACCOUNTS_")}
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", "0", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            url = found.group(1) if found else None
        assert url, "\n".join(lines)
        while len(lines) < 40:
            line = proc.stdout.readline()
            lines.append(line.rstrip())
            if "data file" in line or not line:
                break
        for _ in range(100):
            try:
                if httpx.get(url + "/_cfaccounts/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url, lines
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


def test_serve_demo_prints_url_credentials_and_data_file(tmp_path: Path) -> None:
    with serving("--demo", cwd=tmp_path) as (url, lines):
        text = "\n".join(lines)
        assert f"{url}/client/v4" in text
        assert DEMO_KEY in text and DEMO_EMAIL in text
        assert str(tmp_path / "cfaccounts.sqlite3") in text
        r = httpx.get(f"{url}/client/v4/accounts/{DEMO_ACCOUNT}", headers=key_headers())
        assert r.status_code == 200
    assert (tmp_path / "cfaccounts.sqlite3").exists()


def test_state_survives_a_restart(tmp_path: Path) -> None:
    token = "t" * 16 + "0123456789abcdefghijklmnop"
    with serving("--demo", "--admin-token", token, cwd=tmp_path) as (url, _):
        r = httpx.post(
            url + "/_cfaccounts/seed",
            headers={"Authorization": f"Bearer {token}"},
            json={"accounts": [{"id": "a" * 32, "name": "Kept"}]},
        )
        assert r.status_code == 200
    # Restarted without --demo: the database already holds state and is used as it is.
    with serving("--admin-token", token, cwd=tmp_path) as (url, _):
        state = httpx.get(
            url + "/_cfaccounts/state", headers={"Authorization": f"Bearer {token}"}
        ).json()["result"]
        assert sorted(a["name"] for a in state["accounts"]) == ["Demo Account", "Kept"]


def test_forwarded_headers_cannot_satisfy_a_token_ip_condition(tmp_path: Path) -> None:
    admin = "f" * 40
    value = "v" * 40
    policy = {
        "effect": "allow",
        "resources": {f"com.cloudflare.api.account.{DEMO_ACCOUNT}": "*"},
        "permission_groups": [{"id": "c1fde68c7bcc44588cbb6ddbc16d6480"}],
    }
    token = {
        "name": "office only",
        "value": value,
        "policies": [policy],
        "condition": {"request_ip": {"in": ["192.0.2.0/24"]}},
    }
    with serving("--demo", "--admin-token", admin, cwd=tmp_path) as (url, _):
        r = httpx.post(
            url + "/_cfaccounts/seed",
            headers={"Authorization": f"Bearer {admin}"},
            json={"users": [{"email": DEMO_EMAIL, "tokens": [token]}]},
        )
        assert r.status_code == 200
        spoofed = {
            "Authorization": f"Bearer {value}",
            "X-Forwarded-For": "192.0.2.7",
            "X-Real-IP": "192.0.2.7",
            "Forwarded": "for=192.0.2.7",
        }
        r = httpx.get(f"{url}/client/v4/accounts/{DEMO_ACCOUNT}", headers=spoofed)
        assert r.status_code == 403
        assert r.json()["errors"][0]["message"].endswith("location: 127.0.0.1")


def test_seed_and_migrate_without_a_server(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    migrated = subprocess.run(
        [*CLI, "migrate", "--database", db], capture_output=True, text=True, check=True
    )
    assert "-> " in migrated.stdout
    seed = tmp_path / "seed.yaml"
    seed.write_text(yaml.safe_dump({"accounts": [{"id": "b" * 32, "name": "Seeded"}]}))
    out = subprocess.run(
        [*CLI, "seed", str(seed), "--database", db], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "1 accounts" in out.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"accounts": [{"name": 7}]}))
    out = subprocess.run(
        [*CLI, "seed", str(bad), "--database", db], capture_output=True, text=True
    )
    assert out.returncode != 0 and "accounts[0].name" in out.stderr
