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
    """The rate-limit settings among the described settings, passwords masked."""
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


def banner_lines(app: App, url: str, demo_credentials: tuple[str, ...]) -> list[str]:
    """The readable start-up block. It is the one place that shows the demo
    credentials (with ``--demo``) and the values of tokens minted by seed files: they
    are printed to the terminal once, never logged."""
    info = startup_info(app, url)
    limits = info["rate_limits"]
    lines = [
        f"cfaccounts {info['version']} listening on {url}",
        f"  API base URL   {info['api_base_url']}",
        f"  database       {info['database']}",
    ]
    if "data_file" in info:
        lines.append(f"  data file      {info['data_file']}")
    lines += [
        f"  workers        {info['workers']}",
        f"  auth           global API keys, user tokens, account tokens; secret key "
        f"{info['secret_key']}; token quotas {info['user_token_quota']} per user, "
        f"{info['account_token_quota']} per account",
        "  rate limits    "
        + (
            " ".join(f"{k}={v}" for k, v in limits.items())
            if isinstance(limits, dict)
            else limits
        ),
        "  admin API      "
        + (
            f"on at {url}/_cfaccounts (admin token required)"
            if info["admin_api"]
            else "off (no admin token)"
        ),
        f"  metrics        {info['metrics'] or 'off'}",
        f"  logs           {info['log_level']}, {info['log_format']}",
    ]
    settings = app.settings
    report = app.services.seed_report
    if settings.demo:
        lines.append(
            "  demo data      loaded"
            if report
            else "  demo data      kept from an earlier start"
        )
        lines += [f"    {c}" for c in demo_credentials]
    for path in settings.seeds:
        lines.append(f"  seed file      {path}")
    if report is not None:
        lines.append(
            f"  loaded         {report.users} users, {report.accounts} accounts, "
            f"{report.members} members, {report.tokens} tokens"
        )
        for minted in report.minted:
            lines.append(
                f"    new token {minted['token_id']} ({minted['name']}): "
                f"{minted['value']}"
            )
    return lines


def log_startup(app: App, url: str) -> None:
    """The start-up facts as one INFO event (for JSON logs)."""
    if startup_log.isEnabledFor(logging.INFO):
        info = startup_info(app, url)
        startup_log.info(
            "cfaccounts %s listening on %s", __version__, url, extra={"fields": info}
        )
