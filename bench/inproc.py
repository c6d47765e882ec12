"""CPU cost per request, in process: ``python -m bench.inproc``.

The app is called directly through ASGI (no sockets, no uvicorn), so the figure is the
application's own CPU time per request, steady even on a busy machine where wall-clock
throughput is not. ``--profile`` prints where the time goes (cProfile).

    python -m bench.inproc --size 1000 --requests 20000 --cases details_token
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cfaccounts import Settings
from cfaccounts.server import build_app

from . import data as d
from .cases import CASE_NAMES, CASES, sample
from .wrk import Req


def _scope(req: Req) -> dict[str, Any]:
    parts = urlsplit(req.path)
    headers = [(b"host", b"127.0.0.1")]
    headers += [(k.lower().encode(), v.encode()) for k, v in req.headers]
    if req.body is not None:
        headers.append((b"content-length", str(len(req.body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": req.method,
        "scheme": "http",
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8787),
    }


async def _drive(app: Any, reqs: list[Req], count: int) -> list[int]:
    statuses: list[int] = []
    scopes = [(_scope(r), (r.body or "").encode()) for r in reqs]

    for i in range(count):
        scope, body = scopes[i % len(scopes)]

        async def receive(body: bytes = body) -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await app(scope, receive, send)
    return statuses


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.inproc")
    p.add_argument("--size", type=int, default=1000)
    p.add_argument("--requests", type=int, default=10000)
    p.add_argument("--cases", default="details_token,details_key,token_verify")
    p.add_argument("--sample", type=int, default=1000)
    p.add_argument("--database", help="an existing bench database URL to reuse")
    p.add_argument("--profile", action="store_true")
    ns = p.parse_args(argv)
    dataset = d.Dataset(ns.size)
    tmp = tempfile.TemporaryDirectory()
    url = ns.database
    if url is None:
        url = f"sqlite:///{Path(tmp.name) / 'inproc.sqlite3'}"
        db = d.prepare(url)
        d.load(db, dataset, progress=False)
        db.dispose()
    settings = Settings.from_env(
        env={},
        database_url=url,
        log_level="warning",
        user_token_quota=10**9,
        account_token_quota=10**9,
    )
    app = build_app(settings)
    picked = sample(dataset, min(ns.sample, ns.size))
    for name in ns.cases.split(","):
        if name not in CASE_NAMES:
            raise SystemExit(f"unknown case {name!r}")
        case = next(c for c in CASES if c.name == name)
        reqs = case.build(dataset, picked)
        loop = asyncio.new_event_loop()
        loop.run_until_complete(_drive(app, reqs, min(200, ns.requests)))  # warm up
        profiler = cProfile.Profile() if ns.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        statuses = loop.run_until_complete(_drive(app, reqs, ns.requests))
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        loop.close()
        bad = sum(1 for s in statuses if s != 200)
        print(
            f"{name:<16} {cpu / ns.requests * 1e6:8.1f} us CPU/request "
            f"({wall / ns.requests * 1e6:.1f} us wall)"
            + (f"  {bad} non-200" if bad else "")
        )
        if profiler:
            pstats.Stats(profiler).sort_stats(
                os.environ.get("BENCH_SORT", "tottime")
            ).print_stats(25)
    app.services.authenticator.usage.close()
    app.services.db.dispose()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
