"""The rate-limit policy and the two application hooks that apply it.

Whose budget a request spends: a user's (the global API key and every user token of
that user share one), or an account-owned token's own. Requests that fail
authentication spend nothing (there is nobody to charge); requests refused by
authorization do spend, as on the real API, where the limit is applied before the
request reaches the product.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import errors
from .counters import Counter, MemoryCounter, RedisCounter, redis_location

if TYPE_CHECKING:
    from ..config import Settings
    from ..http.app import App
    from ..http.request import Request
    from ..http.response import Response

DEFAULT_QUOTA = 1200
DEFAULT_WINDOW = 300
_SPEC = re.compile(r"\s*(\d{1,9})\s*/\s*(\d{1,7})\s*")
_ADMIN_PREFIX = "/_cfaccounts"


class PolicyError(ValueError):
    """A ``--rate-limit`` value that is not ``default``, ``off`` or QUOTA/SECONDS."""


@dataclass(frozen=True)
class Policy:
    """``quota`` requests per ``window`` seconds, named as the headers name it."""

    quota: int = DEFAULT_QUOTA
    window: int = DEFAULT_WINDOW
    name: str = "default"

    @classmethod
    def parse(cls, spec: str | None) -> Policy | None:
        """``default`` (1200 per 300 s), ``QUOTA/SECONDS`` (``5/60``), or None for
        ``off``, an empty value, or None (no limits)."""
        if spec is None:
            return None
        text = spec.strip().lower()
        if text in ("", "off", "none", "0"):
            return None
        if text == "default":
            return cls()
        match = _SPEC.fullmatch(text)
        if match is None:
            raise PolicyError(
                f"rate limit {spec!r}: expected 'default', 'off' or QUOTA/SECONDS "
                "such as 1200/300"
            )
        quota, window = int(match[1]), int(match[2])
        if quota < 1 or window < 1:
            raise PolicyError(f"rate limit {spec!r}: quota and seconds must be >= 1")
        return cls(quota, window)

    def header(self) -> str:
        return f'"{self.name}";q={self.quota};w={self.window}'


class RateLimiter:
    """Counts API requests per credential and answers 429 once a budget is spent.

    ``before_handler`` counts and refuses; ``on_response`` puts the headers on every
    API reply (admin replies are left alone) and counts requests that were refused by
    authorization before the handler stage."""

    def __init__(self, policy: Policy, counter: Counter) -> None:
        self.policy = policy
        self.counter = counter
        self._policy_header = policy.header().encode("latin-1")
        self._untouched = self._state_header(policy.quota, policy.window)

    def _state_header(self, remaining: int, reset: int) -> bytes:
        return f'"{self.policy.name}";r={remaining};t={reset}'.encode("latin-1")

    @staticmethod
    def budget_key(req: Request) -> str | None:
        """The budget a request spends, or None when it has no credential."""
        principal = req.principal
        if principal is None:
            return None
        if principal.kind == "account_token":
            assert principal.token is not None
            return f"token:{principal.token.id}"
        return f"user:{principal.user_id}"

    def _count(self, req: Request) -> tuple[int, int] | None:
        key = self.budget_key(req)
        if key is None:
            return None
        count, ttl = self.counter.hit(key, self.policy.window)
        # Clamped to the window: (start + window) - now in floating point can come
        # out a hair over the window on a fresh one, which ceil would make window + 1.
        reset = min(self.policy.window, max(1, math.ceil(ttl)))
        state = (count, reset)
        req.rate = state
        return state

    def before_handler(self, req: Request) -> Response | None:
        if req.path.startswith(_ADMIN_PREFIX):
            return None
        state = self._count(req)
        if state is not None and state[0] > self.policy.quota:
            raise errors.RATE_LIMITED().with_headers(retry_after=str(state[1]))
        return None

    def on_response(self, req: Request, resp: Response) -> None:
        if req.path.startswith(_ADMIN_PREFIX):
            return
        state = req.rate if req.rate is not None else self._count(req)
        if state is None:
            value = self._untouched
        else:
            count, reset = state
            value = self._state_header(max(0, self.policy.quota - count), reset)
        resp.headers.append((b"ratelimit", value))
        resp.headers.append((b"ratelimit-policy", self._policy_header))

    def reset(self) -> None:
        """Start every budget again (the admin API's reset)."""
        self.counter.reset()


def describe(settings: Settings) -> str:
    """The limits the settings ask for, in words (for the start-up banner)."""
    policy = Policy.parse(settings.rate_limit)
    if policy is None:
        return "off"
    where = (
        f"shared through Redis at {redis_location(settings.redis_url)}"
        if settings.redis_url
        else "counted in each server process"
    )
    return f"{policy.quota} per {policy.window} s per user and account token, {where}"


def build(settings: Settings) -> RateLimiter | None:
    """The limiter the settings ask for, or None when limits are off."""
    policy = Policy.parse(settings.rate_limit)
    if policy is None:
        return None
    counter: Counter
    if settings.redis_url:
        counter = RedisCounter(settings.redis_url, prefix=settings.redis_prefix)
    else:
        counter = MemoryCounter()
    return RateLimiter(policy, counter)


def install(app: App) -> RateLimiter | None:
    """Hook rate limiting into ``app`` when its settings turn it on (else nothing is
    added, and requests pay nothing for it). Rate limiting runs before any other
    before_handler hook, so a spent budget is refused before anything else."""
    limiter = build(app.settings)
    if limiter is not None:
        app.before_handler.insert(0, limiter.before_handler)
        app.on_response.append(limiter.on_response)
    app.services.rate_limiter = limiter
    return limiter
