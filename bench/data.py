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

Each table is filled by ``INSERT ... SELECT`` statements over a range of accounts.
Python computes the fixed-width values of a statement's rows in bulk (``bench.fields``:
ids, hashes of the secrets with the database's own key exactly as ``SecretHasher``
makes them, resource group ids; all checked) and sends them packed in one parameter;
the statement slices them out and writes the rest (e-mail addresses, names, JSON)
around them. Not a row is built or sent one at a time.

SQLite: two processes fill the tables at once. One fills members, accounts and users
in place, in the database file. The other builds tokens and resource groups in a file
of its own; their pages are then placed after the database file's own and the tables
registered in its schema (see "SQLite" below). No journal and no fsync while loading;
WAL afterwards, as the server expects, and statistics for the query planner.
PostgreSQL: the tables are filled on several connections at once, with their indexes
and constraints dropped first and built again (by sorting) afterwards.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import mmap
import multiprocessing
import os
import queue
import re
import shutil
import sqlite3
import struct
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cfaccounts.auth.secrets import SecretHasher
from cfaccounts.catalog import USER_SCOPE, catalogue
from cfaccounts.seeding.load import account_resource_group_id
from cfaccounts.storage import migrate
from cfaccounts.storage import schema as s
from cfaccounts.storage.database import Database

from .fields import Fields, Hasher, check, fields, ordered_range, secrets

try:
    import apsw
except ImportError:  # the standard library's driver: the same load, slower
    apsw = None
try:
    import numpy as np
except ImportError:  # page numbers are moved one at a time: the same, slower
    np = None

WIDE_USERS = 100
WIDE_SPAN = 60
CHUNK = 50_000  # accounts per statement
CREATED = "2024-01-02T03:04:05.000000Z"
MAX_ACCOUNTS = 100_000_000  # ids need capacity < 2**32, e-mails 8 digits

SUPER_ADMIN = "33666b9c79b9a5273fc7344ff42f953d"


def _ordered(i: int, capacity: int, salt: int) -> str:
    return ordered_range(i, i + 1, capacity, salt)[0]


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
        return secrets("key", i, i + 1)[0].decode()

    @staticmethod
    def user_token(i: int) -> str:
        return secrets("utoken", i, i + 1)[0].decode()

    @staticmethod
    def account_token(i: int) -> str:
        return secrets("atoken", i, i + 1)[0].decode()

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


try:  # CPython's own SHA-256: a copy of its state costs less than OpenSSL's
    from _sha2 import sha256 as _sha256
except ImportError:  # Python 3.11
    try:
        from _sha256 import sha256 as _sha256
    except ImportError:
        _sha256 = hashlib.sha256


