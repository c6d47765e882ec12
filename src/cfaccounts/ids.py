"""Identifiers: 32 lowercase hex characters, as every Cloudflare object id."""

from __future__ import annotations

import hashlib
import re
import uuid

ID_RE = re.compile(r"[0-9a-f]{32}")


def new_id() -> str:
    return uuid.uuid4().hex


def is_id(value: str) -> bool:
    return len(value) == 32 and ID_RE.fullmatch(value) is not None


def derived_id(*parts: str) -> str:
    """A stable id derived from other ids, for objects every account has implicitly
    (such as the resource group covering the whole account)."""
    return hashlib.blake2b("/".join(parts).encode(), digest_size=16).hexdigest()
