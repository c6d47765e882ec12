"""The Database layer: URLs, writes that never lose an update across instances, and
database failures turned into envelopes (409, 400, 503), never a 500."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from cfaccounts import errors
from cfaccounts.storage import migrate
from cfaccounts.storage import schema as s
from cfaccounts.storage.database import Database, _numbered, normalize_url

from ..conftest import RunningServer, error_codes


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h:5/d", "postgresql+psycopg://u@h:5/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.sqlite3", "sqlite:///x.sqlite3"),
    ],
)
def test_postgresql_urls_all_use_psycopg_3(given: str, expected: str) -> None:
    assert normalize_url(given).render_as_string(hide_password=False) == expected


def test_an_unsupported_database_is_refused_with_the_supported_ones() -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        Database("mysql://u@h/d")


def _migrated(url: str, open_db: Callable[[str], Database]) -> Database:
    db = open_db(url)
    migrate.upgrade(db.engine)
    return db


def test_read_then_write_from_two_instances_loses_no_update(
    fresh_url: str, open_db: Callable[[str], Database]
) -> None:
    """Two Database objects stand for two instances; each increments a counter by
    reading it, pausing, and writing it back. Serialized writes keep every one."""
    first = _migrated(fresh_url, open_db)
    second = open_db(fresh_url)
    with first.write() as conn:
        conn.execute(s.meta.insert().values(key="counter", value="0"))
    rounds = 5
    barrier = threading.Barrier(2)

    def increment(db: Database) -> None:
        barrier.wait(10)
        for _ in range(rounds):
            with db.write() as conn:
                value = conn.execute(
                    select(s.meta.c.value).where(s.meta.c.key == "counter")
                ).scalar_one()
                time.sleep(0.02)  # the other instance would read the same value here
                conn.execute(
                    s.meta.update()
                    .where(s.meta.c.key == "counter")
                    .values(value=str(int(value) + 1))
                )

    threads = [threading.Thread(target=increment, args=(db,)) for db in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with first.read() as conn:
        final = conn.execute(
            select(s.meta.c.value).where(s.meta.c.key == "counter")
        ).scalar_one()
    assert int(final) == 2 * rounds


def test_a_broken_unique_constraint_is_a_409_that_should_not_be_retried(
    fresh_url: str, open_db: Callable[[str], Database]
) -> None:
    db = _migrated(fresh_url, open_db)
    with db.write() as conn:
        conn.execute(s.meta.insert().values(key="k", value="1"))
    with pytest.raises(errors.ApiError) as caught, db.write() as conn:
        conn.execute(s.meta.insert().values(key="k", value="2"))
    assert (caught.value.status, caught.value.code) == (409, 1004)
    assert caught.value.headers == {"x-should-retry": "false"}


def test_text_with_a_nul_character_is_refused_on_both_databases(
    server: RunningServer,
) -> None:
    """PostgreSQL cannot store NUL in text; SQLite could, but both refuse it, 400."""
    r = server.admin(
        "POST", "/seed", json={"accounts": [{"id": "e" * 32, "name": "nul\x00name"}]}
    )
    assert r.status_code == 400 and error_codes(r) == [1001]
    assert "NUL" in r.json()["errors"][0]["message"]


def test_waiting_too_long_for_the_write_lock_is_a_503_busy(
    fresh_url: str, open_db: Callable[[str], Database]
) -> None:
    db = _migrated(fresh_url, open_db)
    if db.is_sqlite:
        pytest.skip("SQLite waits busy_timeout (10 s); PostgreSQL's wait is settable")
    impatient = open_db(
        normalize_url(fresh_url)
        .update_query_dict({"options": "-c lock_timeout=200"})
        .render_as_string(hide_password=False)
    )
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with db.write():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with pytest.raises(errors.ApiError) as caught, impatient.write():
            pass
        assert time.monotonic() - started < 5
        assert (caught.value.status, caught.value.code) == (503, 10504)
        assert caught.value.headers["retry-after"] == "1"
    finally:
        release.set()
        holder.join(10)
    with impatient.write():  # the lock is free again
        pass


def test_fast_path_placeholders_become_numbered_for_postgresql() -> None:
    sql = "SELECT id FROM members WHERE account_id = ? AND email = ? AND status = 'a'"
    assert _numbered(sql) == (
        "SELECT id FROM members WHERE account_id = $1 AND email = $2 AND status = 'a'"
    )
    assert _numbered("SELECT 1") == "SELECT 1"
