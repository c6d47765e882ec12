"""cfaccounts: the Cloudflare API v4 Accounts family, wire-compatible, in Python."""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Settings

__all__ = ["Settings", "__version__", "create_app"]


def create_app(settings: Settings | None = None):  # type: ignore[no-untyped-def]
    """The ASGI application for ``settings`` (from the environment by default), with
    its database migrated and its start-up seeds loaded."""
    from .server import build_app

    return build_app(settings or Settings.from_env())
