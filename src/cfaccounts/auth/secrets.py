"""Secrets: API keys and token values are kept only as keyed hashes.

Both are long random values, so a keyed hash (HMAC-SHA256) is the right tool: a slow
password hash would add nothing against guessing and cost every request. Comparisons
are constant-time. New token values carry Cloudflare's scannable prefixes (``cfut_``
for user tokens, ``cfat_`` for account-owned tokens) and a checksum of this project's
own; values without a prefix, or with a checksum we did not make, still authenticate.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import zlib

USER_TOKEN_PREFIX = "cfut_"
ACCOUNT_TOKEN_PREFIX = "cfat_"
GLOBAL_KEY_PREFIX = "cfk_"

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{40,255}")
GLOBAL_KEY_RE = re.compile(r"[0-9a-f]{32,45}|cfk_[A-Za-z0-9_-]{40,251}")


class SecretHasher:
    def __init__(self, key: bytes) -> None:
        # The key is absorbed once; each hash copies this state (half the work of
        # starting an HMAC from the key on every request).
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def hash(self, secret: str) -> str:
        mac = self._keyed.copy()
        mac.update(secret.encode())
        return mac.hexdigest()

    def matches(self, secret: str, stored_hash: str | None) -> bool:
        if stored_hash is None:
            hmac.compare_digest(self.hash(secret), "0" * 64)  # same work either way
            return False
        return hmac.compare_digest(self.hash(secret), stored_hash)


def _base62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def mint_token(prefix: str) -> str:
    """A new token value: prefix, 40 random characters, a 6-character checksum."""
    body = "".join(secrets.choice(_ALPHABET) for _ in range(40))
    return f"{prefix}{body}{_base62(zlib.crc32(body.encode()), 6)}"


def is_token_format(value: str) -> bool:
    return TOKEN_RE.fullmatch(value) is not None


def is_global_key_format(value: str) -> bool:
    return GLOBAL_KEY_RE.fullmatch(value) is not None
