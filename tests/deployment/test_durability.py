"""A server killed with SIGKILL in the middle of a stream of writes loses none that it
answered with success, and its database opens cleanly afterwards."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import httpx
from sqlalchemy import select, text

from cfaccounts.storage import schema as s
from cfaccounts.storage.database import Database

from .. import factories as f
from ..conftest import DEMO_EMAIL, SUPER_ADMIN_ROLE, key_headers
from .conftest import Serve
from .processes import ServeProcess

WRITERS = 3


def _writer(proc: ServeProcess, acknowledged: list[str], stop: threading.Event) -> None:
    """Create accounts one after another until the server dies, keeping the ids of
    those answered 200."""
    with httpx.Client(timeout=5) as http:
        while not stop.is_set():
            account = f.account(f"Durable {len(acknowledged)}")
            account["members"] = [f.member(DEMO_EMAIL, SUPER_ADMIN_ROLE)]
            doc: dict[str, Any] = {"accounts": [account]}
            try:
                r = http.post(
                    f"{proc.url}/_cfaccounts/seed",
                    headers={"Authorization": f"Bearer {proc.admin_token}"},
                    json=doc,
                )
            except httpx.HTTPError:
                return  # the server is gone
            if r.status_code == 200:
                acknowledged.append(account["id"])


def test_sigkill_mid_stream_loses_no_acknowledged_write(
    serve: Serve, fresh_database: str
) -> None:
    proc = serve(fresh_database)
    acknowledged: list[list[str]] = [[] for _ in range(WRITERS)]
    stop = threading.Event()
    threads = [
        threading.Thread(target=_writer, args=(proc, acks, stop), daemon=True)
        for acks in acknowledged
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 15
    while sum(map(len, acknowledged)) < 30 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.signal(signal.SIGKILL)  # while the writers are still writing
    assert proc.wait(10) == -signal.SIGKILL
    stop.set()
    for t in threads:
        t.join(10)
    written = [i for acks in acknowledged for i in acks]
    assert len(written) >= 30

    if fresh_database.startswith("sqlite"):
        db = Database(fresh_database)
        try:
            with db.read() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        finally:
            db.dispose()

    again = serve(fresh_database)
    db = Database(fresh_database)
    try:
        with db.read() as conn:
            stored = set(conn.execute(select(s.accounts.c.id)).scalars())
    finally:
        db.dispose()
    assert set(written) <= stored
    for account_id in written[-5:]:
        r = httpx.get(f"{again.base_url}/accounts/{account_id}", headers=key_headers())
        assert r.status_code == 200
