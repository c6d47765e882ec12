"""``last_used_on``: every authenticated request with a token is a use; uses are shown
at once and reach the database behind the request, about a second late at most."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from cfaccounts import times
from cfaccounts.config import Settings
from cfaccounts.server import prepare_database
from cfaccounts.storage import schema
from cfaccounts.storage.database import Database
from cfaccounts.tokens.usage import UsageRecorder

from ..conftest import DEMO_ACCOUNT, RunningServer, bearer, database_url, key_headers
from .helpers import ACCOUNT_TOKENS, USER_TOKENS, create, on_account, token_row

DETAILS = f"/accounts/{DEMO_ACCOUNT}"


def _wait_for_stored(server: RunningServer, token_id: str, deadline: float) -> str:
    while True:
        stored = token_row(server, token_id).last_used_on
        if stored is not None or time.monotonic() > deadline:
            return stored  # type: ignore[no-any-return]
        time.sleep(0.05)


def test_a_use_is_shown_at_once_and_stored_behind(
    server: RunningServer, http: httpx.Client
) -> None:
    made = create(http, ACCOUNT_TOKENS, on_account("Account Settings Read"))
    assert made["last_used_on"] is None
    before = times.now_db()
    assert http.get(DETAILS, headers=bearer(made["value"])).status_code == 200
    shown = http.get(f"{ACCOUNT_TOKENS}/{made['id']}", headers=key_headers())
    last = shown.json()["result"]["last_used_on"]
    assert last is not None and times.to_db(times.parse(last)) >= before
    # Written to the database within about a second (generous bound for slow CI).
    stored = _wait_for_stored(server, made["id"], time.monotonic() + 5)
    assert stored is not None and stored >= before


def test_a_refused_request_after_authentication_still_counts(
    server: RunningServer, http: httpx.Client
) -> None:
    made = create(http, USER_TOKENS, on_account("Account Settings Read"))
    # Authenticated, then refused for want of a permission group.
    assert http.get(USER_TOKENS, headers=bearer(made["value"])).status_code == 403
    listed = http.get(USER_TOKENS, headers=key_headers()).json()["result"]
    assert {t["id"]: t["last_used_on"] for t in listed}[made["id"]] is not None


def test_an_unused_token_has_none(server: RunningServer, http: httpx.Client) -> None:
    made = create(http, ACCOUNT_TOKENS, on_account("Account Settings Read"))
    shown = http.get(f"{ACCOUNT_TOKENS}/{made['id']}", headers=key_headers())
    assert shown.json()["result"]["last_used_on"] is None


# -- the recorder on its own -------------------------------------------------------
@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = prepare_database(
        Settings.from_env(env={}, database_url=database_url(tmp_path, "usage"))
    )
    yield database
    database.dispose()


def _token(db: Database, token_id: str, issued_on: str) -> None:
    with db.write() as conn:
        conn.execute(
            schema.tokens.insert().values(
                id=token_id,
                kind="user",
                user_id="u" * 32,
                name="t",
                status="active",
                value_hash=token_id * 2,
                issued_on=issued_on,
                modified_on=issued_on,
                policies="[]",
            )
        )


def _stored(db: Database, token_id: str) -> str | None:
    with db.read() as conn:
        return conn.execute(  # type: ignore[no-any-return]
            select(schema.tokens.c.last_used_on).where(schema.tokens.c.id == token_id)
        ).scalar_one()


def test_flush_writes_pending_uses_and_keeps_the_latest(db: Database) -> None:
    _token(db, "a" * 32, "2000-01-01T00:00:00.000000Z")
    recorder = UsageRecorder(db, background=False)
    recorder.touch("a" * 32)
    pending = recorder.pending("a" * 32)
    assert pending is not None and _stored(db, "a" * 32) is None
    recorder.flush()
    assert _stored(db, "a" * 32) == pending
    assert recorder.pending("a" * 32) is None
    # An older use never overwrites a newer one (another process may have written).
    with db.write() as conn:
        conn.execute(
            schema.tokens.update().values(last_used_on="2999-01-01T00:00:00.000000Z")
        )
    recorder.touch("a" * 32)
    recorder.flush()
    assert _stored(db, "a" * 32) == "2999-01-01T00:00:00.000000Z"
    recorder.close()


def test_a_use_before_the_token_was_issued_is_not_written(db: Database) -> None:
    recorder = UsageRecorder(db, background=False)
    recorder.touch("b" * 32)
    time.sleep(0.01)
    # The token is (re)created after the use was noted, under the same id.
    _token(db, "b" * 32, times.now_db())
    recorder.flush()
    assert _stored(db, "b" * 32) is None
    recorder.close()


def test_the_background_thread_writes_without_being_asked(db: Database) -> None:
    _token(db, "c" * 32, "2000-01-01T00:00:00.000000Z")
    recorder = UsageRecorder(db, interval=0.05)
    for _ in range(3):
        recorder.touch("c" * 32)
    deadline = time.monotonic() + 5
    while _stored(db, "c" * 32) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    stored = _stored(db, "c" * 32)
    assert stored is not None
    assert times.from_db(stored) <= datetime.now(UTC)
    recorder.close()


def test_close_writes_what_is_left(db: Database) -> None:
    _token(db, "d" * 32, "2000-01-01T00:00:00.000000Z")
    recorder = UsageRecorder(db, background=False)
    recorder.touch("d" * 32)
    recorder.close()
    assert _stored(db, "d" * 32) is not None


def test_a_failed_write_is_retried(db: Database) -> None:
    _token(db, "e" * 32, "2000-01-01T00:00:00.000000Z")
    recorder = UsageRecorder(db, background=False)
    recorder.touch("e" * 32)
    real = recorder._write

    def broken(batch: dict[str, float]) -> None:
        raise RuntimeError("database down")

    recorder._write = broken  # type: ignore[method-assign]
    recorder.flush()
    assert recorder.pending("e" * 32) is not None
    recorder._write = real  # type: ignore[method-assign]
    recorder.flush()
    assert _stored(db, "e" * 32) is not None
    recorder.close()


def test_a_forked_worker_records_its_own_uses(db: Database) -> None:
    _token(db, "f" * 32, "2000-01-01T00:00:00.000000Z")
    recorder = UsageRecorder(db, interval=0.05)
    recorder.touch("0" * 32)  # the parent's thread is running, with a note
    pid = os.fork()
    if pid == 0:  # the child: no thread, no parent notes; its own uses are written
        code = 1
        try:
            clean = recorder._thread is None and recorder.pending("0" * 32) is None
            db.dispose()  # connections are not shared across a fork
            recorder.touch("f" * 32)
            deadline = time.monotonic() + 5
            while _stored(db, "f" * 32) is None and time.monotonic() < deadline:
                time.sleep(0.01)
            code = 0 if clean and _stored(db, "f" * 32) is not None else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    recorder.close()
