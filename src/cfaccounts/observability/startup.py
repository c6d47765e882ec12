"""What runs: the facts the server states once at start, as a readable block for the
terminal and as fields of one ``startup`` log event. Neither holds a secret: database
and Redis passwords are masked, secret settings say only whether they are set."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .. import __version__

if TYPE_CHECKING:
    from ..http.app import App

startup_log = logging.getLogger("cfaccounts.startup")

# Settings named like these describe rate limiting (whichever exist in this build).
_RATE_LIMIT_KEYS = ("rate_limit", "redis")


def hide_password(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def rate_limit_settings(described: dict[str, Any]) -> dict[str, Any]:
    """The rate-limit settings among the described settings, passwords masked;
    empty when rate limiting is off."""
    if str(described.get("rate_limit") or "off").lower() == "off":
        return {}
    out = {}
    for key, value in described.items():
        if key.startswith(_RATE_LIMIT_KEYS):
            out[key] = hide_password(value) if isinstance(value, str) else value
    return out


def startup_info(app: App, url: str) -> dict[str, Any]:
    """The facts of the start-up block, as plain values."""
    settings = app.settings
    services = app.services
    described = settings.describe()
    info: dict[str, Any] = {
        "event": "startup",
        "version": __version__,
        "url": url,
        "api_base_url": url + settings.prefix,
        "database": services.db.display_url(),
        "workers": getattr(settings, "workers", 1),
        "secret_key": "configured" if settings.secret_key else "kept in the database",
        "user_token_quota": settings.user_token_quota,
        "account_token_quota": settings.account_token_quota,
        "rate_limits": rate_limit_settings(described) or "off",
        "admin_api": bool(settings.admin_token),
        "metrics": url + "/_cfaccounts/metrics"
        if getattr(settings, "metrics", True)
        else None,
        "log_level": settings.log_level,
        "log_format": getattr(settings, "log_format", "text"),
        "demo": settings.demo,
        "seed_files": list(settings.seeds),
    }
    if services.db.is_sqlite:
        info["data_file"] = str(Path(services.db.url.database or "").resolve())
    return info


def banner_lines(app: App, url: str) -> list[str]:
    """The lines this package adds to the readable start-up block: workers, auth,
    metrics and logging."""
    info = startup_info(app, url)
    return [
        f"  workers        {info['workers']}",
        f"  auth           global API keys, user tokens, account tokens; secret key "
        f"{info['secret_key']}; token quotas {info['user_token_quota']} per user, "
        f"{info['account_token_quota']} per account",
        f"  metrics        {info['metrics'] or 'off'}",
        f"  logs           {info['log_level']}, {info['log_format']}",
    ]


def log_startup(app: App, url: str) -> None:
    """The start-up facts as one INFO event, with JSON logs (the text block on
    standard output says the same to a person)."""
    if getattr(
        app.settings, "log_format", "text"
    ) == "json" and startup_log.isEnabledFor(logging.INFO):
        info = startup_info(app, url)
        startup_log.info(
            "cfaccounts %s listening on %s", __version__, url, extra={"fields": info}
        )
