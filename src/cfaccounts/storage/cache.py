"""A cache of what the request path reads (credentials, memberships, and the answer
of the busiest reads, such as Account Details), kept until the data changes.

The rule it keeps: a revoked credential (a token deleted, disabled, rolled or changed;
a user's key changed) or a removed or changed member is refused within one second on
every instance serving the database, including other processes and other hosts.

How:

- Every write transaction increments a change counter in the database
  (``data_version``), and in the process that made it, ``Database.generation``. An
  entry is used only while the generation it was read under is still current, so a
  change made through this process takes effect at once.
- ``Database.generation_now`` reads the counter at most every ``CHANGE_POLL`` (0.05 s)
  and moves the generation on when another instance changed it: a change made
  anywhere empties every instance's cache within a twentieth of a second. One tiny
  read per interval replaces reading every credential again.
- A read racing a write is safe: the generation is taken *before* the read, and a
  value read under a generation that is no longer current is not kept.
- Entries also expire after ``MAX_AGE`` whatever the counter says, a backstop for
  changes made to the database behind cfaccounts' back (by hand, without touching the
  counter).
- Only successful lookups are kept (a value that is not a token is never cached), and
  what is kept is what the database said, never a decision: expiry, ``not_before``,
  IP conditions and the policy check run on every request.
- The cache is bounded (``MAX_ENTRIES``); when full it drops expired entries, and if
  that is not enough, everything.

Keys are secret hashes (never secret values), emails and account ids. One cache serves
the process (``Services.reads``); its kinds (``token``, ``user``, ``member``) keep
their keys apart. A second one (``Services.pages``), with fewer entries, keeps whole
pages of List Accounts, keyed by the caller, the accounts their token reaches and the
query.

What an operation returns is kept under the same rule: a write made through an
instance is read through that instance at once, and through every other instance by
any request that starts ``CHANGE_POLL`` after the write was committed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .database import Database

MAX_AGE = 10.0
MAX_ENTRIES = 50_000

_MISSING = object()


class ReadCache:
    """``get(kind, key)`` gives a cached value or ``MISSING``; ``put`` stores one read
    at ``generation`` (taken with ``generation()`` before the read)."""

    MISSING = _MISSING

    def __init__(
        self,
        db: Database,
        *,
        max_age: float = MAX_AGE,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.max_age = max_age
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[tuple[str, Any], tuple[float, int, Any]] = {}
        self.hits = 0
        self.misses = 0

    def generation(self) -> int:
        return self.db.generation_now()

    def get(self, kind: str, key: Any) -> Any:
        entry = self._entries.get((kind, key))
        if entry is not None:
            expires, generation, value = entry
            now = self.clock()
            if now < expires and generation == self.db.generation_now(now):
                self.hits += 1
                return value
        self.misses += 1
        return _MISSING

    def read(self, kind: str, key: Any, load: Callable[[], Any]) -> Any:
        """The value cached for ``(kind, key)``, else what ``load()`` reads now (kept
        unless it is None: what is not there is looked for again next time)."""
        value = self.get(kind, key)
        if value is _MISSING:
            generation = self.generation()
            value = load()
            if value is not None:
                self.put(kind, key, value, generation)
        return value

    def put(self, kind: str, key: Any, value: Any, generation: int) -> None:
        if generation != self.db.generation:
            return  # the data changed while reading: do not keep it
        entries = self._entries
        if len(entries) >= self.max_entries:
            now = self.clock()
            for k in [k for k, e in list(entries.items()) if e[0] <= now]:
                del entries[k]
            if len(entries) >= self.max_entries:
                entries.clear()
        entries[(kind, key)] = (self.clock() + self.max_age, generation, value)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
