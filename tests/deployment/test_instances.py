"""Two instances (separate ``cfaccounts serve`` processes) on one database: what one
writes the other reads within a poll interval, and what one revokes the other refuses
within a second, even for a credential the other has just used (a credential cache
would be warm).

The rule checked is "every request that starts a second or more after the revocation
was acknowledged is refused": it holds however slow the machine is, and a cache that
kept a revoked credential longer than a second would break it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from cfaccounts.storage.database import CHANGE_POLL

from .. import factories as f
from ..conftest import (
    ACCOUNT_SETTINGS_READ,
    DEMO_EMAIL,
    SUPER_ADMIN_ROLE,
    bearer,
    key_headers,
)
from .processes import ServeProcess

Pair = tuple[ServeProcess, ServeProcess]
REVOCATION_DEADLINE = 1.0


def _account_with_owner(name: str, *members: dict[str, Any]) -> dict[str, Any]:
    """A new account whose Super Administrator is the demo user, plus ``members``."""
    account = f.account(name)
    account["members"] = [f.member(DEMO_EMAIL, SUPER_ADMIN_ROLE), *members]
    return account


def _details(proc: ServeProcess, account_id: str, headers: dict[str, str]) -> Any:
    return httpx.get(f"{proc.base_url}/accounts/{account_id}", headers=headers)


def _assert_refused_after_deadline(
    check: Callable[[], httpx.Response], revoked_at: float, refusal: int
) -> None:
    """Poll for 1.5 s after the revocation; every request started at or after the
    deadline is refused with ``refusal`` (earlier ones may be either)."""
    samples: list[tuple[float, int]] = []
    while True:
        started = time.monotonic() - revoked_at
        if started > REVOCATION_DEADLINE + 0.5 and samples:
            break
        samples.append((started, check().status_code))
        time.sleep(0.02)
    late = [status for at, status in samples if at >= REVOCATION_DEADLINE]
    early = [status for at, status in samples if at < REVOCATION_DEADLINE]
    assert set(early) <= {200, refusal}
    assert late and set(late) == {refusal}, samples
    assert all(check().status_code == refusal for _ in range(3))


def _warm(check: Callable[[], httpx.Response]) -> None:
    for _ in range(3):
        assert check().status_code == 200


def test_a_write_through_one_instance_is_read_through_the_other(
    instances: Pair,
) -> None:
    a, b = instances
    user = f.user(api_key=f.api_key())
    account = f.account("Written Through A")
    account["members"] = [f.member(user["email"], SUPER_ADMIN_ROLE)]
    headers = key_headers(user["email"], user["api_key"])
    assert _details(b, account["id"], headers).status_code == 403

    a.seed({"users": [user], "accounts": [account]})

    r = _details(b, account["id"], headers)
    assert r.status_code == 200 and r.json()["result"]["name"] == "Written Through A"


def test_a_renamed_account_reads_renamed_through_the_other(instances: Pair) -> None:
    a, b = instances
    account = _account_with_owner("Before")
    a.seed({"accounts": [account]})
    assert (
        _details(b, account["id"], key_headers()).json()["result"]["name"] == "Before"
    )

    r = httpx.put(
        f"{a.base_url}/accounts/{account['id']}",
        headers=key_headers(),
        json={"id": account["id"], "name": "Renamed Through A"},
    )
    assert r.status_code == 200, r.text
    renamed_at = time.monotonic()
    # B kept the account it read; every request that starts a poll interval after
    # the rename was acknowledged reads the new name (earlier ones may read either).
    while True:
        started = time.monotonic() - renamed_at
        name = _details(b, account["id"], key_headers()).json()["result"]["name"]
        if started >= CHANGE_POLL:
            assert name == "Renamed Through A"
            break
        assert name in ("Before", "Renamed Through A")
        time.sleep(0.01)


def test_a_token_disabled_through_one_instance_is_refused_by_the_other_within_a_second(
    instances: Pair,
) -> None:
    a, b = instances
    user = f.user()
    account = _account_with_owner(
        "Token Disabled", f.member(user["email"], SUPER_ADMIN_ROLE)
    )
    value = f.token_value()
    token = f.token(value, f.allow(account["id"], ACCOUNT_SETTINGS_READ))
    a.seed({"users": [{**user, "tokens": [token]}], "accounts": [account]})

    def check() -> httpx.Response:
        return _details(b, account["id"], bearer(value))

    _warm(check)
    a.seed({"users": [{**user, "tokens": [{**token, "status": "disabled"}]}]})
    _assert_refused_after_deadline(check, time.monotonic(), 401)


def test_a_token_deleted_through_one_instance_is_refused_by_the_other_within_a_second(
    instances: Pair,
) -> None:
    a, b = instances
    account = _account_with_owner("Token Deleted")
    a.seed({"accounts": [account]})
    created = httpx.post(
        f"{a.base_url}/accounts/{account['id']}/tokens",
        headers=key_headers(),
        json={
            "name": "short-lived",
            "policies": [f.allow(account["id"], ACCOUNT_SETTINGS_READ)],
        },
    )
    assert created.status_code == 200, created.text
    token_id, value = created.json()["result"]["id"], created.json()["result"]["value"]

    def check() -> httpx.Response:
        return _details(b, account["id"], bearer(value))

    _warm(check)
    r = httpx.delete(
        f"{a.base_url}/accounts/{account['id']}/tokens/{token_id}",
        headers=key_headers(),
    )
    assert r.status_code == 200, r.text
    _assert_refused_after_deadline(check, time.monotonic(), 401)


def test_a_member_removed_through_one_instance_is_refused_by_the_other_within_a_second(
    instances: Pair,
) -> None:
    a, b = instances
    user = f.user(api_key=f.api_key())
    value = f.token_value()
    member = f.member(user["email"], SUPER_ADMIN_ROLE)
    account = _account_with_owner("Member Removed", member)
    user["tokens"] = [f.token(value, f.allow(account["id"], ACCOUNT_SETTINGS_READ))]
    a.seed({"users": [user], "accounts": [account]})

    def with_key() -> httpx.Response:
        return _details(b, account["id"], key_headers(user["email"], user["api_key"]))

    def with_token() -> httpx.Response:
        return _details(b, account["id"], bearer(value))

    _warm(with_key)
    _warm(with_token)
    r = httpx.delete(
        f"{a.base_url}/accounts/{account['id']}/members/{member['id']}",
        headers=key_headers(),
    )
    assert r.status_code == 200, r.text
    revoked_at = time.monotonic()
    _assert_refused_after_deadline(with_key, revoked_at, 403)
    # The user's own token no longer speaks for a member either.
    _assert_refused_after_deadline(with_token, revoked_at, 403)