def fast_hasher(hasher: SecretHasher, key: bytes) -> Hasher:
    """HMAC-SHA256 of many secrets at once (raw digests), with the key's pads hashed
    once: the same as ``hasher.hash`` (checked here) at a third of the cost, which
    matters when millions of secrets are hashed."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    inner = _sha256(bytes(b ^ 0x36 for b in block))
    outer = _sha256(bytes(b ^ 0x5C for b in block))

    def digests(secrets: Iterable[Any]) -> list[bytes]:
        start_inner, start_outer = inner.copy, outer.copy
        out: list[bytes] = []
        add = out.append
        for secret in secrets:
            i = start_inner()
            i.update(secret)
            o = start_outer()
            o.update(i.digest())
            add(o.digest())
        return out

    probes = ["cfut_" + "a" * 40, "0123456789abcdef0123456789abcdef"]
    got = [d.hex() for d in digests(p.encode() for p in probes)]
    if got != [hasher.hash(p) for p in probes]:
        raise RuntimeError("the fast hasher disagrees with SecretHasher")
    return digests


# -- SQL that generates rows -----------------------------------------------------------
def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Dialect:
    """What differs between SQLite and PostgreSQL in the generating statements."""

    false: str

    def param(self, name: str) -> str:
        raise NotImplementedError

    def mod(self, a: str, b: int) -> str:
        raise NotImplementedError

    def decimal(self, expr: str, width: int, before: str, after: str) -> str:
        """A number in decimal with leading zeros, between two constant texts."""
        raise NotImplementedError

    def rows(self, count: int) -> str:
        """A FROM item ``c`` with one column ``r`` running over [0, count)."""
        raise NotImplementedError

    def packed(
        self, name: str, index: str, width: int, stride: int, offset: int
    ) -> str:
        """Text ``width`` characters long at ``offset`` in the ``index``-th record
        of ``stride`` bytes of a packed bytes parameter."""
        raise NotImplementedError

    def cat(self, *parts: str) -> str:
        return "(" + " || ".join(parts) + ")"

    def fmt(self, template: str, *args: str) -> str:
        """``template`` with each ``%s`` replaced by the value of an expression."""
        texts = template.split("%s")
        assert len(texts) == len(args) + 1, template
        parts = [_lit(texts[0])]
        for arg, text in zip(args, texts[1:], strict=True):
            parts += [arg, _lit(text)]
        return self.cat(*parts)

    def setup(self) -> list[str]:
        """Statements a connection runs once before it generates rows."""
        return []


class _SQLite(_Dialect):
    false = "0"

    def param(self, name: str) -> str:
        return f":{name}"

    def mod(self, a: str, b: int) -> str:
        return f"(({a}) % {b})"

    def decimal(self, expr: str, width: int, before: str, after: str) -> str:
        return f"printf('{before}%0{width}d{after}', {expr})"

    def fmt(self, template: str, *args: str) -> str:
        # One printf builds the text at once, where each || would copy it again.
        assert "%" not in template.replace("%s", ""), template
        return f"printf({_lit(template)}, {', '.join(args)})"

    def setup(self) -> list[str]:
        # The numbers the statements count with, read from a table: a quarter of
        # what a recursive common table expression spends making them.
        return [
            "CREATE TEMP TABLE IF NOT EXISTS numbers (n INTEGER PRIMARY KEY)",
            "INSERT OR IGNORE INTO temp.numbers WITH RECURSIVE s(n) AS (SELECT 0 "
            f"UNION ALL SELECT n + 1 FROM s WHERE n < {SERIES - 1}) SELECT n FROM s",
        ]

    def rows(self, count: int) -> str:
        assert count <= SERIES, count
        return f"(SELECT n AS r FROM temp.numbers WHERE n < {count}) AS c"

    def packed(
        self, name: str, index: str, width: int, stride: int, offset: int
    ) -> str:
        # A blob, so that substr counts bytes (a text's substr walks from its start).
        start = f"({index}) * {stride} + {offset + 1}"
        return f"CAST(substr({self.param(name)}, {start}, {width}) AS TEXT)"


class _PostgreSQL(_Dialect):
    false = "false"

    def param(self, name: str) -> str:
        return f"%({name})b"  # bytes sent as they are, not hex-encoded

    def mod(self, a: str, b: int) -> str:
        return f"mod({a}, {b})"  # '%' would be a placeholder to the driver

    def decimal(self, expr: str, width: int, before: str, after: str) -> str:
        return self.cat(
            _lit(before), f"lpad(({expr})::text, {width}, '0')", _lit(after)
        )

    def cat(self, *parts: str) -> str:
        return f"concat({', '.join(parts)})"  # one text built, not one per operator

    def rows(self, count: int) -> str:
        return f"generate_series(0::bigint, {count - 1}::bigint) AS c(r)"

    def packed(
        self, name: str, index: str, width: int, stride: int, offset: int
    ) -> str:
        start = f"(({index}) * {stride} + {offset + 1})::integer"
        return f"convert_from(substr({self.param(name)}, {start}, {width}), 'UTF8')"


Statement = tuple[str, dict[str, Any]]
# A batch: how many accounts it completes, and what makes its statements (called
# where they run, which is where the hashing happens).
Batch = tuple[float, Callable[[], list[Statement]]]

SERIES = 3 * CHUNK  # the most rows a statement makes (members: three per account)
GROUP_SUFFIX = b"/account-resource-group"  # see account_resource_group_id


class _Record:
    """The layout of the records of a packed parameter: named fields side by side;
    ``field`` is the SQL for a field of record ``index``."""

    def __init__(self, sql: _Dialect, name: str, *fields: tuple[str, int]) -> None:
        self.sql, self.name = sql, name
        self.offsets: dict[str, tuple[int, int]] = {}
        self.stride = 0
        for field, width in fields:
            self.offsets[field] = (self.stride, width)
            self.stride += width

    def field(self, field: str, index: str = "r", width: int = 0) -> str:
        offset, full = self.offsets[field]
        return self.sql.packed(self.name, index, width or full, self.stride, offset)


class _Rows:
    """The statements that generate the rows of a range of accounts, in one dialect.

    Python computes the fixed-width values (ids, hashes) of a statement's rows in bulk
    (``fields``) and sends them packed in one parameter; the statement slices them
    out and writes the rest (e-mail addresses, JSON, constants) around them. Every
    table is filled in account order (tokens: the user tokens, then the account
    tokens), so that ids, which grow with their index, arrive in ascending order."""

    def __init__(
        self, dialect: _Dialect, data: Dataset, hasher: Hasher, fields: Fields
    ) -> None:
        cat = catalogue()
        self.sql = dialect
        self.data = data
        self.hash = hasher
        self.f = fields
        # Values of whole tables (all the tokens' hashes...), made on first use by
        # whoever fills the table (a forked process, or one of several threads).
        self._lock = threading.RLock()  # one value may need another
        self._made: dict[str, Any] = {}
        self.asr = cat.group("Account Settings Read").id
        self.tokens_write = cat.group("API Tokens Write", USER_SCOPE).id
        read_only = next(r for r in cat.roles if r.name == "Administrator Read Only")
        billing = next(r for r in cat.roles if r.name == "Billing")
        self.roles = tuple(f'["{r}"]' for r in (SUPER_ADMIN, read_only.id, billing.id))
        probe = fields.blake(fields.ids(0, 1, data.n, 1), GROUP_SUFFIX, 16)
        if fields.pack(fields.hex(probe)).decode() != account_resource_group_id(
            data.account_id(0)
        ):
            raise RuntimeError("the resource group ids disagree with the seed loader")

    def _once(self, name: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._made:
                self._made[name] = make()
            return self._made[name]

    def account_ids(self) -> Any:
        """Every account's id, in account order."""
        n = self.data.n
        return self._once("accounts", lambda: self.f.ids(0, n, n, 1))

    def owner_ids(self) -> Any:
        """Every account owner's user id, in account order."""
        d = self.data
        return self._once("owners", lambda: self.f.ids(0, d.n, d.user_count, 2))

    def group_ids(self) -> Any:
        """Every account's resource group id (raw, 16 bytes: the seed loader's
        ``account_resource_group_id``, checked above), in account order."""
        return self._once(
            "groups", lambda: self.f.blake(self.account_ids(), GROUP_SUFFIX, 16)
        )

    def token_hashes(self, kind: int) -> Any:
        """The hashes (raw, 32 bytes) of the tokens of one kind (0 user, 1 account),
        in account order."""
        name = ("utoken", "atoken")[kind]
        n = self.data.n
        return self._once(name, lambda: self.f.digests(self.hash, name, 0, n))

    def _email(self, i: str) -> str:
        return self.sql.decimal(i, 8, "user", "@bench.example")

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
        f = self.f
        rec = _Record(self.sql, "rows", ("id", 32), ("key", 64))
        rows = f.pack(
            f.ids(lo, hi, self.data.user_count, 2),
            f.hex(f.digests(self.hash, "key", lo, hi)),
        )
        false = self.sql.false
        values = {
            "id": rec.field("id"),
            "email": self._email(f"{lo} + r"),
            "api_key_hash": rec.field("key"),
            "tenant_admin": false,
            "two_factor_enabled": false,
            "suspended": false,
            "created_on": _lit(CREATED),
            "modified_on": _lit(CREATED),
        }
        sql = self._insert("users", values, self.sql.rows(hi - lo))
        return sql, {"rows": rows}

    def accounts(self, lo: int, hi: int) -> Statement:
        rec = _Record(self.sql, "rows", ("id", 32))
        values = {
            "id": rec.field("id"),
            "name": self.sql.cat("'Bench Account '", f"({lo} + r)"),
            "type": "'standard'",
            "created_on": _lit(CREATED),
            "managed_by": "NULL",
            "settings": _lit('{"enforce_twofactor":false}'),
        }
        rows = self.f.pack(self.f.ids(lo, hi, self.data.n, 1))
        sql = self._insert("accounts", values, self.sql.rows(hi - lo))
        return sql, {"rows": rows}

    def resource_groups(self, lo: int, hi: int) -> Statement:
        """The groups of accounts [lo, hi)."""
        f = self.f
        accounts = self.account_ids()[lo:hi]
        groups = f.hex(self.group_ids()[lo:hi])
        rec = _Record(self.sql, "rows", ("id", 32), ("account", 32))
        account = rec.field("account")
        values = {
            "id": rec.field("id"),
            "account_id": account,
            "name": self.sql.fmt("com.cloudflare.api.account.%s", account),
            "scope": self.sql.fmt(
                '{"key":"com.cloudflare.api.account.%s","objects":[{"key":"*"}]}',
                account,
            ),
            "meta": _lit('{"editable":"false"}'),
        }
        rows = f.pack(groups, accounts)
        sql = self._insert("resource_groups", values, self.sql.rows(hi - lo))
        return sql, {"rows": rows}

    def members(self, lo: int, hi: int) -> Statement:
        """The members of accounts [lo, hi): row r is slot r mod 3 (0 owner) of
        account lo + r / 3, user lo + r / 3 + r mod 3 (mod n)."""
        d, f = self.data, self.f
        slot = self.sql.mod("r", 3)
        user = f"r / 3 + {slot}"
        members = _Record(self.sql, "members", ("id", 32))
        accounts = _Record(self.sql, "accounts", ("id", 32))
        users = _Record(self.sql, "users", ("id", 32))
        roles = " ".join(f"WHEN {k} THEN {_lit(r)}" for k, r in enumerate(self.roles))
        values = {
            "id": members.field("id"),
            "account_id": accounts.field("id", "r / 3"),
            "user_id": users.field("id", user),
            "email": self._email(self.sql.mod(f"{lo} + {user}", d.n)),
            "status": "'accepted'",
            "roles": f"CASE {slot} {roles} END",
            "policies": "NULL",
            "created_on": _lit(CREATED),
        }
        params = {
            "members": f.pack(f.ids(3 * lo, 3 * hi, d.member_capacity, 3)),
            "accounts": f.pack(f.ids(lo, hi, d.n, 1)),
            "users": f.pack(f.ids(lo, hi + 2, d.user_count, 2, d.n)),
        }
        return self._insert("members", values, self.sql.rows(3 * (hi - lo))), params

    def wide_members(self) -> Statement:
        """Member ``r`` is wide user ``r // span`` in account ``r mod n``."""
        d, f = self.data, self.f
        count = d.wide_users * d.wide_span
        members = _Record(self.sql, "members", ("id", 32))
        accounts = _Record(self.sql, "accounts", ("id", 32))
        users = _Record(self.sql, "users", ("id", 32))
        values = {
            "id": members.field("id"),
            "account_id": accounts.field("id"),
            "user_id": users.field("id", f"r / {d.wide_span}"),
            "email": self._email(f"{d.n} + r / {d.wide_span}"),
            "status": "'accepted'",
            "roles": _lit(self.roles[1]),
            "policies": "NULL",
            "created_on": _lit(CREATED),
        }
        first = 3 * d.n
        params = {
            "members": f.pack(f.ids(first, first + count, d.member_capacity, 3)),
            "accounts": f.pack(f.ids(0, count, d.n, 1, d.n)),
            "users": f.pack(f.ids(d.n, d.user_count, d.user_count, 2)),
        }
        return self._insert("members", values, self.sql.rows(count)), params

    @staticmethod
    def _policy(pid: str, resource: str, group: str) -> str:
        """One stored policy, in the canonical JSON the server writes, with ``%s``
        for its id's first 30 characters and for the id in ``resource``."""
        return (
            f'{{"id":"%s{pid}","effect":"allow","resources":{{"{resource}%s":"*"}},'
            f'"permission_groups":[{{"id":"{group}"}}]}}'
        )

    def tokens(self, kind: int, lo: int, hi: int) -> Statement:
        """The tokens of one kind (0 user, 1 account) of accounts [lo, hi)."""
        d, f = self.data, self.f
        first = kind * d.n + lo
        fields = [
            f.ids(first, first + hi - lo, 2 * d.n, 4),
            f.hex(self.token_hashes(kind)[lo:hi]),
            self.account_ids()[lo:hi],
        ]
        layout = [("id", 32), ("hash", 64), ("account", 32)]
        if kind == 0:
            fields.append(self.owner_ids()[lo:hi])
            layout.append(("user", 32))
        rec = _Record(self.sql, "rows", *layout)
        account, prefix = rec.field("account"), rec.field("account", width=30)
        scope = "com.cloudflare.api.account."
        if kind == 0:
            user = rec.field("user")
            policies = self.sql.fmt(
                "["
                + self._policy("a0", scope, self.asr)
                + ","
                + self._policy("a1", USER_SCOPE + ".", self.tokens_write)
                + "]",
                prefix,
                account,
                prefix,
                user,
            )
            owner, creator = "NULL", self._email(f"{lo} + r")
        else:
            policies = self.sql.fmt(
                "[" + self._policy("b0", scope, self.asr) + "]", prefix, account
            )
            user, owner, creator = "NULL", account, "NULL"
        values = {
            "id": rec.field("id"),
            "kind": ("'user'", "'account'")[kind],
            "user_id": user,
            "account_id": owner,
            "name": _lit(("bench user token", "bench account token")[kind]),
            "status": "'active'",
            "value_hash": rec.field("hash"),
            "issued_on": _lit(CREATED),
            "modified_on": _lit(CREATED),
            "last_used_on": "NULL",
            "not_before": "NULL",
            "expires_on": "NULL",
            "policies": policies,
            "condition": "NULL",
            "creator_email": creator,
        }
        sql = self._insert("tokens", values, self.sql.rows(hi - lo))
        return sql, {"rows": f.pack(*fields)}

    def sorted_keys(self, table: str, columns: tuple[str, ...]) -> tuple[Any, int]:
        """The keys of an index whose keys are random in the table's order (the
        rows' rowids follow that order from 1), and their width in hex."""
        f = self.f
        if (table, columns) == ("tokens", ("value_hash",)):  # user tokens first
            return f.concat(self.token_hashes(0), self.token_hashes(1)), 64
        if (table, columns) == ("resource_groups", ("id",)):
            return self.group_ids(), 32
        raise ValueError(f"no sorted keys for {table} {columns}")

    def index_entries(
        self, table: str, columns: tuple[str, ...], target: str, names: Sequence[str]
    ) -> list[Statement]:
        """Statements (SQLite's) that fill ``target`` (columns ``names``: the key,
        then the rowid) with the entries of an index of ``table``, in the index's
        order."""
        f = self.f
        keys, width = self.sorted_keys(table, columns)
        order = f.order(keys)
        rec = _Record(self.sql, "rows", ("key", width), ("rowid", 10))
        select = f"{rec.field('key')}, CAST({rec.field('rowid')} AS INTEGER)"
        out = []
        for lo in range(0, len(order), SERIES):
            part = order[lo : lo + SERIES]
            rows = f.pack(f.hex(f.take(keys, part)), f.numbers(part, 10, 1))
            sql = (
                f"INSERT INTO {target} ({', '.join(names)}) "
                f"SELECT {select} FROM {self.sql.rows(len(part))}"
            )
            out.append((sql, {"rows": rows}))
        return out

    # -- by table ---------------------------------------------------------------------
    def batches(self, table: str, chunk: int) -> list[Batch]:
        """How ``table`` is filled, ``chunk`` accounts at a time (tokens: all the user
        tokens, then all the account tokens, a batch of either being half the tokens
        of its accounts)."""
        d = self.data
        spans = [(lo, min(lo + chunk, d.n)) for lo in range(0, d.n, chunk)]
        if table == "tokens":
            return [
                ((hi - lo) / 2, functools.partial(self._one, self.tokens, kind, lo, hi))
                for kind in (0, 1)
                for lo, hi in spans
            ]
        make = getattr(self, table)
        out: list[Batch] = [
            (hi - lo, functools.partial(self._one, make, lo, hi)) for lo, hi in spans
        ]
        if table == "users":
            out.append((0, functools.partial(self._one, make, d.n, d.user_count)))
        elif table == "members":
            out.append((0, functools.partial(self._one, self.wide_members)))
        return out

    @staticmethod
    def _one(make: Callable[..., Statement], *args: int) -> list[Statement]:
        return [make(*args)]


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

    def advance(self, table: str, accounts: float) -> None:
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
    columns = fields()
    check(columns, hasher, [(data.n, 1), (data.user_count, 2), (2 * data.n, 4)])
    started = time.perf_counter()
    bar = _Progress(data, label, progress)
    if db.is_sqlite:
        _load_sqlite(db, _Rows(_SQLite(), data, hasher, columns), bar)
    else:
        _load_postgresql(db, _Rows(_PostgreSQL(), data, hasher, columns), bar)
    seconds = time.perf_counter() - started
    bar.close()
    return LoadResult(data.n, sum(data.row_counts().values()), seconds)


