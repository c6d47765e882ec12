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

The database builds the rows itself: each table is filled by ``INSERT ... SELECT``
statements over a range of account numbers, whose expressions compute the ids, e-mail
addresses and JSON columns from the number (ids use 64-bit integer arithmetic only, so
SQL and ``Dataset`` agree on them). Python only hashes the secrets, with the
database's own key exactly as ``SecretHasher`` does (checked), and derives the resource
group ids; a range's values travel packed in one parameter. Not a row is built or sent
one at a time, which is what the load used to spend its time on.

SQLite: the tables are filled on two cores at once. The small tables go straight into
the database file; members and tokens are each built, with their indexes, in an
in-memory database on a thread of their own (SQLite runs without the interpreter lock),
and then copied in whole, which SQLite does page by page without re-checking anything.
No journal and no fsync while loading; WAL afterwards, as the server expects.
PostgreSQL: the tables are filled on several connections at once, with their indexes
and constraints dropped first and built again (by sorting) afterwards.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import sqlite3
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cfaccounts.auth.secrets import SecretHasher
from cfaccounts.catalog import USER_SCOPE, catalogue
from cfaccounts.seeding.load import account_resource_group_id
from cfaccounts.storage import migrate
from cfaccounts.storage import schema as s
from cfaccounts.storage.database import Database

try:
    import apsw
except ImportError:  # the standard library's driver: the same load, slower
    apsw = None

WIDE_USERS = 100
WIDE_SPAN = 60
CHUNK = 50_000  # accounts per statement
CREATED = "2024-01-02T03:04:05.000000Z"
MAX_ACCOUNTS = 100_000_000  # ids need capacity < 2**32, e-mails 8 digits

SUPER_ADMIN = "33666b9c79b9a5273fc7344ff42f953d"

# Ids are spread evenly over the id space in ascending order of their index: the first
# 32 bits climb by a fixed step plus a pseudo-random offset below the step, the other
# 96 are scrambled. They look like random ids, never repeat, and arrive in primary-key
# order, so loading appends to each index instead of splitting pages all over it. Only
# 64-bit integer arithmetic, so that SQL computes the same ids (``_Dialect.ordered``).
_WORD = 1 << 32
_JITTER = 0x2545F491
_MIX = ((0x85EBCA77, 0x27D4EB2F), (0xC2B2AE3D, 0x165667B1), (0x9E3779B1, 0x61C88647))
# Secrets (keys, token values) are a plain bijection of the index between a prefix
# and a suffix: only their hashes are stored, and those are random anyway.
_MASK = (1 << 128) - 1
_SECRET = {
    "key": (b"", 0xD6E8FEB86659FD93A5A5A5A5A5A5A5A5, b""),
    "utoken": (b"cfut_", 0x85EBCA77C2B2AE63B5297A4D3A4B2C1D, b"bench0user0tok"),
    "atoken": (b"cfat_", 0xFF51AFD7ED558CCDC4CEB9FE1A85EC53, b"bench0acct0tok"),
}


def _ordered_range(lo: int, hi: int, capacity: int, salt: int) -> list[str]:
    """The ids [lo, hi) of ``capacity`` ascending, random-looking 32-hex ids."""
    step = _WORD // capacity
    w, j = _WORD, _JITTER
    (a1, b1), (a2, b2), (a3, b3) = _MIX
    return [
        f"{i * step + (i + salt) * j % step:08x}{((i + salt) * a1 + b1) % w:08x}"
        f"{((i + salt) * a2 + b2) % w:08x}{((i + salt) * a3 + b3) % w:08x}"
        for i in range(lo, hi)
    ]


def _ordered(i: int, capacity: int, salt: int) -> str:
    return _ordered_range(i, i + 1, capacity, salt)[0]


def _secrets(kind: str, lo: int, hi: int) -> list[bytes]:
    """Secrets [lo, hi) of one kind."""
    prefix, factor, suffix = _SECRET[kind]
    template = prefix + b"%032x" + suffix
    return [template % ((i + 1) * factor & _MASK) for i in range(lo, hi)]


