"""Generated benchmark data, written in bulk straight into the database.

Every identity is derived from its index, so the load generator can name any account,
member, key or token without reading the database back:

- ``n`` accounts; account ``i`` is owned by user ``i`` (Super Administrator) and has
  users ``i+1`` and ``i+2`` (mod n) as further members (Administrator Read Only and
  Billing): three members per account, each user a member of three accounts.
- ``WIDE_USERS`` extra users, each a member of ``WIDE_SPAN`` consecutive accounts, so
  that a list with ``per_page=50`` returns full pages.
- every owner has a global API key and one user token (Account Settings Read on its
  account, API Tokens Write on itself); every account has one account-owned token
  (Account Settings Read): two tokens per account.
- every account has its whole-account resource group, as the seed loader creates.

Secrets are hashed with the database's own key (``Database.secret_key``) through
``SecretHasher``, exactly as the server will check them. SQLite is filled through the
DB-API ``executemany`` in one transaction with the journal off; PostgreSQL through
``COPY``. Neither goes through HTTP.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from cfaccounts.auth.secrets import SecretHasher
from cfaccounts.catalog import USER_SCOPE, catalogue
from cfaccounts.seeding.load import account_resource_group_id
from cfaccounts.storage import migrate
from cfaccounts.storage import schema as s
from cfaccounts.storage.database import Database

WIDE_USERS = 100
WIDE_SPAN = 60
CHUNK = 20_000  # accounts per batch
CREATED = "2024-01-02T03:04:05.000000Z"

SUPER_ADMIN = "33666b9c79b9a5273fc7344ff42f953d"

_SPACE = 1 << 128
_MASK = _SPACE - 1
# Ids are spread evenly over the 128-bit id space in ascending order of their index
# (a fixed step plus a pseudo-random offset below the step): they look like random
# ids, never repeat, and arrive in primary-key order, so loading appends to each index
# instead of splitting pages all over it. Secrets (keys, token values) are a plain
# bijection: only their hashes are stored, and those are random anyway.
_JITTER = 0x9E3779B97F4A7C15F39CC0605CEDC835
_SECRET = {
    "key": 0xD6E8FEB86659FD93A5A5A5A5A5A5A5A5,
    "utoken": 0x85EBCA77C2B2AE63B5297A4D3A4B2C1D,
    "atoken": 0xFF51AFD7ED558CCDC4CEB9FE1A85EC53,
}


def _ordered(i: int, capacity: int, salt: int = 0) -> str:
    """The i-th of ``capacity`` ascending, random-looking 32-hex ids."""
    step = _SPACE // capacity
    return format(i * step + ((i + salt) * _JITTER) % step, "032x")


def _secret(kind: str, i: int) -> str:
    return format(((i + 1) * _SECRET[kind]) & _MASK, "032x")


@dataclass(frozen=True)
class Dataset:
    """The identities of a generated data set of ``n`` accounts."""

    n: int

    # -- identities -------------------------------------------------------------------
    @property
    def user_count(self) -> int:
        return self.n + self.wide_users

    def account_id(self, i: int) -> str:
        return _ordered(i, self.n, 1)

    def user_id(self, i: int) -> str:
        return _ordered(i, self.user_count, 2)

    @staticmethod
    def email(i: int) -> str:
        return f"user{i:08d}@bench.example"

    @staticmethod
    def api_key(i: int) -> str:
        return _secret("key", i)

    @staticmethod
    def user_token(i: int) -> str:
        return "cfut_" + _secret("utoken", i) + "bench0user0tok"

    @staticmethod
    def account_token(i: int) -> str:
        return "cfat_" + _secret("atoken", i) + "bench0acct0tok"

    def member_id(self, account: int, slot: int) -> str:
        """Member ``slot`` (0 owner, 1, 2) of an account."""
        return _ordered(3 * account + slot, self.member_capacity, 3)

    def wide_member_id(self, k: int, j: int) -> str:
        return _ordered(3 * self.n + k * WIDE_SPAN + j, self.member_capacity, 3)

    @property
    def member_capacity(self) -> int:
        return 3 * self.n + WIDE_USERS * WIDE_SPAN

    def token_id(self, i: int, kind: int) -> str:
        """Token ``kind`` (0 the owner's user token, 1 the account token)."""
        return _ordered(2 * i + kind, 2 * self.n, 4)

    def wide_user(self, k: int) -> int:
        """The user index of the k-th wide user (after the owners)."""
        return self.n + k

    def wide_accounts(self, k: int) -> list[int]:
        return [(k * WIDE_SPAN + j) % self.n for j in range(WIDE_SPAN)]

    @property
    def wide_users(self) -> int:
        return min(WIDE_USERS, self.n)


@dataclass
class LoadResult:
    accounts: int
    rows: int
    seconds: float

    @property
    def accounts_per_second(self) -> float:
        return self.accounts / self.seconds if self.seconds else 0.0


# -- row generation ------------------------------------------------------------------
USER_COLS = (
    "id",
    "email",
    "api_key_hash",
    "tenant_admin",
    "two_factor_enabled",
    "suspended",
    "created_on",
    "modified_on",
)
ACCOUNT_COLS = ("id", "name", "type", "created_on", "managed_by", "settings")
RG_COLS = ("id", "account_id", "name", "scope", "meta")
MEMBER_COLS = (
    "id",
    "account_id",
    "user_id",
    "email",
    "status",
    "roles",
    "policies",
    "created_on",
)
TOKEN_COLS = (
    "id",
    "kind",
    "user_id",
    "account_id",
    "name",
    "status",
    "value_hash",
    "issued_on",
    "modified_on",
    "last_used_on",
    "not_before",
    "expires_on",
    "policies",
    "condition",
    "creator_email",
)

TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("users", USER_COLS),
    ("accounts", ACCOUNT_COLS),
    ("resource_groups", RG_COLS),
    ("members", MEMBER_COLS),
    ("tokens", TOKEN_COLS),
)