# -- SQLite ----------------------------------------------------------------------------
# Two forked processes fill the tables at once (processes, not threads: making the
# rows' values needs the interpreter lock). One fills its tables in place, in the
# database file. The other builds its tables in a file of their own with the same page
# size (in shared memory when there is room). Once the database file has all its own
# pages, those of the other file are placed after them, a table at a time as soon as
# it is built: copied as they are, each interior page's child page numbers moved to
# where its children went. The tables and their indexes are then registered in the
# file's schema with the page numbers of their roots. SQLite made every page; no row or
# index entry is copied or sorted again, and neither process waits for the other's
# lock. The load then reads every placed table and index through, counting its rows.
SQLITE_IN_PLACE = ("members", "accounts", "users")
SQLITE_APART = ("tokens", "resource_groups")
# Indexes filled as the rows come, in account order, cost least when their keys come
# in ascending order too (members' come nearly so). Those whose keys come in another
# order are made once the rows are in: accounts' names (sorted as text, 'Bench Account
# 10' before '2') by SQLite. Those whose keys are random, the tokens' hashes and the
# resource groups' ids, Python sorts: the index is written, in order, as a table
# WITHOUT ROWID of its entries (key, rowid), which is stored as the same b-tree.
SORTED_AFTER = {"accounts": {("name", "id")}}
FROM_SORTED_KEYS = {"tokens": {("value_hash",)}, "resource_groups": {("id",)}}
_FAST = (
    # A bench database is thrown away on failure, so durability is not needed while
    # it is filled: no journal, no fsync, sorts in memory. Tables and indexes are
    # appended to, so a modest page cache does: a large one costs more in fresh
    # memory than it saves.
    "PRAGMA journal_mode=OFF",
    "PRAGMA synchronous=OFF",
    "PRAGMA cache_size=-131072",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA foreign_keys=OFF",
)
# A table's constraints that come with an index of their own ("sqlite_autoindex_..."):
# the table is built apart without them, and each index made as its own b-tree.
_KEY_CONSTRAINT = re.compile(
    r",\s*CONSTRAINT\s+\w+\s+(?:PRIMARY\s+KEY|UNIQUE)\s*\([^)]*\)"
)
# SQLite leaves unused the page that holds this offset of a file (the "lock-byte
# page": page 262145 with 4 KiB pages), in the file apart as in the database file.
PENDING_BYTE = 0x40000000
PLACERS = 2  # threads placing pages