@dataclass(frozen=True)
class Dataset:
    """The identities of a generated data set of ``n`` accounts."""

    n: int

    def __post_init__(self) -> None:
        # Three distinct members per account need three users; ids need room.
        if not 3 <= self.n <= MAX_ACCOUNTS:
            raise ValueError(f"a data set has 3 to {MAX_ACCOUNTS:,} accounts")

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
        return _secrets("key", i, i + 1)[0].decode()

    @staticmethod
    def user_token(i: int) -> str:
        return _secrets("utoken", i, i + 1)[0].decode()

    @staticmethod
    def account_token(i: int) -> str:
        return _secrets("atoken", i, i + 1)[0].decode()

    def member_id(self, account: int, slot: int) -> str:
        """Member ``slot`` (0 owner, 1, 2) of an account."""
        return _ordered(3 * account + slot, self.member_capacity, 3)

    def wide_member_id(self, k: int, j: int) -> str:
        return _ordered(3 * self.n + k * self.wide_span + j, self.member_capacity, 3)

    @property
    def member_capacity(self) -> int:
        return 3 * self.n + self.wide_users * self.wide_span

    def wide_user(self, k: int) -> int:
        """The user index of the k-th wide user (after the owners)."""
        return self.n + k

    def wide_accounts(self, k: int) -> list[int]:
        return [(k * self.wide_span + j) % self.n for j in range(self.wide_span)]

    @property
    def wide_users(self) -> int:
        return min(WIDE_USERS, self.n)

    @property
    def wide_span(self) -> int:
        """Accounts per wide user (never the same account twice)."""
        return min(WIDE_SPAN, self.n)

    # -- what a load writes -----------------------------------------------------------
    def row_counts(self) -> dict[str, int]:
        """Rows per table once loaded."""
        return {
            "users": self.user_count,
            "accounts": self.n,
            "resource_groups": self.n,
            "members": 3 * self.n + self.wide_users * self.wide_span,
            "tokens": 2 * self.n,
        }


@dataclass
class LoadResult:
    accounts: int
    rows: int
    seconds: float

    @property
    def accounts_per_second(self) -> float:
        return self.accounts / self.seconds if self.seconds else 0.0


# -- the tables and columns the loader fills -------------------------------------------
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
TABLE_NAMES = tuple(name for name, _ in TABLES)
_PER_ACCOUNT = {
    "users": 1,
    "accounts": 1,
    "resource_groups": 1,
    "members": 3,
    "tokens": 2,
}


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


Hasher = Callable[[list[bytes]], list[str]]


