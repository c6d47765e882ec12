"""What is measured: one case per operation, each a list of requests spread over a
sample of accounts and credentials from the generated data."""

from __future__ import annotations

import http.client
import json
import random
from collections.abc import Callable
from dataclasses import dataclass

from .data import Dataset
from .wrk import Req

API = "/client/v4"


def _bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("Authorization", f"Bearer {token}"),)


def _key(data: Dataset, user: int) -> tuple[tuple[str, str], ...]:
    return (("X-Auth-Email", data.email(user)), ("X-Auth-Key", data.api_key(user)))


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    build: Callable[[Dataset, list[int]], list[Req]]
    writes: bool = False


def _details_token(d: Dataset, sample: list[int]) -> list[Req]:
    return [
        Req("GET", f"{API}/accounts/{d.account_id(i)}", _bearer(d.user_token(i)))
        for i in sample
    ]


def _details_key(d: Dataset, sample: list[int]) -> list[Req]:
    return [Req("GET", f"{API}/accounts/{d.account_id(i)}", _key(d, i)) for i in sample]


def _accounts_list(d: Dataset, sample: list[int]) -> list[Req]:
    return [
        Req("GET", f"{API}/accounts?per_page=50", _key(d, d.wide_user(k)))
        for k in range(d.wide_users)
    ]


def _member_details(d: Dataset, sample: list[int]) -> list[Req]:
    return [
        Req(
            "GET",
            f"{API}/accounts/{d.account_id(i)}/members/{d.member_id(i, 1)}",
            _bearer(d.user_token(i)),
        )
        for i in sample
    ]


def _token_verify(d: Dataset, sample: list[int]) -> list[Req]:
    return [
        Req("GET", f"{API}/user/tokens/verify", _bearer(d.user_token(i)))
        for i in sample
    ]


def _token_create(d: Dataset, sample: list[int]) -> list[Req]:
    from cfaccounts.catalog import catalogue

    asr = catalogue().group("Account Settings Read").id
    out = []
    for i in sample:
        body = {
            "name": "bench created token",
            "policies": [
                {
                    "effect": "allow",
                    "resources": {f"com.cloudflare.api.account.{d.account_id(i)}": "*"},
                    "permission_groups": [{"id": asr}],
                }
            ],
        }
        out.append(
            Req(
                "POST",
                f"{API}/user/tokens",
                (*_bearer(d.user_token(i)), ("Content-Type", "application/json")),
                json.dumps(body, separators=(",", ":")),
            )
        )
    return out


CASES: tuple[Case, ...] = (
    Case("details_token", "Account Details, user token", _details_token),
    Case("details_key", "Account Details, global key", _details_key),
    Case("accounts_list", "List Accounts, per_page 50", _accounts_list),
    Case("member_details", "Member Details, user token", _member_details),
    Case("token_verify", "Verify Token (user)", _token_verify),
    Case("token_create", "Create Token (user)", _token_create, writes=True),
)
CASE_NAMES = tuple(c.name for c in CASES)


def sample(data: Dataset, size: int, seed: int = 7) -> list[int]:
    """Which accounts (and their owners) the requests go to: a fixed random sample,
    so that reruns touch the same rows."""
    rng = random.Random(seed)
    if size >= data.n:
        indexes = list(range(data.n))
        rng.shuffle(indexes)
        return indexes
    return rng.sample(range(data.n), size)


def probe(port: int, req: Req) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Send one request; its status, body and headers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = dict(req.headers)
        conn.request(req.method, req.path, body=req.body, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, body, [(k.lower(), v) for k, v in resp.getheaders()]
    finally:
        conn.close()


def unavailable(status: int, body: bytes) -> str | None:
    """Why a probe's answer means the case cannot be measured (None if it can)."""
    if status == 200:
        return None
    try:
        codes = [e.get("code") for e in json.loads(body).get("errors", [])]
    except (ValueError, AttributeError):
        codes = []
    if status in (404, 405) and 7000 in codes:
        return "not implemented yet (no route)"
    return f"probe answered {status} {body[:200].decode(errors='replace')}"
