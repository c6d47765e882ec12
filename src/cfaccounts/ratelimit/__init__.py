"""Rate limits as api.cloudflare.com applies them: a budget of requests per fixed
window for each user (the global API key and that user's tokens share it) and for each
account-owned token, announced in ``Ratelimit`` / ``Ratelimit-Policy`` headers, and
refused with 429 (code 971) and ``retry-after`` once spent."""

from .counters import Counter, MemoryCounter, RedisCounter
from .limiter import Policy, PolicyError, RateLimiter, describe, install

__all__ = [
    "Counter",
    "MemoryCounter",
    "Policy",
    "PolicyError",
    "RateLimiter",
    "RedisCounter",
    "describe",
    "install",
]
