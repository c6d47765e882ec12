"""Fault injection for testing clients: rules, set through the admin API or a seed
document's ``faults`` list, that answer chosen API requests with a chosen error
(status, Cloudflare code and message, ``retry-after`` and ``x-should-retry``), after
an added latency, or both, every time, with a probability, or a number of times."""

from .registry import FaultRegistry, install
from .rules import FaultError, FaultRule, parse_rule, parse_rules

__all__ = [
    "FaultError",
    "FaultRegistry",
    "FaultRule",
    "install",
    "parse_rule",
    "parse_rules",
]
