"""The servers under test, each a subprocess on a free loopback port: cfaccounts
(``cfaccounts serve``) and the baseline (a bare ASGI app under the same uvicorn)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HEALTH_PATH = "/_cfaccounts/health"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


@dataclass
class Server:
    """A server subprocess. ``started`` is the time from spawning the process to the
    first 200 on ``health_path``."""

    name: str
    argv: list[str]
    port: int
    env: dict[str, str]
    health_path: str = HEALTH_PATH
    log: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    startup_seconds: float = 0.0
    startup_cpu_seconds: float = 0.0
    _rss_peak: int = field(default=0, init=False)

    def start(self, timeout: float = 120.0) -> Server:
        out = open(self.log, "wb") if self.log else subprocess.DEVNULL  # noqa: SIM115
        began = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = began + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode} at start"
                    + (f"; see {self.log}" if self.log else "")
                )
            try:
                if _get(self.port, self.health_path) == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not become healthy")
            time.sleep(0.005)
        self.startup_seconds = time.perf_counter() - began
        self.startup_cpu_seconds = self.cpu_seconds()
        return self

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server has used so far, its workers
        included: unlike the wall clock it does not depend on how busy the machine
        is."""
        total = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1]
                utime, stime = fields.split()[11:13]
                total += (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")
            except (OSError, ValueError, IndexError):
                continue
        return total

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The server process and its children (the workers, when there are
        several)."""
        assert self.proc is not None
        root = self.proc.pid
        try:
            import psutil

            return [root, *(c.pid for c in psutil.Process(root).children(True))]
        except ImportError:  # without psutil, /proc says who the children are
            kids = Path(f"/proc/{root}/task/{root}/children")
            try:
                return [root, *map(int, kids.read_text().split())]
            except OSError:
                return [root]
        except Exception:  # the process is gone
            return []

    def rss_peak(self) -> int:
        """Peak resident memory in bytes: the high-water mark (VmHWM) of the server
        process, or the sum over its workers when it has several."""
        pids = self.pids()
        if len(pids) > 1:
            pids = pids[1:]  # the supervisor is not a server
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            total += int(line.split()[1]) * 1024
            except OSError:
                continue
        self._rss_peak = max(self._rss_peak, total)
        return self._rss_peak

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cfaccounts(
    database_url: str,
    *,
    workers: int = 1,
    log: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Server:
    """``cfaccounts serve`` on ``database_url``, one worker unless told otherwise,
    logging at warning. Token quotas are lifted so that the create case never hits
    them."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "cfaccounts",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database",
        database_url,
        "--log-level",
        "warning",
    ]
    if workers != 1:
        argv += ["--workers", str(workers)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CFACCOUNTS_")}
    env.update(
        {
            "CFACCOUNTS_USER_TOKEN_QUOTA": "1000000000",
            "CFACCOUNTS_ACCOUNT_TOKEN_QUOTA": "1000000000",
            **(extra_env or {}),
        }
    )
    return Server("cfaccounts", argv, port, env, log=log)


def baseline(response_file: Path, *, log: Path | None = None) -> Server:
    """The bare ASGI app replaying ``response_file``, under uvicorn with the same
    event loop, HTTP parser and log level as cfaccounts."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.baseline:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--log-level",
        "warning",
        "--no-access-log",
        "--no-server-header",
        "--lifespan",
        "on",
    ]
    env = dict(os.environ)
    env["BENCH_BASELINE_RESPONSE"] = str(response_file)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (root, env.get("PYTHONPATH", "")) if p
    )
    return Server("baseline", argv, port, env, log=log)
