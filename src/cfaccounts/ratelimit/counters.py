"""Fixed-window request counters: in this process, or shared through Redis.

A window opens with the first request of a key and lasts ``window`` seconds; every
request in it (refused ones included) adds one. ``hit`` answers the count so far,
this request included, and the seconds left until the window closes.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Protocol
from urllib.parse import urlsplit

log = logging.getLogger("cfaccounts.ratelimit")


class Counter(Protocol):
    def hit(self, key: str, window: int) -> tuple[int, float]:
        """Count one request for ``key``: (requests in the current window, seconds
        until it closes)."""
        ...

    def reset(self) -> None:
        """Forget every window."""
        ...


class MemoryCounter:
    """Counts in this process only: each worker process of a server has its own."""

    # Expired windows are dropped when the table grows past this (then past twice
    # its live size), so memory follows the number of recently active credentials.
    PRUNE_AT = 4096

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, list[float]] = {}  # key -> [closes_at, count]
        self._lock = threading.Lock()
        self._prune_at = self.PRUNE_AT

    def hit(self, key: str, window: int) -> tuple[int, float]:
        now = self._clock()
        with self._lock:
            entry = self._windows.get(key)
            if entry is None or entry[0] <= now:
                if len(self._windows) >= self._prune_at:
                    self._prune(now)
                entry = self._windows[key] = [now + window, 0]
            entry[1] += 1
            return int(entry[1]), entry[0] - now

    def reset(self) -> None:
        with self._lock:
            self._windows = {}

    def _prune(self, now: float) -> None:
        self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
        self._prune_at = max(self.PRUNE_AT, 2 * len(self._windows))


# One round trip, atomic: count, open the window on the first request, and report
# the time left. A key left without an expiry (never by this script) gets one.
_HIT_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return {n, tonumber(ARGV[1])}
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""


def redis_location(url: str) -> str:
    """Host and port of a Redis URL, for logs (never its password)."""
    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"


class RedisCounter:
    """Counts in Redis, so every process and server on that Redis shares one budget
    per key.

    While Redis cannot be reached the server keeps answering: requests are counted in
    this process instead (limits are then per process, "degraded"), Redis is tried
    again at most once a second, and the outage is logged once when it starts and once
    when it ends, never per request."""

    RETRY_AFTER = 1.0  # seconds between attempts to reach Redis again while down
    TIMEOUT = 0.25  # seconds; a stalled Redis must not stall the event loop for long

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "cfaccounts",
        client: Any = None,
        clock: Any = time.monotonic,
    ) -> None:
        if client is None:
            import redis

            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=self.TIMEOUT,
                socket_timeout=self.TIMEOUT,
            )
        self.location = redis_location(url)
        self._prefix = f"{prefix}:ratelimit:"
        self._client = client
        self._script = client.register_script(_HIT_SCRIPT)
        self._fallback = MemoryCounter(clock)
        self._clock = clock
        self._down_until = 0.0
        self.degraded = False

    def hit(self, key: str, window: int) -> tuple[int, float]:
        if self.degraded and self._clock() < self._down_until:
            return self._fallback.hit(key, window)
        try:
            count, ttl_ms = self._script(
                keys=[self._prefix + key], args=[window * 1000]
            )
        except Exception as exc:  # any client failure: connection, timeout, protocol
            self._outage(exc)
            return self._fallback.hit(key, window)
        if self.degraded:
            self.degraded = False
            log.warning(
                "rate limits restored: Redis at %s is reachable again; counting is "
                "shared again",
                self.location,
            )
        return int(count), int(ttl_ms) / 1000

    def _outage(self, exc: Exception) -> None:
        self._down_until = self._clock() + self.RETRY_AFTER
        if not self.degraded:
            self.degraded = True
            log.warning(
                "rate limits degraded: Redis at %s cannot be reached (%s); counting "
                "in this process until it is back",
                self.location,
                type(exc).__name__,
            )

    def reset(self) -> None:
        """Delete this server's windows in Redis (every server sharing the prefix
        starts again), and the fallback's."""
        self._fallback.reset()
        try:
            keys = list(self._client.scan_iter(match=self._prefix + "*", count=1000))
            if keys:
                self._client.delete(*keys)
        except Exception as exc:
            self._outage(exc)

    def close(self) -> None:
        self._client.close()