def fast_hasher(hasher: SecretHasher, key: bytes) -> Hasher:
    """HMAC-SHA256 of many secrets at once, with the key's pads hashed once: the same
    digests as ``hasher.hash`` (checked here) at a third of the cost, which matters
    when millions of secrets are hashed."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digests(secrets: list[bytes]) -> list[str]:
        start_inner, start_outer = inner.copy, outer.copy
        out = []
        for secret in secrets:
            i = start_inner()
            i.update(secret)
            o = start_outer()
            o.update(i.digest())
            out.append(o.hexdigest())
        return out

    probes = ["cfut_" + "a" * 40, "0123456789abcdef0123456789abcdef"]
    if digests([p.encode() for p in probes]) != [hasher.hash(p) for p in probes]:
        raise RuntimeError("the fast hasher disagrees with SecretHasher")
    return digests


def _group_ids(account_ids: list[str]) -> list[str]:
    """``account_resource_group_id`` of many accounts (checked at load)."""
    blake2b = hashlib.blake2b
    return [
        blake2b(f"{a}/account-resource-group".encode(), digest_size=16).hexdigest()
        for a in account_ids
    ]


# -- SQL that generates rows -----------------------------------------------------------
def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Dialect:
    """What differs between SQLite and PostgreSQL in the generating statements."""

    false: str
    integer: str  # the type a packed number is cast to
    fence: str  # keeps a subquery's columns computed once, not copied into each use

    def param(self, name: str) -> str:
        raise NotImplementedError

    def mod(self, a: str, b: int) -> str:
        raise NotImplementedError

    def hex_words(self, words: Sequence[str]) -> str:
        """32-bit values as 8 lowercase hex digits each, concatenated."""
        raise NotImplementedError

    def decimal(self, expr: str, width: int, before: str, after: str) -> str:
        """A number in decimal with leading zeros, between two constant texts."""
        raise NotImplementedError

    def series(self, lo: int, hi: int) -> str:
        """A FROM item ``c`` with one column ``i`` running over [lo, hi)."""
        raise NotImplementedError

    def packed(
        self, name: str, index: str, width: int, stride: int, offset: int = 0
    ) -> str:
        """Text ``width`` characters long at ``offset`` in the ``index``-th record
        of ``stride`` bytes of a packed bytes parameter."""
        raise NotImplementedError

    def cat(self, *parts: str) -> str:
        return "(" + " || ".join(parts) + ")"

    def ordered(self, i: str, capacity: int, salt: int) -> str:
        """``_ordered`` in SQL."""
        step = _WORD // capacity
        k = f"({i} + {salt})"
        first = f"({i}) * {step} + " + self.mod(f"{k} * {_JITTER}", step)
        return self.hex_words(
            [first, *(self.mod(f"{k} * {a} + {b}", _WORD) for a, b in _MIX)]
        )


class _SQLite(_Dialect):
    false = "0"
    integer = "INTEGER"
    fence = "LIMIT -1 OFFSET 0"

    def param(self, name: str) -> str:
        return f":{name}"

    def mod(self, a: str, b: int) -> str:
        return f"(({a}) % {b})"

    def hex_words(self, words: Sequence[str]) -> str:
        return f"printf('{'%08x' * len(words)}', {', '.join(words)})"

    def decimal(self, expr: str, width: int, before: str, after: str) -> str:
        return f"printf('{before}%0{width}d{after}', {expr})"

    def series(self, lo: int, hi: int) -> str:
        return (
            f"(WITH RECURSIVE s(i) AS (SELECT {lo} UNION ALL "
            f"SELECT i + 1 FROM s WHERE i < {hi - 1}) SELECT i FROM s) AS c"
        )

    def packed(
        self, name: str, index: str, width: int, stride: int, offset: int = 0
    ) -> str:
        # A blob, so that substr counts bytes (a text's substr walks from its start).
        start = f"({index}) * {stride} + {offset + 1}"
        return f"CAST(substr({self.param(name)}, {start}, {width}) AS TEXT)"


class _PostgreSQL(_Dialect):
    false = "false"
    integer = "bigint"
    fence = "OFFSET 0"

    def param(self, name: str) -> str:
        return f"%({name})b"  # bytes sent as they are, not hex-encoded

    def mod(self, a: str, b: int) -> str:
        return f"mod({a}, {b})"  # '%' would be a placeholder to the driver

    def hex_words(self, words: Sequence[str]) -> str:
        # Two words to a bigint (to_hex writes a negative one as 16 digits too).
        pairs = [
            f"({hi}) << 32 | ({lo})" for hi, lo in zip(*[iter(words)] * 2, strict=True)
        ]
        return self.cat(*(f"lpad(to_hex({p}), 16, '0')" for p in pairs))

    def decimal(self, expr: str, width: int, before: str, after: str) -> str:
        return self.cat(
            _lit(before), f"lpad(({expr})::text, {width}, '0')", _lit(after)
        )

    def cat(self, *parts: str) -> str:
        return f"concat({', '.join(parts)})"  # one text built, not one per operator

    def series(self, lo: int, hi: int) -> str:
        return f"generate_series({lo}::bigint, {hi - 1}::bigint) AS c(i)"

    def packed(
        self, name: str, index: str, width: int, stride: int, offset: int = 0
    ) -> str:
        start = f"(({index}) * {stride} + {offset + 1})::integer"
        return f"convert_from(substr({self.param(name)}, {start}, {width}), 'UTF8')"


Statement = tuple[str, dict[str, Any]]
# A batch: how many accounts it completes, and what makes its statements (called
# where they run, which is where the hashing happens).
Batch = tuple[int, Callable[[], list[Statement]]]

# Bytes per record of the packed group order: a group id and an account number.
GROUP_RECORD = 40


class _Rows:
    """The statements that generate the rows of a range of accounts, in one dialect."""

    def __init__(self, dialect: _Dialect, data: Dataset, hasher: Hasher) -> None:
        cat = catalogue()
        self.sql = dialect
        self.data = data
        self.hash = hasher
        # The global orders, made on first use by whoever fills those tables (a
        # forked process, or one of several threads for PostgreSQL).
        self._lock = threading.Lock()
        self._groups: bytes | None = None
        self.asr = cat.group("Account Settings Read").id
        self.tokens_write = cat.group("API Tokens Write", USER_SCOPE).id
        read_only = next(r for r in cat.roles if r.name == "Administrator Read Only")
        billing = next(r for r in cat.roles if r.name == "Billing")
        self.roles = tuple(f'["{r}"]' for r in (SUPER_ADMIN, read_only.id, billing.id))
        probe = data.account_id(0)
        if _group_ids([probe]) != [account_resource_group_id(probe)]:
            raise RuntimeError("the resource group ids disagree with the seed loader")

    # -- expressions ------------------------------------------------------------------
    def _account(self, i: str) -> str:
        return self.sql.ordered(i, self.data.n, 1)

    def _user(self, i: str) -> str:
        return self.sql.ordered(i, self.data.user_count, 2)

    def _email(self, i: str) -> str:
        return self.sql.decimal(i, 8, "user", "@bench.example")

    def _with_account(self, source: str, *extra: str) -> str:
        """``source`` (rows with an account number ``i``) with the account's id as
        ``aid`` and ``extra`` columns, each computed once per row."""
        cols = ", ".join(("*", f"{self._account('i')} AS aid", *extra))
        return f"(SELECT {cols} FROM {source} {self.sql.fence}) AS g"

    @staticmethod
    def _insert(table: str, values: dict[str, str], source: str) -> str:
        assert tuple(values) == dict(TABLES)[table], table
        return (
            f"INSERT INTO {table} ({', '.join(values)}) "
            f"SELECT {', '.join(values.values())} FROM {source}"
        )

    # -- statements -------------------------------------------------------------------
    def users(self, lo: int, hi: int) -> Statement:
        """Users [lo, hi): owners below n, the wide users above."""
        f = self.sql.false
        values = {
            "id": self._user("i"),
            "email": self._email("i"),
            "api_key_hash": self.sql.packed("keys", f"i - {lo}", 64, 64),
            "tenant_admin": f,
            "two_factor_enabled": f,
            "suspended": f,
            "created_on": _lit(CREATED),
            "modified_on": _lit(CREATED),
        }
        keys = "".join(self.hash(_secrets("key", lo, hi))).encode()
        return self._insert("users", values, self.sql.series(lo, hi)), {"keys": keys}

    def accounts(self, lo: int, hi: int) -> Statement:
        values = {
            "id": self._account("i"),
            "name": self.sql.cat("'Bench Account '", "i"),
            "type": "'standard'",
            "created_on": _lit(CREATED),
            "managed_by": "NULL",
            "settings": _lit('{"enforce_twofactor":false}'),
        }
        return self._insert("accounts", values, self.sql.series(lo, hi)), {}

    def resource_groups(self, lo: int, hi: int) -> Statement:
        """Groups [lo, hi) in the order of their ids (``group_order``)."""
        values = {
            "id": self.sql.packed("groups", "r", 32, GROUP_RECORD),
            "account_id": "aid",
            "name": self.sql.cat("'com.cloudflare.api.account.'", "aid"),
            "scope": self.sql.cat(
                _lit('{"key":"com.cloudflare.api.account.'),
                "aid",
                _lit('","objects":[{"key":"*"}]}'),
            ),
            "meta": _lit('{"editable":"false"}'),
        }
        records = self.group_order()[lo * GROUP_RECORD : hi * GROUP_RECORD]
        source = self._with_account(self._ranked("groups", hi - lo, GROUP_RECORD, 32))
        return self._insert("resource_groups", values, source), {"groups": records}

    def _ranked(self, name: str, count: int, stride: int, number_at: int) -> str:
        """Rows ``r`` (0 to count - 1) of a packed parameter of records, each with
        the account number ``i`` written at ``number_at`` in record ``r``."""
        number = self.sql.packed(name, "i", 8, stride, number_at)
        return (
            f"(SELECT i AS r, CAST({number} AS {self.sql.integer}) AS i "
            f"FROM {self.sql.series(0, count)} {self.sql.fence}) AS t"
        )

    def group_order(self) -> bytes:
        """Every resource group as a record (its id, then its account's number), in
        id order: inserted in that order, the primary key is only ever appended to,
        where ids in account order would land all over it."""
        with self._lock:
            if self._groups is None:
                ids = _ordered_range(0, self.data.n, self.data.n, 1)  # as _account
                records = [f"{g}{i:08d}" for i, g in enumerate(_group_ids(ids))]
                records.sort()
                self._groups = "".join(records).encode()
            return self._groups

    def members(self, lo: int, hi: int) -> Statement:
        d = self.data
        user = self.sql.mod("i + slot", d.n)
        values = {
            "id": self.sql.ordered("3 * i + slot", d.member_capacity, 3),
            "account_id": "aid",
            "user_id": self._user(user),
            "email": self._email(user),
            "status": "'accepted'",
            "roles": "roles",
            "policies": "NULL",
            "created_on": _lit(CREATED),
        }
        slots = " UNION ALL ".join(
            f"SELECT {slot} AS slot, {_lit(roles)} AS roles"
            for slot, roles in enumerate(self.roles)
        )
        accounts = self._with_account(self.sql.series(lo, hi))
        return self._insert(
            "members", values, f"{accounts} CROSS JOIN ({slots}) AS r"
        ), {}

    def wide_members(self) -> Statement:
        """Member ``i`` is wide user ``i // span`` in account ``i mod n``."""
        d = self.data
        user = f"{d.n} + i / {d.wide_span}"
        values = {
            "id": self.sql.ordered(f"{3 * d.n} + i", d.member_capacity, 3),
            "account_id": self._account(self.sql.mod("i", d.n)),
            "user_id": self._user(user),
            "email": self._email(user),
            "status": "'accepted'",
            "roles": _lit(self.roles[1]),
            "policies": "NULL",
            "created_on": _lit(CREATED),
        }
        source = self.sql.series(0, d.wide_users * d.wide_span)
        return self._insert("members", values, source), {}

    def _policy(self, pid: str, resource: str, who: str, group: str) -> list[str]:
        """One stored policy, in the canonical JSON the server writes."""
        return [
            _lit('{"id":"'),
            "substr(aid, 1, 30)",
            _lit(pid + '","effect":"allow","resources":{"' + resource),
            who,
            _lit('":"*"},"permission_groups":[{"id":"' + group + '"}]}'),
        ]

    def tokens(self, kind: int, lo: int, hi: int) -> Statement:
        """The user tokens (kind 0) or account tokens (1) of accounts [lo, hi), in
        the order of their hashes, which their ids follow: both unique indexes are
        then filled in ascending runs instead of at random places. (One order over
        all the tokens would make those runs longer, but the account and user
        indexes, sorted afterwards, then cost more than it saves.)"""
        d = self.data
        hashes = self.hash(_secrets(("utoken", "atoken")[kind], lo, hi))
        # Records of 72 bytes, the hash then the account number, in hash order.
        records = [f"{h}{i:08d}" for i, h in enumerate(hashes, lo)]
        records.sort()
        packed = "".join(records).encode()
        ranked = self._ranked("secrets", hi - lo, 72, 64)
        account = "com.cloudflare.api.account."
        if kind == 0:
            source = self._with_account(ranked, f"{self._user('i')} AS uid")
            policies = self.sql.cat(
                "'['",
                *self._policy("a0", account, "aid", self.asr),
                "','",
                *self._policy("a1", USER_SCOPE + ".", "uid", self.tokens_write),
                "']'",
            )
            user, owner, creator = "uid", "NULL", self._email("i")
        else:
            source = self._with_account(ranked)
            policies = self.sql.cat(
                "'['", *self._policy("b0", account, "aid", self.asr), "']'"
            )
            user, owner, creator = "NULL", "aid", "NULL"
        first = 2 * lo + kind * (hi - lo)
        values = {
            "id": self.sql.ordered(f"{first} + r", 2 * d.n, 4),
            "kind": ("'user'", "'account'")[kind],
            "user_id": user,
            "account_id": owner,
            "name": _lit(("bench user token", "bench account token")[kind]),
            "status": "'active'",
            "value_hash": self.sql.packed("secrets", "r", 64, 72),
            "issued_on": _lit(CREATED),
            "modified_on": _lit(CREATED),
            "last_used_on": "NULL",
            "not_before": "NULL",
            "expires_on": "NULL",
            "policies": policies,
            "condition": "NULL",
            "creator_email": creator,
        }
        return self._insert("tokens", values, source), {"secrets": packed}

    # -- by table ---------------------------------------------------------------------
    def batches(self, table: str, chunk: int) -> list[Batch]:
        """How ``table`` is filled: ``chunk`` accounts at a time (for resource
        groups, ``chunk`` places of their id order)."""
        d = self.data
        make: dict[str, Callable[[int, int], list[Statement]]] = {
            "users": lambda lo, hi: [self.users(lo, hi)],
            "accounts": lambda lo, hi: [self.accounts(lo, hi)],
            "resource_groups": lambda lo, hi: [self.resource_groups(lo, hi)],
            "members": lambda lo, hi: [self.members(lo, hi)],
            "tokens": lambda lo, hi: [self.tokens(0, lo, hi), self.tokens(1, lo, hi)],
        }
        out: list[Batch] = []
        for lo in range(0, d.n, chunk):
            hi = min(lo + chunk, d.n)
            out.append((hi - lo, functools.partial(make[table], lo, hi)))
        if table == "users":
            out.append((0, lambda: [self.users(d.n, d.user_count)]))
        elif table == "members":
            out.append((0, lambda: [self.wide_members()]))
        return out


class _Progress:
    """The progress bar, in accounts. Worker threads and forked worker processes
    add to a shared count (a table's batch adds its share of the rows of its
    accounts); the bar shows it when the loading process looks."""

    def __init__(self, data: Dataset, label: str, enabled: bool) -> None:
        self.bar = _bar(data.n, label, enabled)
        self.done = multiprocessing.get_context("fork").Value("d", 0.0)
        self.shown = 0.0
        self.owner = os.getpid()
        self.share = {table: _PER_ACCOUNT[table] / 8 for table in TABLE_NAMES}

    def advance(self, table: str, accounts: int) -> None:
        with self.done.get_lock():
            self.done.value += accounts * self.share[table]
        if os.getpid() == self.owner:
            self.show()

    def show(self) -> None:
        if self.bar is not None:
            done = self.done.value
            self.bar.update(done - self.shown)
            self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _bar(total: int, label: str, enabled: bool) -> Any:
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
    hasher = fast_hasher(SecretHasher(key), key)
    started = time.perf_counter()
    bar = _Progress(data, label, progress)
    if db.is_sqlite:
        _load_sqlite(db, _Rows(_SQLite(), data, hasher), bar)
    else:
        _load_postgresql(db, _Rows(_PostgreSQL(), data, hasher), bar)
    seconds = time.perf_counter() - started
    bar.close()
    return LoadResult(data.n, sum(data.row_counts().values()), seconds)


# -- SQLite ----------------------------------------------------------------------------
# Each part is built, indexes included, in a private in-memory database by one of
# ``SQLITE_WORKERS`` forked processes, which then copies it into the file while the
# others go on building (SQLite's own lock takes the copies in turn). Processes, not
# threads: hashing secrets needs the interpreter lock, and the standard library's
# SQLite serializes threads. The largest parts come first, the small ones fill in.
SQLITE_PARTS: tuple[tuple[str, ...], ...] = (
    ("tokens",),
    ("members",),
    ("resource_groups",),
    ("users",),
    ("accounts",),
)
SQLITE_WORKERS = 2
_FAST = (
    # A bench database is thrown away on failure, so durability is not needed while
    # it is filled: no journal, no fsync, a large page cache, sorts in memory.
    "PRAGMA {schema}journal_mode=OFF",
    "PRAGMA {schema}synchronous=OFF",
    "PRAGMA {schema}cache_size=-500000",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA foreign_keys=OFF",
    "PRAGMA busy_timeout=600000",  # a copy waits for the one before it
)


def _sqlite_open(target: str) -> Any:
    """An autocommit connection, with APSW when it is installed: its SQLite runs
    statements on several threads at once, where the standard library's (as Debian
    builds it) takes about as long for two threads as for one after the other."""
    if apsw is not None:
        conn = apsw.Connection(target)
    else:
        conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
    _sqlite_fast(conn, "")
    return conn


def _sqlite_fast(conn: Any, schema: str) -> None:
    for pragma in _FAST:
        _run(conn, pragma.format(schema=schema))


def _run(conn: Any, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    """Run one statement to its end (an unfinished one would keep its transaction)."""
    cursor = conn.execute(sql, params) if params else conn.execute(sql)
    return list(cursor)


def _sqlite_part(
    path: str,
    schema: dict[str, tuple[str, list[str]]],
    rows: _Rows,
    tables: Sequence[str],
    bar: _Progress,
) -> None:
    """Build ``tables`` in memory, then copy them into the (empty) tables of the file:
    same definitions and indexes, so SQLite copies rows and index entries as they
    are, without checking or sorting anything again."""
    conn = _sqlite_open(":memory:")
    try:
        _run(conn, "BEGIN")
        for table in tables:
            _run(conn, schema[table][0])
            for accounts, make in rows.batches(table, CHUNK):
                for sql, params in make():
                    _run(conn, sql, params)
                bar.advance(table, accounts)
            # Plain indexes after the rows: a sort instead of a page split per row.
            for sql in schema[table][1]:
                _run(conn, sql)
        _run(conn, "COMMIT")
        _run(conn, "ATTACH DATABASE :path AS dest", {"path": path})
        _sqlite_fast(conn, "dest.")
        _run(conn, "BEGIN IMMEDIATE")
        for table in tables:
            _run(conn, f"INSERT INTO dest.{table} SELECT * FROM main.{table}")
        _run(conn, "COMMIT")
    finally:
        conn.close()


def _sqlite_worker(
    path: str,
    schema: dict[str, tuple[str, list[str]]],
    rows: _Rows,
    parts: Any,
    failures: Any,
    bar: _Progress,
) -> None:
    """A forked process: build and copy parts until there are none left."""
    try:
        while (tables := parts.get()) is not None:
            _sqlite_part(path, schema, rows, tables, bar)
    except BaseException:
        failures.put(traceback.format_exc())
        raise


def _sqlite_schema(path: str) -> dict[str, tuple[str, list[str]]]:
    """Each table's definition and its plain indexes (those that back a constraint
    come with the table)."""
    conn = _sqlite_open(path)
    try:
        schema: dict[str, tuple[str, list[str]]] = {}
        for kind, table, sql in _run(
            conn,
            "SELECT type, tbl_name, sql FROM sqlite_master "
            "WHERE sql IS NOT NULL ORDER BY rowid",
        ):
            if table in TABLE_NAMES:
                if kind == "table":
                    schema[table] = (sql, [])
                elif kind == "index":
                    schema[table][1].append(sql)
        return schema
    finally:
        conn.close()


def _load_sqlite(db: Database, rows: _Rows, bar: _Progress) -> None:
    path = db.url.database
    assert path
    db.dispose()
    schema = _sqlite_schema(path)
    # No connection is open across the fork: each process makes its own.
    ctx = multiprocessing.get_context("fork")
    parts, failures = ctx.SimpleQueue(), ctx.SimpleQueue()
    for tables in (*SQLITE_PARTS, *[None] * SQLITE_WORKERS):
        parts.put(tables)
    workers = [
        ctx.Process(
            target=_sqlite_worker,
            args=(path, schema, rows, parts, failures, bar),
            daemon=True,
        )
        for _ in range(SQLITE_WORKERS)
    ]
    for worker in workers:
        worker.start()
    try:
        for worker in workers:
            while worker.is_alive():
                worker.join(0.1)
                bar.show()
            if worker.exitcode != 0:
                why = failures.get() if not failures.empty() else ""
                raise RuntimeError(f"a bench loader process failed:\n{why}")
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
                worker.join()
    bar.show()
    conn = _sqlite_open(path)
    try:
        _run(conn, "PRAGMA journal_mode=WAL")
        # Statistics for the query planner, from a sample of each index.
        _run(conn, "PRAGMA analysis_limit=1000")
        _run(conn, "ANALYZE")
    finally:
        conn.close()


# -- PostgreSQL ------------------------------------------------------------------------
# The parts are filled on ``POSTGRESQL_WORKERS`` connections at once, each server
# process generating its own rows. Keys, unique constraints and indexes are dropped
# first and built again afterwards (a sort each, instead of an index update per row),
# foreign keys last (one join each, instead of a lookup per row).
POSTGRESQL_WORKERS = 3
_PG_SESSION = (
    "SET statement_timeout = 0",  # the server's bound is for requests, not bulk loads
    "SET synchronous_commit = off",
    "SET maintenance_work_mem = '256MB'",
)


@dataclass
class _PgSchema:
    """What is dropped for the load: (table, name, definition) triples."""

    keys: list[tuple[str, str, str]]  # primary keys and unique constraints
    foreign: list[tuple[str, str, str]]  # foreign keys on or to the tables
    indexes: list[tuple[str, str, str]]  # the others (definition: CREATE INDEX ...)

    @classmethod
    def read(cls, conn: Any) -> _PgSchema:
        tables = list(TABLE_NAMES)
        constraints = conn.execute(
            "SELECT conrelid::regclass::text, quote_ident(conname), contype, "
            "pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('p', 'u', 'f') AND (conrelid::regclass::text = ANY(%s) "
            "OR confrelid::regclass::text = ANY(%s))",
            (tables, tables),
        ).fetchall()
        indexes = conn.execute(
            "SELECT indrelid::regclass::text, indexrelid::regclass::text, "
            "pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid::regclass::text = ANY(%s) AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
            "AND c.contype IN ('p', 'u'))",
            (tables,),
        ).fetchall()
        return cls(
            keys=[(t, n, d) for t, n, kind, d in constraints if kind != "f"],
            foreign=[(t, n, d) for t, n, kind, d in constraints if kind == "f"],
            indexes=[tuple(row) for row in indexes],
        )

    def drop(self, conn: Any) -> None:
        with conn.transaction():
            for table, name, _ in self.foreign + self.keys:
                conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            for _, name, _ in self.indexes:
                conn.execute(f"DROP INDEX {name}")

    def restore(self, conn: Any, table: str) -> None:
        """The keys and indexes of one table (its foreign keys wait for the others)."""
        for t, name, definition in self.keys:
            if t == table:
                conn.execute(f"ALTER TABLE {t} ADD CONSTRAINT {name} {definition}")
        for t, _, definition in self.indexes:
            if t == table:
                conn.execute(definition)

    def restore_foreign(self, conn: Any) -> None:
        with conn.transaction():
            for table, name, definition in self.foreign:
                conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


class _PgConnections:
    """One connection per worker thread, made on first use, all closed at the end."""

    def __init__(self, db: Database) -> None:
        self.url = db.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        self.local = threading.local()
        self.made: list[Any] = []
        self.lock = threading.Lock()

    def get(self) -> Any:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            import psycopg

            conn = psycopg.connect(self.url, autocommit=True)
            for setting in _PG_SESSION:
                conn.execute(setting)
            self.local.conn = conn
            with self.lock:
                self.made.append(conn)
        return conn

    def close(self) -> None:
        for conn in self.made:
            conn.close()


def _pg_batch(conns: _PgConnections, table: str, batch: Batch, bar: _Progress) -> None:
    accounts, make = batch
    conn = conns.get()
    for sql, params in make():
        conn.execute(sql, params)
    bar.advance(table, accounts)


def _pg_finish(
    conns: _PgConnections, schema: _PgSchema, table: str, loading: list[Future[None]]
) -> None:
    """Once every batch of ``table`` is in: its keys, its indexes, its statistics."""
    for batch in loading:
        batch.result()
    conn = conns.get()
    schema.restore(conn, table)
    conn.execute(f"ANALYZE {table}")


def _load_postgresql(db: Database, rows: _Rows, bar: _Progress) -> None:
    conns = _PgConnections(db)
    try:
        conn = conns.get()
        schema = _PgSchema.read(conn)
        schema.drop(conn)
        # Every batch of every table is a job of its own, largest tables first; a
        # table's keys and indexes are built as soon as its rows are in (the jobs
        # run in order, so its batches have all started by then).
        tables = [table for part in SQLITE_PARTS for table in part]
        with ThreadPoolExecutor(POSTGRESQL_WORKERS) as pool:
            loading = {
                table: [
                    pool.submit(_pg_batch, conns, table, batch, bar)
                    for batch in rows.batches(table, CHUNK)
                ]
                for table in tables
            }
            finishing = [
                pool.submit(_pg_finish, conns, schema, table, loading[table])
                for table in tables
            ]
            for done in finishing:
                done.result()
        schema.restore_foreign(conn)
    finally:
        conns.close()
