"""When each token was last used, recorded behind the request.

Writing ``last_used_on`` on every request would turn every read into a database write.
Instead, authentication notes the use in memory (a dict assignment under a lock), and a
small background thread writes the notes down in one transaction, at most once per
interval (a second): a use reaches the database at most about an interval late, and a
busy token costs one write per interval whatever its request rate. Reads in the same
process see uses that are not written yet (``pending``).

A use is written only if it is later than the stored one and not earlier than the
token's ``issued_on``, so a note made before a token was deleted and seeded again under
the same id never lands on the new token. Notes not yet written when the process dies
are lost, which costs at most an interval of ``last_used_on`` precision.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from datetime import UTC, datetime

from .. import times
from ..storage.database import Database

log = logging.getLogger("cfaccounts.tokens")

FLUSH_INTERVAL = 1.0

# Every recorder of the process, so that a forked child (a server worker) starts with
# its own lock, no notes of its parent's and no thread: threads do not survive a fork.
_recorders: weakref.WeakSet[UsageRecorder] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for recorder in list(_recorders):
        recorder._forget()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _stamp(epoch: float) -> str:
    return times.to_db(datetime.fromtimestamp(epoch, UTC))


class UsageRecorder:
    """Write-behind ``last_used_on`` for tokens. ``touch`` is the hot path. With
    ``background=False`` nothing is written until ``flush`` or ``close``."""

    def __init__(
        self,
        db: Database,
        interval: float = FLUSH_INTERVAL,
        *,
        background: bool = True,
    ) -> None:
        self._db = db
        self._interval = interval
        self._background = background
        self._lock = threading.Lock()
        self._pending: dict[str, float] = {}
        self._writing: dict[str, float] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._last_flush = 0.0
        _recorders.add(self)
        # Closing the database first writes what is noted and stops the thread, so
        # no flush opens a connection after the pool is gone.
        db.on_dispose.append(self.close)

    def touch(self, token_id: str) -> None:
        """Note that ``token_id`` was used now."""
        now = time.time()
        lock = self._lock
        lock.acquire()
        try:
            pending = self._pending
            if not pending:
                self._wake.set()
                if self._thread is None:
                    self._start()
            pending[token_id] = now
        finally:
            lock.release()

    def pending(self, token_id: str) -> str | None:
        """The last use of a token not yet written to the database, if any."""
        with self._lock:
            epoch = self._pending.get(token_id) or self._writing.get(token_id)
        return None if epoch is None else _stamp(epoch)

    def flush(self) -> None:
        """Write every noted use now (the background thread calls this)."""
        with self._lock:
            batch, self._pending = self._pending, {}
            self._writing.update(batch)
            self._wake.clear()
        self._last_flush = time.monotonic()
        if not batch:
            return
        try:
            self._write(batch)
        except Exception:  # the database may be down; try these again next round
            log.warning("could not record token use; will retry", exc_info=True)
            with self._lock:
                for token_id, epoch in batch.items():
                    if self._pending.get(token_id, 0.0) < epoch:
                        self._pending[token_id] = epoch
                self._wake.set()
        finally:
            with self._lock:
                for token_id, epoch in batch.items():
                    if self._writing.get(token_id) == epoch:
                        del self._writing[token_id]

    def close(self) -> None:
        """Stop the background thread and write what is left."""
        with self._lock:
            self._closed = True
            thread = self._thread
            self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)
        self.flush()

    def _forget(self) -> None:
        # In a forked child: the parent writes its own notes.
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pending = {}
        self._writing = {}
        self._thread = None

    def _start(self) -> None:
        # Called with the lock held, on the first use.
        if self._closed or not self._background:
            return
        self._thread = threading.Thread(
            target=self._run, name="cfaccounts-token-usage", daemon=True
        )
        self._thread.start()
        atexit.register(self.close)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if self._closed:
                return
            # Gather uses until an interval has passed since the last write.
            delay = self._last_flush + self._interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if self._closed:
                return
            self.flush()

    def _write(self, batch: dict[str, float]) -> None:
        # One statement per chunk rather than one per token: a statement releases
        # and retakes the interpreter lock, which costs the request thread dearly
        # when it happens a thousand times a second. The write is not counted as a
        # change (``counted=False``): nothing cached depends on last_used_on.
        rows = sorted(batch.items())
        with self._db.write(counted=False) as conn:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            for start in range(0, len(rows), _CHUNK):
                chunk = rows[start : start + _CHUNK]
                params: list[str] = []
                for token_id, epoch in chunk:
                    params += (token_id, _stamp(epoch))
                values = ", ".join([f"({mark}, {mark})"] * len(chunk))
                conn.exec_driver_sql(_UPDATE_SQL.format(values=values), tuple(params))


# Tokens per statement: two parameters each, far below every driver's limit.
_CHUNK = 500

# A use lands only if it is later than the stored one and not before the token was
# issued (a token deleted and seeded again under the same id keeps its own history).
_UPDATE_SQL = (
    "WITH used (id, stamp) AS (VALUES {values}) "
    "UPDATE tokens SET last_used_on = used.stamp FROM used "
    "WHERE tokens.id = used.id AND tokens.issued_on <= used.stamp "
    "AND (tokens.last_used_on IS NULL OR tokens.last_used_on < used.stamp)"
)
