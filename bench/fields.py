"""The fixed-width fields of the generated rows (ids, hashes of secrets, account
numbers), computed for many rows at once and packed for the loader's statements.

Every value is a function of its index (``bench.data`` describes the data set). With
numpy, which the bench extra brings (matplotlib needs it), a range of values is a few
array operations; without it, the same bytes are made one value at a time, which is
slow but fine for small data sets. The loader checks that both agree.

A field is ``Fields``-specific: a ``(rows, width)`` array of bytes with numpy, a list
of ``bytes`` without. An order (a permutation of rows) is an index array or a list.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterable, Sequence
from typing import Any

try:
    import numpy as np
except ImportError:  # the plain implementation below: the same bytes, slower
    np = None

# Ids are spread evenly over the id space in ascending order of their index: the first
# 32 bits climb by a fixed step plus a pseudo-random offset below the step, the other
# 96 are scrambled. They look like random ids, never repeat, and arrive in primary-key
# order, so loading appends to each index instead of splitting pages all over it. All
# products stay below 2**63, so numpy's 64-bit integers compute them exactly.
WORD = 1 << 32
JITTER = 0x2545F491
MIX = ((0x85EBCA77, 0x27D4EB2F), (0xC2B2AE3D, 0x165667B1), (0x9E3779B1, 0x61C88647))
MAX_INDEX = 1 << 27  # indexes stay below this (ids need capacity < 2**32)
# Secrets (keys, token values) are a plain bijection of the index between a prefix
# and a suffix: only their hashes are stored, and those are random anyway.
MASK = (1 << 128) - 1
SECRET = {
    "key": (b"", 0xD6E8FEB86659FD93A5A5A5A5A5A5A5A5, b""),
    "utoken": (b"cfut_", 0x85EBCA77C2B2AE63B5297A4D3A4B2C1D, b"bench0user0tok"),
    "atoken": (b"cfat_", 0xFF51AFD7ED558CCDC4CEB9FE1A85EC53, b"bench0acct0tok"),
}
_WORDS = struct.Struct(">IIII")


def ordered_range(lo: int, hi: int, capacity: int, salt: int) -> list[str]:
    """The ids [lo, hi) of ``capacity`` ascending, random-looking 32-hex ids."""
    step = WORD // capacity
    j, m = JITTER, WORD - 1
    (a1, b1), (a2, b2), (a3, b3) = MIX
    pack = _WORDS.pack
    # Each id's four words packed big-endian, then all written in hex at once.
    text = b"".join(
        [
            pack(
                i * step + (i + salt) * j % step,
                ((i + salt) * a1 + b1) & m,
                ((i + salt) * a2 + b2) & m,
                ((i + salt) * a3 + b3) & m,
            )
            for i in range(lo, hi)
        ]
    ).hex()
    return [text[x : x + 32] for x in range(0, len(text), 32)]


def secrets(kind: str, lo: int, hi: int) -> list[bytes]:
    """Secrets [lo, hi) of one kind."""
    prefix, factor, suffix = SECRET[kind]
    template = prefix + b"%032x" + suffix
    return [template % ((i + 1) * factor & MASK) for i in range(lo, hi)]


# A hasher: the raw digests of many secrets (``data.fast_hasher``).
Hasher = Callable[[Iterable[Any]], list[bytes]]


class Fields:
    """What the loader asks of a field implementation."""

    def ids(self, lo: int, hi: int, capacity: int, salt: int, wrap: int = 0) -> Any:
        """The ids (32 hex digits) of indexes [lo, hi), taken modulo ``wrap``."""
        raise NotImplementedError

    def digests(self, hasher: Hasher, kind: str, lo: int, hi: int) -> Any:
        """The raw digests (32 bytes) of secrets [lo, hi) of one kind."""
        raise NotImplementedError

    def blake(self, field: Any, suffix: bytes, size: int) -> Any:
        """BLAKE2b digests (``size`` bytes) of each value followed by ``suffix``."""
        raise NotImplementedError

    def hex(self, field: Any) -> Any:
        """Each value in lowercase hex, twice as wide."""
        raise NotImplementedError

    def order(self, field: Any) -> Any:
        """The permutation that sorts the values (bytewise, ties in row order)."""
        raise NotImplementedError

    def take(self, field: Any, order: Any) -> Any:
        raise NotImplementedError

    def concat(self, *fields: Any) -> Any:
        """The values of the fields, one field after the other."""
        raise NotImplementedError

    def numbers(self, order: Any, width: int, add: int = 0) -> Any:
        """Each number of an order, plus ``add``, in ``width`` decimal digits."""
        raise NotImplementedError

    def pack(self, *fields: Any) -> bytes:
        """Rows of the fields side by side, one after the other."""
        raise NotImplementedError


class PlainFields(Fields):
    """Plain Python: one value at a time."""

    def ids(self, lo: int, hi: int, capacity: int, salt: int, wrap: int = 0) -> Any:
        if not wrap or hi <= wrap:
            return [i.encode() for i in ordered_range(lo, hi, capacity, salt)]
        return [
            ordered_range(i % wrap, i % wrap + 1, capacity, salt)[0].encode()
            for i in range(lo, hi)
        ]

    def digests(self, hasher: Hasher, kind: str, lo: int, hi: int) -> Any:
        return hasher(secrets(kind, lo, hi))

    def blake(self, field: Any, suffix: bytes, size: int) -> Any:
        blake2b = hashlib.blake2b
        return [blake2b(value + suffix, digest_size=size).digest() for value in field]

    def hex(self, field: Any) -> Any:
        return [value.hex().encode() for value in field]

    def order(self, field: Any) -> Any:
        return sorted(range(len(field)), key=field.__getitem__)

    def take(self, field: Any, order: Any) -> Any:
        return [field[i] for i in order]

    def concat(self, *fields: Any) -> Any:
        return [value for field in fields for value in field]

    def numbers(self, order: Any, width: int, add: int = 0) -> Any:
        return [b"%0*d" % (width, i + add) for i in order]

    def pack(self, *fields: Any) -> bytes:
        return b"".join(b"".join(row) for row in zip(*fields, strict=True))


class NumpyFields(Fields):
    """numpy: a range of values in a few array operations."""

    def __init__(self) -> None:
        assert np is not None

    @staticmethod
    def _text(words: Any, width: int) -> Any:
        """Big-endian words (a row of them per value) as rows of hex digits."""
        text = words.tobytes().hex().encode()
        return np.frombuffer(text, dtype=np.uint8).reshape(-1, width)

    def ids(self, lo: int, hi: int, capacity: int, salt: int, wrap: int = 0) -> Any:
        u = np.uint64
        i = np.arange(lo, hi, dtype=np.uint64)
        if wrap:
            i %= u(wrap)
        k = i + u(salt)
        step = u(WORD // capacity)
        words = np.empty((hi - lo, 4), dtype=">u4")
        words[:, 0] = i * step + k * u(JITTER) % step
        for w, (a, b) in enumerate(MIX, 1):
            words[:, w] = (k * u(a) + u(b)) & u(WORD - 1)
        return self._text(words, 32)

    def _secrets(self, kind: str, lo: int, hi: int) -> Any:
        """Secrets as rows of bytes: the 128-bit product in 32-bit limbs, carried."""
        prefix, factor, suffix = SECRET[kind]
        u = np.uint64
        v = np.arange(lo + 1, hi + 1, dtype=np.uint64)
        limbs = np.empty((hi - lo, 4), dtype=">u4")
        carry = np.zeros(hi - lo, dtype=np.uint64)
        for j in range(4):  # least significant limb first, each below 2**59
            product = v * u((factor >> (32 * j)) & (WORD - 1)) + carry
            limbs[:, 3 - j] = product & u(WORD - 1)
            carry = product >> u(32)
        width = len(prefix) + 32 + len(suffix)
        rows = np.empty((hi - lo, width), dtype=np.uint8)
        rows[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
        rows[:, len(prefix) : len(prefix) + 32] = self._text(limbs, 32)
        rows[:, len(prefix) + 32 :] = np.frombuffer(suffix, dtype=np.uint8)
        return rows

    @staticmethod
    def _values(field: Any) -> list[bytes]:
        """Each row of a field as bytes (what hashlib takes)."""
        width = field.shape[1]
        data = field.tobytes()
        return [data[x : x + width] for x in range(0, len(data), width)]

    @staticmethod
    def _field(values: list[bytes], width: int) -> Any:
        return np.frombuffer(b"".join(values), dtype=np.uint8).reshape(-1, width)

    def digests(self, hasher: Hasher, kind: str, lo: int, hi: int) -> Any:
        return self._field(hasher(self._values(self._secrets(kind, lo, hi))), 32)

    def blake(self, field: Any, suffix: bytes, size: int) -> Any:
        rows = np.empty((field.shape[0], field.shape[1] + len(suffix)), np.uint8)
        rows[:, : field.shape[1]] = field
        rows[:, field.shape[1] :] = np.frombuffer(suffix, dtype=np.uint8)
        blake2b = hashlib.blake2b
        values = [blake2b(v, digest_size=size).digest() for v in self._values(rows)]
        return self._field(values, size)

    def hex(self, field: Any) -> Any:
        return self._text(field, 2 * field.shape[1])

    def order(self, field: Any) -> Any:
        # By the first 8 bytes as a number (fast); by all of them if that ties.
        first = np.ascontiguousarray(field[:, :8]).view(">u8").ravel()
        order = np.argsort(first, kind="stable")
        if (np.diff(first[order]) == 0).any():
            whole = np.ascontiguousarray(field).view(f"S{field.shape[1]}").ravel()
            order = np.argsort(whole, kind="stable")
        return order

    def take(self, field: Any, order: Any) -> Any:
        return field[order]

    def concat(self, *fields: Any) -> Any:
        return np.concatenate(fields)

    def numbers(self, order: Any, width: int, add: int = 0) -> Any:
        powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
        values = np.asarray(order, dtype=np.int64)[:, None] + add
        return (values // powers % 10 + ord("0")).astype(np.uint8)

    def pack(self, *fields: Any) -> bytes:
        return np.hstack(fields).tobytes()


def fields() -> Fields:
    """The fastest implementation at hand."""
    return NumpyFields() if np is not None else PlainFields()


def check(fast: Fields, hasher: Hasher, samples: Sequence[tuple[int, int]]) -> None:
    """Fail if ``fast`` makes other bytes than the plain implementation, on the
    first and last ids of each ``(capacity, salt)`` in ``samples``."""
    if isinstance(fast, PlainFields):
        return
    plain = PlainFields()
    for capacity, salt in samples:
        span = min(capacity, 50)
        for f in (plain, fast):
            first = f.ids(0, span, capacity, salt)
            made = [
                first,
                f.ids(capacity - span, capacity + span, capacity, salt, capacity),
                f.hex(f.digests(hasher, "utoken", capacity - span, capacity)),
                f.hex(f.blake(first, b"/x", 16)),
                f.numbers(f.order(f.digests(hasher, "key", 0, span)), 10, 7),
                f.take(f.concat(first, first), [3, 1, 2 * span - 1]),
            ]
            packed = [f.pack(field) for field in made]
            if f is plain:
                expected = packed
            elif packed != expected:
                raise RuntimeError("the numpy fields disagree with the plain ones")
