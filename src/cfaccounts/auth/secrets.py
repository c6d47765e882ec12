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
import secrets
import zlib

USER_TOKEN_PREFIX = "cfut_"
ACCOUNT_TOKEN_PREFIX = "cfat_"
GLOBAL_KEY_PREFIX = "cfk_"

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_HEX_DIGITS = "0123456789abcdef"


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


# The two checks below run on every request. They are written with string methods
# rather than regular expressions: inside a busy server the regular expression engine
# costs a few microseconds a call, its code having left the CPU's caches between
# requests.


def is_token_format(value: str) -> bool:
    """40 to 255 characters, each an ASCII letter or digit, ``_`` or ``-``."""
    if not 40 <= len(value) <= 255 or not value.isascii():
        return False
    rest = value.replace("_", "").replace("-", "")
    return rest == "" or rest.isalnum()


def is_global_key_format(value: str) -> bool:
    """32 to 45 lowercase hex digits (the classic key), or ``cfk_`` and 40 to 251
    characters of the token alphabet."""
    if value.startswith(GLOBAL_KEY_PREFIX):
        return len(value) >= len(GLOBAL_KEY_PREFIX) + 40 and is_token_format(value)
    return 32 <= len(value) <= 45 and value.strip(_HEX_DIGITS) == ""
