"""The rate-limit setting and the in-process counter's fixed window."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from cfaccounts.cli import main
from cfaccounts.ratelimit import MemoryCounter, Policy, PolicyError
from cfaccounts.ratelimit.limiter import RateLimiter


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("default", Policy(1200, 300)),
        ("DEFAULT", Policy(1200, 300)),
        ("5/60", Policy(5, 60)),
        (" 3 / 2 ", Policy(3, 2)),
        ("off", None),
        ("", None),
        (None, None),
    ],
)
def test_rate_limit_settings_are_read(spec: str | None, expected: Policy) -> None:
    assert Policy.parse(spec) == expected


@pytest.mark.parametrize(
    "spec", ["fast", "5", "5/0", "0/60", "-1/60", "5/60/2", "1e3/5"]
)
def test_a_bad_rate_limit_setting_is_refused(spec: str) -> None:
    with pytest.raises(PolicyError):
        Policy.parse(spec)


def test_the_cli_names_the_bad_option() -> None:
    result = CliRunner().invoke(main, ["serve", "--rate-limit", "lots"])
    assert result.exit_code == 2
    assert "--rate-limit" in result.output


def test_the_policy_header_names_quota_and_window() -> None:
    assert Policy.parse("default").header() == '"default";q=1200;w=300'  # type: ignore[union-attr]


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_a_window_opens_with_its_first_request_and_closes_after_its_length() -> None:
    clock = Clock()
    counter = MemoryCounter(clock)
    assert counter.hit("k", 10) == (1, 10.0)
    clock.now += 4
    assert counter.hit("k", 10) == (2, 6.0)
    clock.now += 6  # the window has closed: a new one opens
    assert counter.hit("k", 10) == (1, 10.0)


def test_keys_count_apart() -> None:
    counter = MemoryCounter(Clock())
    counter.hit("user:a", 10)
    counter.hit("user:a", 10)
    assert counter.hit("token:b", 10)[0] == 1


def test_closed_windows_are_dropped_as_the_table_grows() -> None:
    clock = Clock()
    counter = MemoryCounter(clock)
    for i in range(MemoryCounter.PRUNE_AT):
        counter.hit(f"k{i}", 1)
    clock.now += 2
    counter.hit("fresh", 1)
    assert len(counter._windows) == 1


class _OverTheWindow:
    """A counter whose fresh window comes back a hair over its length, as
    ``(now + window) - now`` can in floating point."""

    def hit(self, key: str, window: int) -> tuple[int, float]:
        return 1, window + 1e-9

    def reset(self) -> None:
        return None


def test_seconds_to_reset_never_exceed_the_window() -> None:
    policy = Policy(100, 60)
    limiter = RateLimiter(policy, _OverTheWindow())  # type: ignore[arg-type]
    req = SimpleNamespace(
        path="/client/v4/accounts",
        principal=SimpleNamespace(kind="api_key", user_id="u" * 32),
        rate=None,
    )
    assert limiter._count(req) == (1, 60)  # type: ignore[arg-type]
