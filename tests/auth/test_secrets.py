"""The credential format checks accept exactly what their patterns describe, and the
hasher gives the HMAC-SHA256 of the value."""

from __future__ import annotations

import hashlib
import hmac
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cfaccounts.auth.secrets import (
    SecretHasher,
    is_global_key_format,
    is_token_format,
)

TOKEN = re.compile(r"[A-Za-z0-9_-]{40,255}")
GLOBAL_KEY = re.compile(r"[0-9a-f]{32,45}|cfk_[A-Za-z0-9_-]{40,251}")

# Mostly the characters that matter, a few that must be refused.
_CHARS = st.sampled_from("abcdefzAFZ0189_-" + " .+/=:\t\x00é٣ＡＢ\U0001f600")
_CANDIDATES = st.text(_CHARS, min_size=0, max_size=300)


@settings(max_examples=400, deadline=None)
@given(_CANDIDATES)
@example("a" * 39)
@example("a" * 40)
@example("a" * 255)
@example("a" * 256)
@example("-" * 40)
@example("_" * 40)
@example("٣" * 40)  # a digit, but not an ASCII one
@example("cfut_" + "A" * 40)
def test_token_format_is_its_pattern(value: str) -> None:
    assert is_token_format(value) == bool(TOKEN.fullmatch(value))


@settings(max_examples=400, deadline=None)
@given(st.one_of(_CANDIDATES, st.text(st.sampled_from("0123456789abcdefABx"))))
@example("0" * 31)
@example("0" * 32)
@example("f" * 45)
@example("f" * 46)
@example("F" * 32)
@example("cfk_" + "a" * 39)
@example("cfk_" + "a" * 40)
@example("cfk_" + "-" * 251)
@example("cfk_" + "a" * 252)
@example("144c9defac04969c7bfad8efaa8ea194")
def test_global_key_format_is_its_pattern(value: str) -> None:
    assert is_global_key_format(value) == bool(GLOBAL_KEY.fullmatch(value))


def test_the_hash_is_hmac_sha256_of_the_value() -> None:
    key = b"k" * 70  # longer than a SHA-256 block, so it is hashed first
    value = "cfut_" + "x" * 40
    expected = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
    assert SecretHasher(key).hash(value) == expected
    assert (
        SecretHasher(b"short").hash(value)
        == hmac.new(b"short", value.encode(), hashlib.sha256).hexdigest()
    )
