"""The fault rules of one server process, and the hook that applies them.

Rules live in the memory of the process that received them (the admin API, or the
start-up seed files, which every worker process reads). They are not stored in the
database: a server with several worker processes applies an admin-API rule only in the
worker that answered the admin call.
"""

from __future__ import annotations

import random
import threading
from typing import TYPE_CHECKING

from .rules import FaultRule

if TYPE_CHECKING:
    from ..http.app import App
    from ..http.request import Request
    from ..http.response import Response

_ADMIN_PREFIX = "/_cfaccounts"


class FaultRegistry:
    """An ordered list of rules; the first rule that matches a request fires."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._rng = rng or random.Random()

    def add(self, rule: FaultRule) -> None:
        """Add a rule, replacing one with the same id (in its place)."""
        with self._lock:
            for i, existing in enumerate(self.rules):
                if existing.id == rule.id:
                    self.rules[i] = rule
                    return
            self.rules.append(rule)

    def extend(self, rules: list[FaultRule]) -> None:
        for rule in rules:
            self.add(rule)

    def get(self, rule_id: str) -> FaultRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if r.id != rule_id]
            return len(self.rules) != before

    def clear(self) -> int:
        with self._lock:
            removed = len(self.rules)
            self.rules = []
            return removed

    def pick(self, req: Request) -> FaultRule | None:
        """The rule that fires for ``req``, counted as fired, or None. A rule that
        matches but loses its probability roll lets later rules try."""
        with self._lock:
            for rule in self.rules:
                if not rule.matches(req):
                    continue
                if rule.probability < 1 and self._rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                if rule.count is not None:
                    rule.count -= 1
                return rule
        return None

    def before_handler(self, req: Request) -> Response | None:
        """The app hook: nothing (at the cost of one check) while there are no rules;
        else the fault's answer, or a Delay the app awaits before answering."""
        if not self.rules or req.path.startswith(_ADMIN_PREFIX):
            return None
        rule = self.pick(req)
        if rule is None:
            return None
        answer = rule.answer()
        if rule.latency > 0:
            from ..http.response import Delay

            return Delay(rule.latency, answer)
        return answer


def install(app: App, registry: FaultRegistry) -> None:
    """Apply ``registry``'s rules to the API requests of ``app``, after every other
    before_handler hook (a request refused for its rate limit is not also faulted)."""
    app.before_handler.append(registry.before_handler)
