"""The baseline: the least an ASGI app can do under the same server. It answers every
request with the bytes and headers cfaccounts sent for Account Details (captured just
before, read from the file named by ``BENCH_BASELINE_RESPONSE``), a fresh Ray ID
included, and the admin health path with 200 so that start-up is measured alike."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def create_app() -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    captured = orjson.loads(Path(os.environ["BENCH_BASELINE_RESPONSE"]).read_bytes())
    status = int(captured["status"])
    body = captured["body"].encode()
    fixed = [
        (k.encode("latin-1"), v.encode("latin-1"))
        for k, v in captured["headers"]
        if k not in ("cf-ray", "content-length", "date")
    ]
    colo = captured.get("colo", "SJC")
    health = b'{"success":true,"errors":[],"messages":[],"result":{"status":"ok"}}'

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        ray = f"{os.urandom(8).hex()}-{colo}".encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*fixed, (b"cf-ray", ray)],
            }
        )
        await send(
            {
                "type": "http.response.body",
                "body": health if scope["path"] == "/_cfaccounts/health" else body,
            }
        )

    return app