def check_schema() -> None:
    """Fail early, with a clear message, if the schema moved away from this loader."""
    for name, cols in TABLES:
        table = s.metadata.tables[name]
        missing = [c for c in cols if c not in table.c]
        required = [
            c.name
            for c in table.columns
            if c.name not in cols and not c.nullable and c.default is None
        ]
        if missing or required:
            raise RuntimeError(
                f"bench loader out of date for table {name}: "
                f"unknown {missing}, not filled {required}"
            )


def fast_hasher(hasher: SecretHasher, key: bytes) -> Callable[[str], str]:
    """HMAC-SHA256 with the key's pads hashed once: the same digests as
    ``hasher.hash`` (checked here) at a third of the cost, which matters when millions
    of secrets are hashed."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digest(secret: str) -> str:
        i = inner.copy()
        i.update(secret.encode())
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()

    for probe in ("cfut_" + "a" * 40, "0123456789abcdef0123456789abcdef"):
        if digest(probe) != hasher.hash(probe):
            raise RuntimeError("the fast hasher disagrees with SecretHasher")
    return digest


class _Rows:
    """Builds the rows of a range of accounts (and their users) as tuples."""

    def __init__(self, data: Dataset, hasher: Callable[[str], str]) -> None:
        cat = catalogue()
        self.data = data
        self.hash = hasher
        asr = cat.group("Account Settings Read").id
        tokens_write = cat.group("API Tokens Write", USER_SCOPE).id
        read_only = next(r for r in cat.roles if r.name == "Administrator Read Only")
        billing = next(r for r in cat.roles if r.name == "Billing")
        self.member_roles = (
            orjson.dumps([SUPER_ADMIN]).decode(),
            orjson.dumps([read_only.id]).decode(),
            orjson.dumps([billing.id]).decode(),
        )
        self.read_only_roles = self.member_roles[1]
        # The stored (canonical) policy JSON, as templates: orjson per row would cost
        # more than everything else together.
        self.user_policies = (
            '[{"id":"%s","effect":"allow","resources":'
            '{"com.cloudflare.api.account.%s":"*"},'
            '"permission_groups":[{"id":"' + asr + '"}]},'
            '{"id":"%s","effect":"allow","resources":'
            '{"com.cloudflare.api.user.%s":"*"},'
            '"permission_groups":[{"id":"' + tokens_write + '"}]}]'
        )
        self.account_policies = (
            '[{"id":"%s","effect":"allow","resources":'
            '{"com.cloudflare.api.account.%s":"*"},'
            '"permission_groups":[{"id":"' + asr + '"}]}]'
        )

    def user(self, i: int) -> tuple[Any, ...]:
        d = self.data
        return (
            d.user_id(i),
            d.email(i),
            self.hash(d.api_key(i)),
            False,
            False,
            False,
            CREATED,
            CREATED,
        )

    def chunk(self, lo: int, hi: int) -> dict[str, list[tuple[Any, ...]]]:
        d = self.data
        n = d.n
        h = self.hash
        users = [self.user(i) for i in range(lo, hi)]
        uids = [d.user_id(i % n) for i in range(lo, hi + 2)]
        emails = [d.email(i % n) for i in range(lo, hi + 2)]
        roles = self.member_roles
        accounts = []
        rgs = []
        members = []
        tokens = []
        settings = '{"enforce_twofactor":false}'
        rg_meta = '{"editable":"false"}'
        for i in range(lo, hi):
            j = i - lo
            aid = d.account_id(i)
            key = "com.cloudflare.api.account." + aid
            accounts.append(
                (aid, f"Bench Account {i}", "standard", CREATED, None, settings)
            )
            rgs.append(
                (
                    account_resource_group_id(aid),
                    aid,
                    key,
                    '{"key":"' + key + '","objects":[{"key":"*"}]}',
                    rg_meta,
                )
            )
            for slot in range(3):
                members.append(
                    (
                        d.member_id(i, slot),
                        aid,
                        uids[j + slot],
                        emails[j + slot],
                        "accepted",
                        roles[slot],
                        None,
                        CREATED,
                    )
                )
            uid = uids[j]
            p = aid[:30]
            tokens.append(
                (
                    d.token_id(i, 0),
                    "user",
                    uid,
                    None,
                    "bench user token",
                    "active",
                    h(d.user_token(i)),
                    CREATED,
                    CREATED,
                    None,
                    None,
                    None,
                    self.user_policies % (p + "a0", aid, p + "a1", uid),
                    None,
                    emails[j],
                )
            )
            tokens.append(
                (
                    d.token_id(i, 1),
                    "account",
                    None,
                    aid,
                    "bench account token",
                    "active",
                    h(d.account_token(i)),
                    CREATED,
                    CREATED,
                    None,
                    None,
                    None,
                    self.account_policies % (p + "b0", aid),
                    None,
                    None,
                )
            )
        rgs.sort()
        return {
            "users": users,
            "accounts": accounts,
            "resource_groups": rgs,
            "members": members,
            "tokens": tokens,
        }

    def wide(self) -> dict[str, list[tuple[Any, ...]]]:
        d = self.data
        users = []
        members = []
        for k in range(d.wide_users):
            u = d.wide_user(k)
            users.append(self.user(u))
            for j, a in enumerate(d.wide_accounts(k)):
                members.append(
                    (
                        d.wide_member_id(k, j),
                        d.account_id(a),
                        d.user_id(u),
                        d.email(u),
                        "accepted",
                        self.read_only_roles,
                        None,
                        CREATED,
                    )
                )
        return {"users": users, "members": members}


_WORKER_ROWS: _Rows | None = None


def _worker_chunk(bounds: tuple[int, int]) -> tuple[int, dict[str, list[Any]]]:
    assert _WORKER_ROWS is not None
    lo, hi = bounds
    return hi - lo, _WORKER_ROWS.chunk(lo, hi)


def _batches(data: Dataset, rows: _Rows) -> Iterator[tuple[int, dict[str, list[Any]]]]:
    """The rows, chunk by chunk. Large sets are generated in a child process while
    this one writes, so building tuples and inserting them overlap."""
    bounds = [(lo, min(lo + CHUNK, data.n)) for lo in range(0, data.n, CHUNK)]
    if len(bounds) > 2:
        global _WORKER_ROWS
        _WORKER_ROWS = rows
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(1) as pool:
            yield from pool.imap(_worker_chunk, bounds)
        _WORKER_ROWS = None
    else:
        for lo, hi in bounds:
            yield hi - lo, rows.chunk(lo, hi)
    yield 0, rows.wide()


def _progress(total: int, label: str, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # the bench extra is not installed: no bar, same load
        return None
    return tqdm(total=total, desc=label, unit="acct", unit_scale=True, leave=False)


def prepare(url: str) -> Database:
    """Open the database and bring its schema to the current migration."""
    db = Database(url)
    migrate.upgrade(db.engine)
    return db


def load(
    db: Database, data: Dataset, *, progress: bool = True, label: str = "load"
) -> LoadResult:
    """Fill an empty, migrated database with ``data``; time it."""
    check_schema()
    key = db.secret_key(None)
    rows = _Rows(data, fast_hasher(SecretHasher(key), key))
    bar = _progress(data.n, label, progress)
    started = time.perf_counter()
    if db.is_sqlite:
        count = _load_sqlite(db, data, rows, bar)
    else:
        count = _load_postgresql(db, data, rows, bar)
    seconds = time.perf_counter() - started
    if bar is not None:
        bar.close()
    return LoadResult(data.n, count, seconds)


def _insert_sql(table: str, cols: Sequence[str]) -> str:
    return (
        f"INSERT INTO {table} ({', '.join(cols)}) "
        f"VALUES ({', '.join('?' for _ in cols)})"
    )


def _load_sqlite(db: Database, data: Dataset, rows: _Rows, bar: Any) -> int:
    path = db.url.database
    assert path
    db.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    count = 0
    try:
        # A bench database is thrown away on failure, so durability is not needed
        # while it is filled: no journal, no fsync, a large page cache.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-1000000")
        conn.execute("PRAGMA foreign_keys=OFF")
        statements = {name: _insert_sql(name, cols) for name, cols in TABLES}
        # Plain indexes are dropped and built again afterwards (a sort instead of a
        # page split per row); those that back a constraint stay.
        indexes = [
            (name, sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND sql IS NOT NULL AND tbl_name IN ({})".format(
                    ", ".join(f"'{t}'" for t, _ in TABLES)
                )
            )
        ]
        conn.execute("BEGIN")
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for accounts, batch in _batches(data, rows):
            for name, _cols in TABLES:
                values = batch.get(name)
                if values:
                    conn.executemany(statements[name], values)
                    count += len(values)
            if bar is not None:
                bar.update(accounts)
        for _name, sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return count


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


def _load_postgresql(db: Database, data: Dataset, rows: _Rows, bar: Any) -> int:
    count = 0
    raw = db.engine.raw_connection()
    try:
        dbapi: Any = raw.driver_connection
        with dbapi.cursor() as cur:
            for accounts, batch in _batches(data, rows):
                for name, cols in TABLES:
                    values = batch.get(name)
                    if not values:
                        continue
                    text = "".join(
                        "\t".join(map(_copy_text, row)) + "\n" for row in values
                    )
                    with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as cp:
                        cp.write(text.encode())
                    count += len(values)
                if bar is not None:
                    bar.update(accounts)
        dbapi.commit()
        with dbapi.cursor() as cur:
            dbapi.autocommit = True
            cur.execute("ANALYZE")
    finally:
        raw.close()
    return count
