"""``serve --workers N``: N processes serve one port, each with its own database
connections; a worker that dies is replaced and service goes on."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from ..conftest import DEMO_ACCOUNT, key_headers
from .conftest import Serve
from .processes import ServeProcess, worker_pids

WORKERS = 2


def _workers(proc: ServeProcess, count: int, timeout: float = 45) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        pids = worker_pids(proc.pid)
        if len(pids) == count or time.monotonic() > deadline:
            return pids
        time.sleep(0.1)


def _details(proc: ServeProcess) -> int:
    r = httpx.get(
        f"{proc.base_url}/accounts/{DEMO_ACCOUNT}", headers=key_headers(), timeout=30
    )
    return r.status_code


def test_workers_share_the_port_and_a_dead_worker_is_replaced(
    serve: Serve, fresh_database: str
) -> None:
    proc = serve(fresh_database, "--workers", str(WORKERS))
    pids = _workers(proc, WORKERS)
    assert len(pids) == WORKERS

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _details(proc), range(40)))
    assert statuses == [200] * 40

    victim = pids[0]
    os.kill(victim, signal.SIGKILL)
    replaced = _workers(proc, WORKERS)
    assert victim not in replaced and len(replaced) == WORKERS
    assert all(_details(proc) == 200 for _ in range(10))
