"""Real ``cfaccounts serve`` processes for deployment tests: started on a free loopback
port against a given database, and always stopped (killed if need be) by the test."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from ..conftest import ADMIN_TOKEN

_LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")


class ServeProcess:
    """``python -m cfaccounts serve`` in a child process, output to a log file."""

    def __init__(
        self,
        database_url: str,
        log: Path,
        *args: str,
        demo: bool = True,
        env: dict[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.log = log
        self.args = [
            "--port",
            "0",
            "--database",
            database_url,
            "--admin-token",
            ADMIN_TOKEN,
            "--log-level",
            "warning",
            *(["--demo"] if demo else []),
            *args,
        ]
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith("CFACCOUNTS")
        }
        self.env.update(env or {})
        self.admin_token = ADMIN_TOKEN
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.port = 0

    @property
    def base_url(self) -> str:
        return self.url + "/client/v4"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60) -> ServeProcess:
        """Start and wait until the server answers its health check."""
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cfaccounts", "serve", *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cfaccounts serve exited:\n{self.output()}")
            if not self.url:
                found = _LISTENING.search(self.output())
                if found:
                    self.url, self.port = found.group(1), int(found.group(2))
            if self.url:
                try:
                    if httpx.get(
                        self.url + "/_cfaccounts/health", timeout=1
                    ).is_success:
                        return self
                except httpx.HTTPError:
                    pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"cfaccounts serve did not start:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def admin(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        kw.setdefault("timeout", 10)
        return httpx.request(
            method, f"{self.url}/_cfaccounts{path}", headers=headers, **kw
        )

    def seed(self, doc: dict[str, Any]) -> dict[str, Any]:
        r = self.admin("POST", "/seed", json=doc)
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()["result"]
        return result

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL the server and any worker processes it started."""
        if self.proc is None:
            return
        children = child_pids(self.proc.pid)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def child_pids(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after the ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry.name))
    return out


def worker_pids(pid: int) -> list[int]:
    """The worker processes of a ``serve --workers N`` (multiprocessing also starts
    a resource tracker, which is not one)."""
    out = []
    for child in child_pids(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            out.append(child)
    return out
