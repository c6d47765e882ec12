"""A short-lived cache of what authentication and authorization read on every request.

The rule it keeps: a revoked credential (a token deleted, disabled, rolled or changed;
a user's key changed) or a removed or changed member is refused within one second on
every instance serving the database, including other processes and other hosts.

How:

- Every entry lives at most ``TTL`` (0.5 s) after it was read from the database. An
  instance that did not make a change notices it at the latest 0.5 s later, wherever
  the change was made, because it reads the database again. No cross-process signal is
  needed, so it holds for any number of workers and hosts on SQLite or PostgreSQL.
- In the process that makes a change it is immediate: every write transaction bumps
  ``Database.generation``, and an entry read under an older generation is not used. A
  read racing a write is safe because the generation is taken *before* the read.
- Only successful lookups are kept (a value that is not a token is never cached), and
  what is kept is what the database said, never a decision: expiry, ``not_before``,
  IP conditions and the policy check run on every request.
- The cache is bounded (``MAX_ENTRIES``); when full it drops expired entries, and if
  that is not enough, everything.

Keys are secret hashes (never secret values), emails and account ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..storage.database import Database

TTL = 0.5
MAX_ENTRIES = 50_000

_MISSING = object()


class AuthCache:
    """``get(kind, key)`` gives a cached value or ``MISSING``; ``put`` stores one read
    at ``generation`` (taken before the read)."""

    MISSING = _MISSING

    def __init__(
        self,
        db: Database,
        *,
        ttl: float = TTL,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[tuple[str, Any], tuple[float, int, Any]] = {}
        self.hits = 0
        self.misses = 0

    def generation(self) -> int:
        return self.db.generation

    def get(self, kind: str, key: Any) -> Any:
        entry = self._entries.get((kind, key))
        if entry is not None:
            expires, generation, value = entry
            if generation == self.db.generation and self.clock() < expires:
                self.hits += 1
                return value
        self.misses += 1
        return _MISSING

    def put(self, kind: str, key: Any, value: Any, generation: int) -> None:
        if generation != self.db.generation:
            return  # a local write happened while reading: do not keep it
        entries = self._entries
        if len(entries) >= self.max_entries:
            now = self.clock()
            for k in [k for k, e in list(entries.items()) if e[0] <= now]:
                del entries[k]
            if len(entries) >= self.max_entries:
                entries.clear()
        entries[(kind, key)] = (self.clock() + self.ttl, generation, value)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