def _sqlite_open(target: str) -> Any:
    """An autocommit connection, with APSW when it is installed: its SQLite runs
    statements on several threads at once, where the standard library's (as Debian
    builds it) takes about as long for two threads as for one after the other."""
    conn: Any
    if apsw is not None:
        conn = apsw.Connection(target)
    else:
        conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
    for pragma in _FAST:
        _run(conn, pragma)
    return conn


def _run(conn: Any, sql: str, params: Any = None) -> list[Any]:
    """Run one statement to its end (an unfinished one would keep its transaction)."""
    cursor = conn.execute(sql, params) if params else conn.execute(sql)
    return list(cursor)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class _SqliteIndex:
    name: str  # "sqlite_autoindex_..." for a constraint's
    key: list[tuple[Any, ...]]  # its key columns: name, descending, collation
    sql: str | None  # its definition, None for a constraint's

    def apart(self, table: _SqliteTable) -> tuple[str, str]:
        """Its name in the file apart, and how it is made there."""
        own = "bench_" + self.name.removeprefix("sqlite_")
        columns = tuple(k[0] for k in self.key)
        if columns in FROM_SORTED_KEYS.get(table.name, set()):
            assert all(not desc and coll == "BINARY" for _, desc, coll in self.key)
            types = dict((c[0], c[1]) for c in table.columns)
            fields = ", ".join(f"{_quote(c)} {types[c]} NOT NULL" for c in columns)
            key = ", ".join([*map(_quote, columns), "rowid_"])
            return own, (
                f"CREATE TABLE {own} ({fields}, rowid_ INTEGER NOT NULL, "
                f"PRIMARY KEY ({key})) WITHOUT ROWID"
            )
        if self.sql is not None:
            return self.name, self.sql
        spec = ", ".join(
            f"{_quote(c)} COLLATE {coll}{' DESC' if desc else ''}"
            for c, desc, coll in self.key
        )
        return own, f"CREATE UNIQUE INDEX {own} ON {_quote(table.name)} ({spec})"


