"""The document the server serves at ``/_cfaccounts/openapi.json``: built from the
routes the application serves, once per process."""

from __future__ import annotations

from functools import cache
from typing import Any

import orjson


@cache
def document(prefix: str) -> dict[str, Any]:
    """The OpenAPI document of every API and administration route, with the API
    paths relative to ``prefix``."""
    from ..api import admin_routes, api_routes  # api imports the admin routes
    from .generate import build_document

    return build_document(api_routes(), admin_routes(), prefix=prefix)


@cache
def document_bytes(prefix: str) -> bytes:
    return orjson.dumps(document(prefix))
