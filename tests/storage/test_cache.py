"""The credential cache keeps the revocation rule: a change made by another instance
on the same database (simulated here by a second Database writing directly) is obeyed
within one second; a change made through this server is obeyed at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from cfaccounts.storage import migrate
from cfaccounts.storage.cache import MAX_AGE, ReadCache
from cfaccounts.storage.database import CHANGE_POLL, Database
from tests.conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_USER_ID,
    DEMO_USER_TOKEN,
    DEMO_USER_TOKEN_ID,
    RunningServer,
    bearer,
    key_headers,
)

DETAILS = f"/accounts/{DEMO_ACCOUNT}"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeDb:
    generation = 0

    def generation_now(self, now: float | None = None) -> int:
        return self.generation


def _cache(**kw: object) -> tuple[ReadCache, FakeClock, FakeDb]:
    clock, db = FakeClock(), FakeDb()
    return ReadCache(db, clock=clock, **kw), clock, db  # type: ignore[arg-type]


def test_an_entry_lives_until_the_data_changes_or_its_max_age() -> None:
    cache, clock, _ = _cache()
    cache.put("token", "h", "grant", 0)
    clock.now += MAX_AGE * 0.9
    assert cache.get("token", "h") == "grant"
    clock.now += MAX_AGE * 0.2
    assert cache.get("token", "h") is ReadCache.MISSING


def test_other_instances_are_looked_for_well_within_a_second() -> None:
    assert CHANGE_POLL <= 0.25


def test_a_local_write_invalidates_every_entry() -> None:
    cache, _, db = _cache()
    cache.put("member", ("a", "e"), (frozenset(), False), 0)
    db.generation += 1
    assert cache.get("member", ("a", "e")) is ReadCache.MISSING


def test_a_read_that_raced_a_write_is_not_kept() -> None:
    cache, _, db = _cache()
    generation = cache.generation()  # taken before the read
    db.generation += 1  # a write commits while the read runs
    cache.put("token", "h", "stale", generation)
    assert cache.get("token", "h") is ReadCache.MISSING


def test_the_cache_is_bounded() -> None:
    cache, _, _ = _cache(max_entries=10)
    for i in range(25):
        cache.put("token", str(i), i, 0)
    assert len(cache) <= 10
    assert cache.get("token", "24") == 24


@pytest.fixture
def two_instances(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    engine = Database(url).engine
    migrate.upgrade(engine)
    engine.dispose()
    first, second = Database(url), Database(url)
    yield first, second
    first.dispose()
    second.dispose()


def _after_a_poll(db: Database) -> int:
    time.sleep(CHANGE_POLL * 1.5)
    return db.generation_now()


def test_a_write_by_another_instance_moves_the_generation_on(
    two_instances: tuple[Database, Database],
) -> None:
    here, there = two_instances
    before = here.generation_now()
    assert _after_a_poll(here) == before  # nothing changed: nothing to drop
    with there.write() as conn:
        conn.execute(text("UPDATE accounts SET name = 'x' WHERE id = 'none'"))
    assert _after_a_poll(here) > before


def test_recording_token_use_leaves_caches_alone(
    two_instances: tuple[Database, Database],
) -> None:
    here, there = two_instances
    before = here.generation_now()
    for db in (here, there):
        with db.write(counted=False) as conn:
            conn.execute(text("UPDATE tokens SET last_used_on = NULL WHERE 0 = 1"))
    assert _after_a_poll(here) == before
    assert here.generation == before


@pytest.fixture
def other_instance(server: RunningServer) -> Iterator[Database]:
    """Another process's view of the same database."""
    db = Database(server.settings.database_url)
    yield db
    db.dispose()


def _refused_within(
    client: httpx.Client, headers: dict[str, str], since: float, limit: float
) -> None:
    """Poll until the details request is refused. Judged by when each request
    started, so a slow machine cannot make a correct server fail: any request that
    started ``limit`` seconds after the change must be refused."""
    while True:
        started = time.monotonic()
        r = client.get(DETAILS, headers=headers)
        if r.status_code != 200:
            return
        assert started - since < limit, "still accepted after the revocation window"
        time.sleep(0.02)


def _served_through_cache(
    server: RunningServer, http: httpx.Client, headers: dict[str, str]
) -> None:
    """Show that repeated requests are answered from the cache."""
    reads = server.app.services.reads
    assert http.get(DETAILS, headers=headers).status_code == 200
    before = reads.hits
    for _ in range(2):
        assert http.get(DETAILS, headers=headers).status_code == 200
    assert reads.hits > before


