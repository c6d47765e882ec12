"""Many clients writing to the same account, member or token at once, through a
server with several worker processes: no 500, no lost update, and uniqueness holds
(one member per email per account, distinct ids)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from cfaccounts.storage import schema as s
from cfaccounts.storage.database import Database

from .. import factories as f
from ..conftest import ACCOUNT_SETTINGS_READ, DEMO_EMAIL, SUPER_ADMIN_ROLE, key_headers
from .processes import ServeProcess

CLIENTS = 6
EACH = 4


@contextmanager
def _database(proc: ServeProcess) -> Iterator[Database]:
    db = Database(proc.database_url)
    try:
        yield db
    finally:
        db.dispose()


def _count(proc: ServeProcess, query: Any) -> int:
    with _database(proc) as db, db.read() as conn:
        return int(conn.execute(query).scalar_one())


def _race(
    calls: list[Callable[[httpx.Client], httpx.Response]],
) -> list[httpx.Response]:
    """Run the calls from CLIENTS threads that start together."""
    barrier = threading.Barrier(min(CLIENTS, len(calls)))
    chunks = [calls[i::CLIENTS] for i in range(CLIENTS)]

    def client(chunk: list[Callable[[httpx.Client], httpx.Response]]) -> list[Any]:
        with httpx.Client(timeout=30) as http:
            barrier.wait(30)
            return [call(http) for call in chunk]

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = pool.map(client, [c for c in chunks if c])
        return [r for chunk in results for r in chunk]


def _new_account(workers: ServeProcess) -> str:
    account = f.account("Contended")
    account["members"] = [f.member(DEMO_EMAIL, SUPER_ADMIN_ROLE)]
    workers.seed({"accounts": [account]})
    return str(account["id"])


def _statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


def test_concurrent_renames_of_one_account_all_land_and_each_is_audited(
    workers: ServeProcess,
) -> None:
    account_id = _new_account(workers)
    names = [f"Name {i}" for i in range(CLIENTS * EACH)]
    url = f"{workers.base_url}/accounts/{account_id}"

    def rename(name: str) -> Callable[[httpx.Client], httpx.Response]:
        return lambda http: http.put(
            url, headers=key_headers(), json={"id": account_id, "name": name}
        )

    responses = _race([rename(n) for n in names])
    assert _statuses(responses) == [200] * len(names), [r.text for r in responses]
    final = httpx.get(url, headers=key_headers()).json()["result"]["name"]
    assert final in names
    audited = _count(
        workers,
        select(func.count())
        .select_from(s.audit_logs)
        .where(s.audit_logs.c.account_id == account_id)
        .where(s.audit_logs.c.action_type == "update"),
    )
    assert audited == len(names)


def test_concurrent_member_additions_are_all_kept_with_distinct_ids(
    workers: ServeProcess,
) -> None:
    account_id = _new_account(workers)
    emails = [f"m{i}-{f.api_key()[:6]}@example.com" for i in range(CLIENTS * EACH)]
    url = f"{workers.base_url}/accounts/{account_id}/members"

    def add(email: str) -> Callable[[httpx.Client], httpx.Response]:
        return lambda http: http.post(
            url,
            headers=key_headers(),
            json={"email": email, "roles": [SUPER_ADMIN_ROLE]},
        )

    responses = _race([add(e) for e in emails])
    assert _statuses(responses) == [200] * len(emails), [r.text for r in responses]
    ids = {r.json()["result"]["id"] for r in responses}
    assert len(ids) == len(emails)
    stored = _count(
        workers,
        select(func.count())
        .select_from(s.members)
        .where(s.members.c.account_id == account_id),
    )
    assert stored == len(emails) + 1  # and the owner


def test_one_email_added_by_many_clients_at_once_makes_one_member(
    workers: ServeProcess,
) -> None:
    account_id = _new_account(workers)
    email = f"same-{f.api_key()[:8]}@example.com"
    url = f"{workers.base_url}/accounts/{account_id}/members"
    body = {"email": email, "roles": [SUPER_ADMIN_ROLE]}

    responses = _race(
        [lambda http: http.post(url, headers=key_headers(), json=body)] * (CLIENTS * 2)
    )
    statuses = _statuses(responses)
    assert statuses.count(200) == 1, [r.text for r in responses]
    assert all(400 <= code < 500 for code in statuses if code != 200), statuses
    stored = _count(
        workers,
        select(func.count())
        .select_from(s.members)
        .where(s.members.c.account_id == account_id, s.members.c.email == email),
    )
    assert stored == 1


def test_one_member_seeded_under_different_ids_at_once_is_stored_once(
    workers: ServeProcess,
) -> None:
    account_id = _new_account(workers)
    email = f"seeded-{f.api_key()[:8]}@example.com"

    def seed() -> Callable[[httpx.Client], httpx.Response]:
        doc = {
            "accounts": [
                {
                    "id": account_id,
                    "name": "Contended",
                    "members": [f.member(email, SUPER_ADMIN_ROLE)],
                }
            ]
        }
        return lambda http: http.post(
            f"{workers.url}/_cfaccounts/seed",
            headers={"Authorization": f"Bearer {workers.admin_token}"},
            json=doc,
        )

    responses = _race([seed() for _ in range(CLIENTS * 2)])
    statuses = _statuses(responses)
    assert statuses.count(200) == 1 and set(statuses) <= {200, 400, 409}, statuses
    stored = _count(
        workers,
        select(func.count())
        .select_from(s.members)
        .where(s.members.c.account_id == account_id, s.members.c.email == email),
    )
    assert stored == 1


@pytest.mark.parametrize("operation", ["update", "roll"])
def test_concurrent_changes_to_one_token_leave_exactly_the_last_one(
    workers: ServeProcess, operation: str
) -> None:
    account_id = _new_account(workers)
    tokens = f"{workers.base_url}/accounts/{account_id}/tokens"
    policies = [f.allow(account_id, ACCOUNT_SETTINGS_READ)]
    created = httpx.post(
        tokens, headers=key_headers(), json={"name": "contended", "policies": policies}
    )
    assert created.status_code == 200, created.text
    token_id = created.json()["result"]["id"]
    n = CLIENTS * EACH

    def change(i: int) -> Callable[[httpx.Client], httpx.Response]:
        if operation == "roll":
            return lambda http: http.put(
                f"{tokens}/{token_id}/value", headers=key_headers(), json={}
            )
        return lambda http: http.put(
            f"{tokens}/{token_id}",
            headers=key_headers(),
            json={"name": f"name {i}", "policies": policies},
        )

    responses = _race([change(i) for i in range(n)])
    assert _statuses(responses) == [200] * n, [r.text for r in responses]
    if operation == "update":
        name = httpx.get(f"{tokens}/{token_id}", headers=key_headers()).json()
        assert name["result"]["name"] in {f"name {i}" for i in range(n)}
        return
    values = [r.json()["result"] for r in responses]
    assert len(set(values)) == n
    working = [
        v
        for v in values
        if httpx.get(
            f"{workers.base_url}/accounts/{account_id}",
            headers={"Authorization": f"Bearer {v}"},
        ).status_code
        == 200
    ]
    assert len(working) == 1
