"""The fault rules of one server process, and the hook that applies them.

Rules live in the memory of the process that received them (the admin API, or the
start-up seed files, which every worker process reads). They are not stored in the
database: a server with several worker processes applies an admin-API rule only in the
worker that answered the admin call.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
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
        # The app's before_handler list, once installed: the hook is in it only
        # while there are rules, so a server without faults pays nothing for them.
        self._hooks: list[Callable[[Request], Response | None]] | None = None

    def _sync_hook(self) -> None:
        hooks = self._hooks
        if hooks is None:
            return
        present = self.before_handler in hooks
        if self.rules and not present:
            hooks.append(self.before_handler)
        elif not self.rules and present:
            hooks.remove(self.before_handler)

    def add(self, rule: FaultRule) -> None:
        """Add a rule, replacing one with the same id (in its place)."""
        with self._lock:
            for i, existing in enumerate(self.rules):
                if existing.id == rule.id:
                    self.rules[i] = rule
                    break
            else:
                self.rules.append(rule)
            self._sync_hook()

    def extend(self, rules: list[FaultRule]) -> None:
        for rule in rules:
            self.add(rule)

    def get(self, rule_id: str) -> FaultRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if r.id != rule_id]
            self._sync_hook()
            return len(self.rules) != before

    def clear(self) -> int:
        with self._lock:
            removed = len(self.rules)
            self.rules = []
            self._sync_hook()
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
        """The app hook (installed only while there are rules): the fault's answer,
        a Delay the app awaits before answering, or None."""
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
    """Apply ``registry``'s rules to the API requests of ``app``: its hook joins the
    app's before_handler hooks, last (a request refused for its rate limit is not
    also faulted), whenever the registry has rules, and leaves when it has none."""
    registry._hooks = app.before_handler
    registry._sync_hook()
