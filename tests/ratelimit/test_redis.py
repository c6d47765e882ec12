"""Counting through Redis: every server on one Redis spends one budget per
credential, and a Redis outage degrades limits to per-process counting without
failing a request, logged once per outage."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator

import httpx
import pytest

from cfaccounts.ratelimit import RedisCounter

from ..conftest import DEMO_ACCOUNT, RunningServer, key_headers
from ..servers import start_server

REDIS_URL = "redis://127.0.0.1:6379/0"
ACCOUNT_PATH = f"/accounts/{DEMO_ACCOUNT}"


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(
    not _redis_reachable(), reason="no Redis on 127.0.0.1:6379"
)


@pytest.fixture(scope="module")
def pair(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningServer, RunningServer]]:
    """Two servers, each with its own database, counting in one Redis (under a key
    prefix of this test run, so parallel runs do not meet)."""
    shared = {
        "rate_limit": "5/60",
        "redis_url": REDIS_URL,
        "redis_prefix": f"cfaccounts-test-{secrets.token_hex(4)}",
    }
    first = start_server(tmp_path_factory, "redis-a", **shared)
    second = start_server(tmp_path_factory, "redis-b", **shared)
    yield first, second
    first.reset()  # deletes the run's keys
    first.stop()
    second.stop()


@needs_redis
def test_two_servers_on_one_redis_share_one_budget(
    pair: tuple[RunningServer, RunningServer],
) -> None:
    first, second = pair
    first.reset()
    with httpx.Client() as client:
        for _ in range(3):
            reply = client.get(first.base_url + ACCOUNT_PATH, headers=key_headers())
            assert reply.status_code == 200
        for _ in range(2):
            reply = client.get(second.base_url + ACCOUNT_PATH, headers=key_headers())
            assert reply.status_code == 200
        assert reply.headers["ratelimit"].startswith('"default";r=0;')
        refused = client.get(first.base_url + ACCOUNT_PATH, headers=key_headers())
        assert refused.status_code == 429
        refused = client.get(second.base_url + ACCOUNT_PATH, headers=key_headers())
        assert refused.status_code == 429


@needs_redis
def test_a_reset_on_one_server_starts_the_shared_budget_again(
    pair: tuple[RunningServer, RunningServer],
) -> None:
    first, second = pair
    with httpx.Client() as client:
        for _ in range(6):
            client.get(first.base_url + ACCOUNT_PATH, headers=key_headers())
        first.reset()
        reply = client.get(second.base_url + ACCOUNT_PATH, headers=key_headers())
    assert reply.status_code == 200


def test_with_redis_down_the_server_answers_and_logs_the_outage_once(
    tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cfaccounts.ratelimit")
    # Nothing listens on port 1 of the loopback address: every attempt is refused.
    running = start_server(
        tmp_path_factory,
        "redis-down",
        rate_limit="3/60",
        redis_url="redis://:hunter2-password@127.0.0.1:1/0",
    )
    try:
        with httpx.Client() as client:
            statuses = [
                client.get(
                    running.base_url + ACCOUNT_PATH, headers=key_headers()
                ).status_code
                for _ in range(5)
            ]
    finally:
        running.stop()
    # Still limited, per process, while Redis is away.
    assert statuses == [200, 200, 200, 429, 429]
    outages = [r for r in caplog.records if "degraded" in r.getMessage()]
    assert len(outages) == 1
    assert "127.0.0.1:1" in outages[0].getMessage()
    assert "hunter2" not in caplog.text


class FlakyRedis:
    """Stands in for a Redis client: fails while ``down``, else counts."""

    def __init__(self) -> None:
        self.down = False
        self.counts: dict[str, int] = {}

    def register_script(self, _source: str) -> FlakyRedis:
        return self

    def __call__(self, keys: list[str], args: list[int]) -> list[int]:
        if self.down:
            raise ConnectionError("refused")
        self.counts[keys[0]] = self.counts.get(keys[0], 0) + 1
        return [self.counts[keys[0]], args[0]]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_is_logged_when_it_starts_and_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="cfaccounts.ratelimit")
    fake, clock = FlakyRedis(), Clock()
    counter = RedisCounter(REDIS_URL, client=fake, clock=clock)
    assert counter.hit("user:a", 60) == (1, 60.0)
    fake.down = True
    for _ in range(10):
        counter.hit("user:a", 60)
        clock.now += 0.5
    assert counter.degraded
    fake.down = False
    clock.now += 2
    assert counter.hit("user:a", 60) == (2, 60.0)
    assert not counter.degraded
    messages = [r.getMessage() for r in caplog.records]
    assert sum("degraded" in m for m in messages) == 1
    assert sum("restored" in m for m in messages) == 1


def test_while_down_redis_is_tried_again_at_most_once_a_second() -> None:
    fake, clock = FlakyRedis(), Clock()
    counter = RedisCounter(REDIS_URL, client=fake, clock=clock)
    fake.down = True
    counter.hit("user:a", 60)
    fake.down = False
    clock.now += 0.5
    counter.hit("user:a", 60)
    assert fake.counts == {}  # not asked again yet
    clock.now += 0.6
    counter.hit("user:a", 60)
    assert fake.counts == {"cfaccounts:ratelimit:user:a": 1}