def _seen_once_polled(observed: Callable[[], bool], what: str) -> None:
    """Poll until ``observed()`` holds, for a change committed just before. Judged
    by when each request started: any request that starts a poll interval after the
    commit must see the change."""
    committed = time.monotonic()
    while True:
        started = time.monotonic()
        if observed():
            return
        assert started - committed < CHANGE_POLL, f"{what} after the poll"
        time.sleep(0.005)


def test_token_disabled_elsewhere_is_refused_within_a_second(
    server: RunningServer, http: httpx.Client, other_instance: Database
) -> None:
    _served_through_cache(server, http, bearer(DEMO_USER_TOKEN))
    with other_instance.write() as conn:
        conn.execute(
            text("UPDATE tokens SET status = 'disabled' WHERE id = :id"),
            {"id": DEMO_USER_TOKEN_ID},
        )
    _refused_within(http, bearer(DEMO_USER_TOKEN), time.monotonic(), 1.0)


def test_token_deleted_elsewhere_is_refused_within_a_second(
    server: RunningServer, http: httpx.Client, other_instance: Database
) -> None:
    _served_through_cache(server, http, bearer(DEMO_USER_TOKEN))
    with other_instance.write() as conn:
        conn.execute(
            text("DELETE FROM tokens WHERE id = :id"), {"id": DEMO_USER_TOKEN_ID}
        )
    _refused_within(http, bearer(DEMO_USER_TOKEN), time.monotonic(), 1.0)


def test_member_removed_elsewhere_is_refused_within_a_second(
    server: RunningServer, http: httpx.Client, other_instance: Database
) -> None:
    _served_through_cache(server, http, key_headers())
    with other_instance.write() as conn:
        conn.execute(
            text("DELETE FROM members WHERE account_id = :a AND email = :e"),
            {"a": DEMO_ACCOUNT, "e": DEMO_EMAIL},
        )
    _refused_within(http, key_headers(), time.monotonic(), 1.0)


def test_token_disabled_by_this_process_is_refused_at_once(
    server: RunningServer, http: httpx.Client
) -> None:
    assert http.get(DETAILS, headers=bearer(DEMO_USER_TOKEN)).status_code == 200
    assert http.get(DETAILS, headers=bearer(DEMO_USER_TOKEN)).status_code == 200
    with server.app.services.db.write() as conn:  # as any handler's write does
        conn.execute(
            text("UPDATE tokens SET status = 'disabled' WHERE id = :id"),
            {"id": DEMO_USER_TOKEN_ID},
        )
    assert http.get(DETAILS, headers=bearer(DEMO_USER_TOKEN)).status_code != 200


# -- what an operation returns is cached the same way ---------------------------------
def _name(http: httpx.Client) -> str:
    r = http.get(DETAILS, headers=key_headers())
    assert r.status_code == 200
    return str(r.json()["result"]["name"])


def test_an_account_renamed_through_this_process_is_read_at_once(
    server: RunningServer, http: httpx.Client
) -> None:
    _served_through_cache(server, http, key_headers())
    r = http.put(DETAILS, headers=key_headers(), json={"name": "Renamed Here"})
    assert r.status_code == 200
    assert _name(http) == "Renamed Here"


def test_an_account_renamed_elsewhere_is_read_once_the_change_is_polled(
    server: RunningServer, http: httpx.Client, other_instance: Database
) -> None:
    """Judged by when each request started: any request that starts a poll interval
    after the change was committed reads it."""
    _served_through_cache(server, http, key_headers())
    with other_instance.write() as conn:
        conn.execute(
            text("UPDATE accounts SET name = 'Renamed Elsewhere' WHERE id = :id"),
            {"id": DEMO_ACCOUNT},
        )
    _seen_once_polled(lambda: _name(http) == "Renamed Elsewhere", "a stale account")


# -- pages of List Accounts are cached the same way ------------------------------------
def _listed(http: httpx.Client, headers: dict[str, str], **params: str) -> list[str]:
    r = http.get("/accounts", headers=headers, params=params)
    assert r.status_code == 200
    return [a["name"] for a in r.json()["result"]]


