"""The permission groups a token may be given, as the two listing operations show
them: sorted by id, filtered by ``name`` and ``scope``.

User-level groups (``com.cloudflare.api.user``) are listed only for user tokens, since
an account-owned token cannot hold them. Both filters are exact matches, the name
ignoring case. The SDK documents both parameters as "must be URL-encoded", so callers
often encode them twice; a value that still holds ``%XX`` escapes after the usual
decoding is decoded once more.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from ..catalog import USER_SCOPE, Catalogue

_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def decode_filter(value: str | None) -> str | None:
    """A query filter with a second layer of percent-encoding removed."""
    if value is None or value == "":
        return None
    if _ESCAPE.search(value):
        value = unquote(value)
    return value


def listing(
    catalogue: Catalogue,
    *,
    user_level: bool,
    name: str | None = None,
    scope: str | None = None,
) -> list[dict[str, Any]]:
    folded = name.casefold() if name is not None else None
    out = []
    for group in catalogue.groups:  # already sorted by id
        if group.scope == USER_SCOPE and not user_level:
            continue
        if folded is not None and group.name.casefold() != folded:
            continue
        if scope is not None and group.scope != scope:
            continue
        out.append(group.wire())
    return out