@dataclass
class _SqliteTable:
    name: str
    sql: str
    columns: list[tuple[Any, ...]]  # each column's name, type, NOT NULL, default
    indexes: list[_SqliteIndex]
    rows: list[tuple[Any, ...]]  # its schema rows, in order: type, name, table, sql

    @classmethod
    def read(cls, conn: Any, name: str) -> _SqliteTable:
        rows = [
            tuple(row)
            for row in _run(
                conn,
                "SELECT type, name, tbl_name, sql FROM sqlite_schema "
                "WHERE tbl_name = ? ORDER BY rowid",
                (name,),
            )
        ]
        kinds = [row[0] for row in rows]
        if kinds[:1] != ["table"] or set(kinds[1:]) - {"index"}:
            raise RuntimeError(f"bench loader: unexpected schema for {name}: {kinds}")
        unique = {row[1] for row in _run(conn, f"PRAGMA index_list({_quote(name)})")}
        indexes = []
        for _, index, _, sql in rows[1:]:
            assert sql is not None or index in unique, index
            info = _run(conn, f"PRAGMA index_xinfo({_quote(index)})")
            key = [(r[2], r[3], r[4]) for r in info if r[5]]  # name, desc, collation
            indexes.append(_SqliteIndex(index, key, sql))
        return cls(name, rows[0][3], _columns(conn, name), indexes, rows)

    def fill(self, conn: Any, rows: _Rows, bar: _Progress) -> None:
        for accounts, make in rows.batches(self.name, CHUNK):
            for sql, params in make():
                _run(conn, sql, params)
            bar.advance(self.name, accounts)

    def build_in_place(self, conn: Any, rows: _Rows, bar: _Progress) -> None:
        later = [
            index
            for index in self.indexes
            if tuple(k[0] for k in index.key) in SORTED_AFTER.get(self.name, set())
        ]
        for index in later:
            assert index.sql is not None, index.name
            _run(conn, f"DROP INDEX {_quote(index.name)}")
        self.fill(conn, rows, bar)
        for index in later:
            _run(conn, index.sql)

    def build_apart(self, conn: Any, rows: _Rows, bar: _Progress) -> dict[str, str]:
        """Build the table and its indexes in the file apart, the table without its
        keys' constraints; return the name there of each b-tree, by its name in the
        database file."""
        _run(conn, _KEY_CONSTRAINT.sub("", self.sql))
        keys = _run(conn, f"PRAGMA index_list({_quote(self.name)})")
        if keys or _columns(conn, self.name) != self.columns:
            raise RuntimeError(f"bench loader: {self.name} apart differs")
        names, sorted_keys = {self.name: self.name}, []
        for index in self.indexes:
            own, sql = index.apart(self)
            names[index.name] = own
            _run(conn, sql)
            if sql.startswith("CREATE TABLE"):
                sorted_keys.append((index, own))
        self.fill(conn, rows, bar)
        for index, own in sorted_keys:
            columns = tuple(k[0] for k in index.key)
            names_there = [*map(_quote, columns), "rowid_"]
            for sql, params in rows.index_entries(self.name, columns, own, names_there):
                _run(conn, sql, params)
            self._check_entries(conn, own, columns)
        return names

    def _check_entries(self, conn: Any, own: str, columns: tuple[str, ...]) -> None:
        """The entries written for an index name rows of the table that have their
        keys: the rows' rowids run from 1 in the order they were made, as assumed."""
        table = _quote(self.name)
        ((count, last),) = _run(conn, f"SELECT count(*), max(rowid) FROM {table}")
        if _run(conn, f"SELECT count(*) FROM {own}")[0][0] != count or last != count:
            raise RuntimeError(f"bench loader: the entries of {own} are not its rows")
        names = ", ".join(map(_quote, columns))
        match = " AND ".join(f"{_quote(c)} = ?" for c in columns)
        for rowid in {1, count // 2 + 1, count} if count else ():
            key = _run(conn, f"SELECT {names} FROM {table} WHERE rowid = ?", (rowid,))
            found = _run(conn, f"SELECT rowid_ FROM {own} WHERE {match}", key[0])
            if found != [(rowid,)]:
                raise RuntimeError(f"bench loader: {own} names the wrong rows")


def _columns(conn: Any, table: str) -> list[tuple[Any, ...]]:
    info = _run(conn, f"PRAGMA table_xinfo({_quote(table)})")
    return [(r[1], r[2], r[3], r[4]) for r in info]  # name, type, notnull, default


def _in_place(
    path: str,
    tables: list[_SqliteTable],
    rows: _Rows,
    bar: _Progress,
    report: Callable[[Any], None],
) -> None:
    """Fill ``tables`` in the database file, and gather their statistics, in one
    transaction (with nothing to ``report`` before the end)."""
    conn = _sqlite_open(path)
    try:
        for sql in rows.sql.setup():
            _run(conn, sql)
        _run(conn, "BEGIN IMMEDIATE")
        for table in tables:
            table.build_in_place(conn, rows, bar)
        _analyze(conn, (table.name for table in tables))
        _run(conn, "COMMIT")
    finally:
        conn.close()


def _analyze(conn: Any, tables: Iterable[str]) -> None:
    """Statistics for the query planner, from a sample of each index."""
    _run(conn, "PRAGMA analysis_limit=1000")
    for table in tables:
        _run(conn, f"ANALYZE {_quote(table)}")


def _apart(
    part: str,
    page_size: int,
    tables: list[_SqliteTable],
    rows: _Rows,
    bar: _Progress,
    report: Callable[[Any], None],
) -> None:
    """Build ``tables`` in the file ``part``, a transaction each. After each, report
    the table, the pages it took (final from then on: later tables only add pages,
    and change page 1, the schema) and the page there of the root of each of its
    b-trees, by its name in the database file."""
    conn = _sqlite_open(part)
    try:
        _run(conn, f"PRAGMA page_size={page_size}")
        for sql in rows.sql.setup():
            _run(conn, sql)
        first = 2
        for table in tables:
            _run(conn, "BEGIN")
            names = table.build_apart(conn, rows, bar)
            _run(conn, "COMMIT")
            last = _run(conn, "PRAGMA page_count")[0][0]
            roots = dict(_run(conn, "SELECT name, rootpage FROM sqlite_schema"))
            own = {name: roots[there] for name, there in names.items()}
            report(("table", (table.name, first, last, own)))
            first = last + 1
    finally:
        conn.close()


def _header(data: Any, offset: int, size: int = 4) -> int:
    return int.from_bytes(data[offset : offset + size], "big")


class _Placement:
    """Where pages of the file apart go in the database file: its pages ``origin``,
    ``origin`` + 1, ... (but its lock-byte page) to the file's pages ``first``,
    ``first`` + 1, ... (but the file's lock-byte page)."""

    def __init__(self, page_size: int, first: int, origin: int) -> None:
        self.page_size, self.first, self.origin = page_size, first, origin
        self.lock = PENDING_BYTE // page_size + 1

    def place(self, page: int) -> int:
        """The database file's page number for a page of the file apart."""
        at = self.first + page - self.origin - (self.origin <= self.lock < page)
        return at + (self.first <= self.lock <= at)

    def end(self, last: int) -> int:
        """The database file's size in pages once pages up to ``last`` are placed."""
        return self.place(last if last != self.lock else last - 1)

    def runs(self, lo: int, hi: int) -> Iterable[tuple[int, int, int]]:
        """(first page, its place, pages) of each run of pages [lo, hi] placed in a
        row."""
        for page, last in ((lo, min(hi, self.lock - 1)), (max(lo, self.lock + 1), hi)):
            while page <= last:
                at, count = self.place(page), last - page + 1
                if at < self.lock < at + count:
                    count = self.lock - at
                yield page, at, count
                page += count


def _check_apart(data: Any, base: bytes, lo: int, hi: int) -> list[int]:
    """Check that pages [lo, hi] of the file apart (``data``) can be moved as they
    are: the database file's format, b-tree pages only (no overflow page: rows and
    keys fit in their pages; no free page). Return those of them that are interior
    pages."""
    same = [(16, 2), (20, 1), (44, 4), (52, 4), (56, 4)]  # page size ... encoding
    if any(_header(data, o, n) != _header(base, o, n) for o, n in same):
        raise RuntimeError("bench loader: the file apart has another format")
    # No free pages, and a schema on page 1 alone (a leaf): every other page is
    # part of a table placed.
    if _header(data, 36) != 0 or data[100] != 13:
        raise RuntimeError("bench loader: free pages, or a schema of several pages")
    size = _header(base, 16, 2)
    lock = PENDING_BYTE // size + 1
    kinds = data[(lo - 1) * size : hi * size : size]  # each page's first byte
    interior = []
    for page, kind in enumerate(kinds, lo):
        if kind in (2, 5):  # interior index, interior table
            interior.append(page)
        elif kind not in (10, 13) and page != lock:  # leaf index, leaf table
            raise RuntimeError(f"bench loader: page {page} is not a b-tree page")
    return interior


def _place(part: str, path: str, places: _Placement, lo: int, hi: int) -> None:
    """Place pages [lo, hi] of the file apart in the database file, interior pages
    with their children's page numbers placed (``_children``)."""
    with open(path, "rb") as file:
        base = file.read(100)
    size = places.page_size
    with (
        open(part, "rb") as apart,
        open(path, "r+b") as whole,
        mmap.mmap(apart.fileno(), hi * size, access=mmap.ACCESS_READ) as data,
    ):
        interior = _check_apart(data, base, lo, hi)
        src, dst = apart.fileno(), whole.fileno()
        for page, at, count in places.runs(lo, hi):
            _copy(src, dst, count * size, (page - 1) * size, (at - 1) * size)
        moved = _children(data, size, interior, places)
        for page, raw in zip(interior, moved, strict=True):
            os.pwrite(dst, raw, (places.place(page) - 1) * size)


def _children(
    data: Any, size: int, interior: list[int], places: _Placement
) -> list[bytes]:
    """The interior pages (2: index, 5: table) with their children's page numbers
    placed: the rightmost child at byte 8 of the header, and the first four bytes
    of each cell, whose offsets (two bytes each) follow the 12-byte header."""
    if np is None or not interior:
        out = []
        for page in interior:
            raw = bytearray(data[(page - 1) * size : page * size])
            cells = struct.unpack_from(f">{_header(raw, 3, 2)}H", raw, 12)
            for at in (8, *cells):
                raw[at : at + 4] = places.place(_header(raw, at)).to_bytes(4, "big")
            out.append(bytes(raw))
        return out
    # The same for all the pages at once: the offset of every pointer, its value.
    pages = np.frombuffer(data, dtype=np.uint8).reshape(-1, size)
    inner = pages[np.asarray(interior, dtype=np.int64) - 1]  # a copy
    count = inner[:, 3].astype(np.int64) * 256 + inner[:, 4]  # cells of each
    row = np.repeat(np.arange(len(inner)), count)
    slot = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    offset = 12 + 2 * slot
    at = inner[row, offset].astype(np.int64) * 256 + inner[row, offset + 1]
    row = np.concatenate([row, np.arange(len(inner))])
    at = np.concatenate([at, np.full(len(inner), 8)])
    where = (row[:, None], at[:, None] + np.arange(4))
    weights = np.array([1 << 24, 1 << 16, 1 << 8, 1], dtype=np.int64)  # big-endian
    child = inner[where].astype(np.int64) @ weights
    origin, lock, first = places.origin, places.lock, places.first
    placed = first + child - origin - ((origin <= lock) & (child > lock))  # as place
    placed += (first <= lock) & (placed >= lock)
    inner[where] = (placed[:, None] // weights % 256).astype(np.uint8)
    return [page.tobytes() for page in inner]


def _copy(src: int, dst: int, count: int, src_at: int, dst_at: int) -> None:
    """Copy bytes between two files, in the kernel when it can."""
    try:
        os.lseek(dst, dst_at, os.SEEK_SET)
        while count > 0:
            done = os.sendfile(dst, src, src_at, count)
            if done <= 0:
                raise RuntimeError("bench loader: the file apart ended early")
            count, src_at, dst_at = count - done, src_at + done, dst_at + done
    except OSError:  # not between files here: through memory
        while count > 0:
            done = os.pwrite(dst, os.pread(src, min(count, 1 << 26), src_at), dst_at)
            count, src_at, dst_at = count - done, src_at + done, dst_at + done


def _part_path(path: str, data: Dataset) -> str:
    """Where to build the tables apart: in shared memory when it has room (nothing
    written to disk, quick to delete), else next to the database file."""
    shm = "/dev/shm"
    room = data.n * 4096  # over twice what the tables apart take
    usable = os.path.isdir(shm) and os.access(shm, os.W_OK)
    if usable and shutil.disk_usage(shm).free > room:
        return os.path.join(shm, f"{os.path.basename(path)}.{os.getpid()}.part")
    return path + ".part"


def _sqlite_worker(work: Callable[..., None], who: str, results: Any) -> None:
    """A forked process: do its part, reporting as it goes."""
    try:
        work(lambda message: results.put((who, message)))
        results.put((who, ("done", None)))
    except BaseException:
        results.put((who, ("failed", traceback.format_exc())))
        raise


def _load_sqlite(db: Database, rows: _Rows, bar: _Progress) -> None:
    path = db.url.database
    assert path
    db.dispose()
    assert sorted(SQLITE_IN_PLACE + SQLITE_APART) == sorted(TABLE_NAMES)
    # The database file in rollback mode (nothing left in a write-ahead log), without
    # the tables built apart (their schema rows kept), compact.
    conn = _sqlite_open(path)
    try:
        if _run(conn, "PRAGMA journal_mode=DELETE") != [("delete",)]:
            raise RuntimeError("bench loader: the database is in use")
        tables = {name: _SqliteTable.read(conn, name) for name in TABLE_NAMES}
        for name in SQLITE_APART:
            _run(conn, f"DROP TABLE {_quote(name)}")
        _run(conn, "VACUUM")
        page_size = _run(conn, "PRAGMA page_size")[0][0]
    finally:
        conn.close()
    part = _part_path(path, rows.data)
    for leftover in (part, part + "-journal"):
        _remove(leftover)
    apart = [tables[name] for name in SQLITE_APART]
    # No connection is open across the fork: each process makes its own.
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    work = {
        "in place": functools.partial(
            _in_place, path, [tables[name] for name in SQLITE_IN_PLACE], rows, bar
        ),
        "apart": functools.partial(_apart, part, page_size, apart, rows, bar),
    }
    workers = [
        ctx.Process(target=_sqlite_worker, args=(w, who, results), daemon=True)
        for who, w in work.items()
    ]
    # Freeing the file apart's pages takes a while: meanwhile, the rest goes on.
    remove = threading.Thread(target=_remove, args=(part,))
    try:
        try:
            for worker in workers:
                worker.start()
            _gather(part, path, page_size, results, workers, tables, rows.data, bar)
        finally:
            for worker in workers:
                if worker.is_alive():
                    worker.kill()
                if worker.pid is not None:
                    worker.join()
            remove.start()
        conn = _sqlite_open(path)
        try:
            _run(conn, "PRAGMA journal_mode=WAL")
            names = _run(
                conn,
                "SELECT name FROM sqlite_schema WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite!_%' ESCAPE '!'",
            )
            # The bench tables were analyzed as they were filled or placed.
            _analyze(conn, {n for (n,) in names} - set(TABLE_NAMES))
        finally:
            conn.close()
    finally:
        if remove.ident is not None:
            remove.join()


def _gather(
    part: str,
    path: str,
    page_size: int,
    results: Any,
    workers: list[Any],
    tables: dict[str, _SqliteTable],
    data: Dataset,
    bar: _Progress,
) -> None:
    """Follow the two processes; once the database file has all of its own pages,
    settle each table built apart as soon as it is built (``_settle``): the tokens
    while the resource groups are being built."""
    done: set[str] = set()
    built: list[tuple[Any, ...]] = []  # tables built apart, not yet settled
    while len(done) < len(workers) or built:
        if "in place" in done and built:
            name, lo, hi, roots = built.pop(0)
            _settle(part, path, page_size, tables[name], lo, hi, roots, data)
            bar.show()
            continue
        step = _follow(results, workers, bar)
        if step is None:
            continue
        who, what, value = step
        if what == "done":
            done.add(who)
        elif what == "table":
            built.append(value)


def _settle(
    part: str,
    path: str,
    page_size: int,
    table: _SqliteTable,
    lo: int,
    hi: int,
    roots: dict[str, int],
    data: Dataset,
) -> None:
    """Place a table built apart (pages [lo, hi] of the file apart) after the
    database file's pages, on threads of their own (the copying is the kernel's,
    without the interpreter lock), register it, read it through and analyze it."""
    with open(path, "rb") as file:
        size = _header(file.read(100), 28)  # in pages
    places = _Placement(page_size, size + 1, lo)
    share = -(-(hi - lo + 1) // PLACERS)  # pages per thread, rounded up
    with ThreadPoolExecutor(PLACERS) as pool:
        placing = [
            pool.submit(_place, part, path, places, start, min(start + share - 1, hi))
            for start in range(lo, hi + 1, share)
        ]
        for job in placing:
            job.result()
    _register(
        path, places.end(hi), table, {n: places.place(p) for n, p in roots.items()}
    )
    conn = _sqlite_open(path)
    try:
        # Read through a memory map: no copy of each page into the cache.
        _run(conn, f"PRAGMA mmap_size={os.path.getsize(path)}")
        _check_placed(conn, table, data)
        _analyze(conn, [table.name])
    finally:
        conn.close()


def _follow(results: Any, workers: list[Any], bar: _Progress) -> Any:
    """The next report of a process, as (who, what, value), or None after a while
    without one; a failure raises."""
    try:
        who, (what, value) = results.get(timeout=0.1)
    except queue.Empty:
        bar.show()
        if not any(w.is_alive() for w in workers) and results.empty():
            raise RuntimeError("a bench loader process ended without a word") from None
        return None
    if what == "failed":
        raise RuntimeError(f"a bench loader process failed:\n{value}")
    return who, what, value


def _register(
    path: str, pages: int, table: _SqliteTable, roots: dict[str, int]
) -> None:
    """Set the database file's size in pages, and name a placed table's b-trees in
    its schema, in the order of the schema rows they had."""
    with open(path, "r+b") as file:
        file.seek(28)  # the size in pages, in the header
        file.write(pages.to_bytes(4, "big"))
    conn = _sqlite_open(path)
    try:
        version = _run(conn, "PRAGMA schema_version")[0][0]
        _run(conn, "PRAGMA writable_schema=ON")
        _run(conn, "BEGIN IMMEDIATE")
        for kind, name, tbl_name, sql in table.rows:
            _run(
                conn,
                "INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) "
                "VALUES (?, ?, ?, ?, ?)",
                (kind, name, tbl_name, roots[name], sql),
            )
        _run(conn, f"PRAGMA schema_version={version + 1}")  # others read it anew
        _run(conn, "COMMIT")
        _run(conn, "PRAGMA writable_schema=RESET")
    finally:
        conn.close()


def _check_placed(conn: Any, table: _SqliteTable, data: Dataset) -> None:
    """Read a placed table's b-trees through: the table and each of its indexes have
    the rows they should (a child page number placed wrong would show here)."""
    name = _quote(table.name)
    # count(*) walks a b-tree's pages, but over an index it takes the smallest
    # whatever is asked: count(1) reads the index named, entry by entry.
    reads = [f"SELECT count(*) FROM {name} NOT INDEXED"] + [
        f"SELECT count(1) FROM {name} INDEXED BY {_quote(index.name)}"
        for index in table.indexes
    ]
    for sql in reads:
        if _run(conn, sql)[0][0] != data.row_counts()[table.name]:
            raise RuntimeError(f"bench loader: wrong row count from {sql}")


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


# -- PostgreSQL ------------------------------------------------------------------------
# The parts are filled on ``POSTGRESQL_WORKERS`` connections at once, each server
# process generating its own rows. Keys, unique constraints and indexes are dropped
# first and built again afterwards (a sort each, instead of an index update per row),
# foreign keys last (one join each, instead of a lookup per row).
POSTGRESQL_WORKERS = 3
POSTGRESQL_ORDER = ("tokens", "members", "resource_groups", "users", "accounts")
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
        # Every batch of every table is a job of its own, largest tables first, and
        # so is the making of a table's keys and indexes, queued right after its
        # batches: it starts once they all have, and builds while the next table's
        # rows go in.
        with ThreadPoolExecutor(POSTGRESQL_WORKERS) as pool:
            finishing = []
            for table in POSTGRESQL_ORDER:
                loading = [
                    pool.submit(_pg_batch, conns, table, batch, bar)
                    for batch in rows.batches(table, CHUNK)
                ]
                finishing.append(pool.submit(_pg_finish, conns, schema, table, loading))
            for done in finishing:
                done.result()
        schema.restore_foreign(conn)
    finally:
        conns.close()