def test_a_list_page_is_served_from_the_cache(
    server: RunningServer, http: httpx.Client
) -> None:
    pages = server.app.services.pages
    first = _listed(http, key_headers())
    before = pages.hits
    assert _listed(http, key_headers()) == first
    assert pages.hits == before + 1
    # Another query is another entry, not the same page.
    assert _listed(http, key_headers(), name="no such account") == []
    assert pages.hits == before + 1


def test_a_list_page_reads_a_rename_through_this_process_at_once(
    server: RunningServer, http: httpx.Client
) -> None:
    assert "Renamed In List" not in _listed(http, key_headers())
    assert http.put(
        DETAILS, headers=key_headers(), json={"name": "Renamed In List"}
    ).is_success
    assert "Renamed In List" in _listed(http, key_headers())


def test_a_list_page_drops_an_account_whose_member_was_removed_elsewhere(
    server: RunningServer, http: httpx.Client, other_instance: Database
) -> None:
    r = http.get("/accounts", headers=key_headers())
    assert DEMO_ACCOUNT in [a["id"] for a in r.json()["result"]]
    _listed(http, key_headers())  # now cached
    with other_instance.write() as conn:
        conn.execute(
            text("DELETE FROM members WHERE account_id = :a AND email = :e"),
            {"a": DEMO_ACCOUNT, "e": DEMO_EMAIL},
        )

    def dropped() -> bool:
        r = http.get("/accounts", headers=key_headers())
        return r.status_code != 200 or DEMO_ACCOUNT not in [
            a["id"] for a in r.json()["result"]
        ]

    _seen_once_polled(dropped, "a stale page")


def test_a_list_page_is_kept_apart_for_each_token_scope(
    server: RunningServer, http: httpx.Client
) -> None:
    """The same user through the key and through a token that reaches one account:
    each gets its own page, however often they alternate."""
    from cfaccounts import times
    from cfaccounts.accounts import store
    from cfaccounts.catalog import catalogue

    second = "5e0c8d3f0a1b4c2d9e8f7a6b5c4d3e2f"
    with server.app.services.db.write() as conn:
        store.insert(conn, id=second, name="Second", created_on=times.now_db())
        store.add_member(
            conn,
            member_id="6f1d9e4a0b2c4d3e8f7a6b5c4d3e2f1a",
            account_id=second,
            user_id=DEMO_USER_ID,
            email=DEMO_EMAIL,
            role_ids=[],
            created_on=times.now_db(),
        )
    read = catalogue().group("Account Settings Read").id
    made = http.post(
        "/user/tokens",
        headers=key_headers(),
        json={
            "name": "one account",
            "policies": [
                {
                    "effect": "allow",
                    "resources": {f"com.cloudflare.api.account.{DEMO_ACCOUNT}": "*"},
                    "permission_groups": [{"id": read}],
                }
            ],
        },
    )
    assert made.status_code == 200, made.text
    narrow = bearer(made.json()["result"]["value"])

    def ids(headers: dict[str, str]) -> list[str]:
        r = http.get("/accounts", headers=headers)
        assert r.status_code == 200
        return [a["id"] for a in r.json()["result"]]

    everything = ids(key_headers())
    assert {DEMO_ACCOUNT, second} <= set(everything)
    for _ in range(2):
        assert ids(narrow) == [DEMO_ACCOUNT]
        assert ids(key_headers()) == everything


# -- Member Details is cached the same way ---------------------------------------------
def test_member_details_reads_a_change_made_elsewhere_once_polled(
    server: RunningServer, http: httpx.Client, other_instance: Database
) -> None:
    listed = http.get(f"{DETAILS}/members", headers=key_headers())
    member = next(
        m for m in listed.json()["result"] if m["user"]["email"] == DEMO_EMAIL
    )
    url = f"{DETAILS}/members/{member['id']}"

    def first_name() -> str | None:
        r = http.get(url, headers=key_headers())
        assert r.status_code == 200
        name: str | None = r.json()["result"]["user"]["first_name"]
        return name

    reads = server.app.services.reads
    first_name()
    before = reads.hits
    assert first_name() != "Elsewhere"
    assert reads.hits > before  # answered from the cache
    with other_instance.write() as conn:
        conn.execute(
            text("UPDATE users SET first_name = 'Elsewhere' WHERE email = :e"),
            {"e": DEMO_EMAIL},
        )
    _seen_once_polled(lambda: first_name() == "Elsewhere", "stale member details")
