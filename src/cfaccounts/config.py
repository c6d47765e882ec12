"""Settings: one line per environment variable, with its cast and default.

The command line overrides the environment; the environment overrides the defaults.
``Settings.describe()`` gives the effective settings without secrets, for the start-up
banner.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _paths(value: str) -> tuple[str, ...]:
    return tuple(p for p in value.split(os.pathsep) if p)


@dataclass(frozen=True)
class Settings:
    """Everything the server can be told. Field metadata names the environment
    variable and the cast applied to its value."""

    host: str = field(default="127.0.0.1", metadata={"env": "CFACCOUNTS_HOST"})
    port: int = field(default=8787, metadata={"env": "CFACCOUNTS_PORT", "cast": int})
    database_url: str = field(
        default="sqlite:///cfaccounts.sqlite3",
        metadata={"env": "CFACCOUNTS_DATABASE_URL"},
    )
    secret_key: str | None = field(
        default=None, metadata={"env": "CFACCOUNTS_SECRET_KEY", "secret": True}
    )
    admin_token: str | None = field(
        default=None, metadata={"env": "CFACCOUNTS_ADMIN_TOKEN", "secret": True}
    )
    prefix: str = field(default="/client/v4", metadata={"env": "CFACCOUNTS_PREFIX"})
    seeds: tuple[str, ...] = field(
        default=(), metadata={"env": "CFACCOUNTS_SEED", "cast": _paths}
    )
    demo: bool = field(
        default=False, metadata={"env": "CFACCOUNTS_DEMO", "cast": _bool}
    )
    migrate: bool = field(
        default=True, metadata={"env": "CFACCOUNTS_MIGRATE", "cast": _bool}
    )
    colo: str = field(default="SJC", metadata={"env": "CFACCOUNTS_COLO"})
    max_body_bytes: int = field(
        default=1_048_576, metadata={"env": "CFACCOUNTS_MAX_BODY_BYTES", "cast": int}
    )
    user_token_quota: int = field(
        default=50, metadata={"env": "CFACCOUNTS_USER_TOKEN_QUOTA", "cast": int}
    )
    account_token_quota: int = field(
        default=500, metadata={"env": "CFACCOUNTS_ACCOUNT_TOKEN_QUOTA", "cast": int}
    )
    log_level: str = field(default="info", metadata={"env": "CFACCOUNTS_LOG_LEVEL"})
    log_format: str = field(default="text", metadata={"env": "CFACCOUNTS_LOG_FORMAT"})
    metrics: bool = field(
        default=True, metadata={"env": "CFACCOUNTS_METRICS", "cast": _bool}
    )
    workers: int = field(default=1, metadata={"env": "CFACCOUNTS_WORKERS", "cast": int})
    # Rate limits: "default" (1200 per 300 s), QUOTA/SECONDS, or unset/"off".
    rate_limit: str | None = field(
        default=None, metadata={"env": "CFACCOUNTS_RATE_LIMIT"}
    )
    redis_url: str | None = field(
        default=None, metadata={"env": "CFACCOUNTS_REDIS_URL", "secret": True}
    )
    redis_prefix: str = field(
        default="cfaccounts", metadata={"env": "CFACCOUNTS_REDIS_PREFIX"}
    )
    admin_allow_remote: bool = field(
        default=False,
        metadata={"env": "CFACCOUNTS_ADMIN_ALLOW_REMOTE", "cast": _bool},
    )
    request_log_size: int = field(
        default=1000, metadata={"env": "CFACCOUNTS_REQUEST_LOG_SIZE", "cast": int}
    )

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        """Settings from the environment, then from keyword overrides (those that are
        not None)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = f.metadata["env"]
            if name in env and env[name] != "":
                cast: Callable[[str], Any] = f.metadata.get("cast", str)
                values[f.name] = cast(env[name])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def describe(self) -> dict[str, Any]:
        """The effective settings, with secrets replaced by whether they are set."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("secret"):
                value = "set" if value else "not set"
            out[f.name] = value
        return out
