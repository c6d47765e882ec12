"""Listing members: pages to the end, ordering, direction and the status filter."""

from __future__ import annotations

from typing import Any

import cloudflare
import httpx
import pytest

from ..conftest import (
    DEMO_ACCOUNT,
    DEMO_EMAIL,
    DEMO_KEY,
    VIEWER_EMAIL,
    RunningServer,
    async_sdk,
    key_headers,
)
from ..factories import member, user
from .conftest import DNS_ROLE

# (first name, last name, email, status); the demo account already has
# user@example.com (John Appleseed) and viewer@example.com (no names).
PEOPLE = [
    ("Carol", "Zed", "carol@example.com", "accepted"),
    ("alice", "Young", "alice@example.com", "pending"),
    ("Bob", "Xavier", "bob@example.com", "accepted"),
    ("Dave", "Ward", "dave@example.com", "pending"),
]
INVITED = "zoe-invited@example.org"  # an invitation: no user, no names


@pytest.fixture
def crowd(server: RunningServer) -> None:
    users = [user(e, first_name=f, last_name=la) for f, la, e, _ in PEOPLE]
    members = [member(e, DNS_ROLE, status=st) for _, _, e, st in PEOPLE]
    members.append(member(INVITED, DNS_ROLE, status="pending"))
    server.seed(
        {"users": users, "accounts": [{"id": DEMO_ACCOUNT, "members": members}]}
    )


def _emails(client: cloudflare.Cloudflare, **query: Any) -> list[str]:
    return [
        m.email or ""
        for m in client.accounts.members.list(account_id=DEMO_ACCOUNT, **query)
    ]


def test_pages_through_every_member_to_the_end(
    server: RunningServer, key_client: cloudflare.Cloudflare
) -> None:
    members = [
        member(f"m{i:02}@example.net", DNS_ROLE, status="pending") for i in range(11)
    ]
    server.seed({"accounts": [{"id": DEMO_ACCOUNT, "members": members}]})
    pages = list(
        key_client.accounts.members.list(
            account_id=DEMO_ACCOUNT, per_page=5
        ).iter_pages()
    )
    sizes = [len(p.result) for p in pages]
    assert sizes == [5, 5, 3, 0]  # 13 members; the SDK stops at the empty page
    emails = [m.email for p in pages for m in p.result]
    assert len(set(emails)) == 13
    # without an order, members come in the order they were added
    assert set(emails[:2]) == {DEMO_EMAIL, VIEWER_EMAIL}


def test_without_an_order_members_come_as_they_were_added(
    key_client: cloudflare.Cloudflare,
) -> None:
    added = ["k@example.net", "b@example.net", "x@example.net"]
    for email in added:
        key_client.accounts.members.create(
            account_id=DEMO_ACCOUNT, email=email, roles=[DNS_ROLE]
        )
    assert _emails(key_client)[2:] == added
    assert _emails(key_client, direction="desc")[:3] == added[::-1]


def test_page_past_the_end_is_empty(http: httpx.Client) -> None:
    r = http.get(
        f"/accounts/{DEMO_ACCOUNT}/members",
        params={"page": "3.0", "per_page": 5},
        headers=key_headers(),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["result"] == []
    assert body["result_info"] == {
        "page": 3,
        "per_page": 5,
        "count": 0,
        "total_count": 2,
        "total_pages": 1,
    }


@pytest.mark.usefixtures("crowd")
@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (
            "user.first_name",
            [
                "alice@example.com",
                "bob@example.com",
                "carol@example.com",
                "dave@example.com",
                DEMO_EMAIL,  # John
            ],
        ),
        (
            "user.last_name",
            [
                DEMO_EMAIL,  # Appleseed
                "dave@example.com",
                "bob@example.com",
                "alice@example.com",
                "carol@example.com",
            ],
        ),
    ],
)
def test_order_by_name_puts_members_without_one_last(
    key_client: cloudflare.Cloudflare, order: str, expected: list[str]
) -> None:
    emails = _emails(key_client, order=order)
    assert emails[:5] == expected
    assert set(emails[5:]) == {VIEWER_EMAIL, INVITED}
    descending = _emails(key_client, order=order, direction="desc")
    assert descending[:5] == expected[::-1]
    assert set(descending[5:]) == {VIEWER_EMAIL, INVITED}


@pytest.mark.usefixtures("crowd")
def test_order_by_email_and_status(key_client: cloudflare.Cloudflare) -> None:
    by_email = _emails(key_client, order="user.email")
    assert by_email == sorted(by_email)
    assert _emails(key_client, order="user.email", direction="desc") == by_email[::-1]
    statuses = [
        m.status
        for m in key_client.accounts.members.list(
            account_id=DEMO_ACCOUNT, order="status", direction="desc"
        )
    ]
    assert statuses == ["pending"] * 3 + ["accepted"] * 4


@pytest.mark.usefixtures("crowd")
def test_status_filter(key_client: cloudflare.Cloudflare) -> None:
    pending = _emails(key_client, status="pending", order="user.email")
    assert pending == ["alice@example.com", "dave@example.com", INVITED]
    accepted = _emails(key_client, status="accepted")
    assert len(accepted) == 4 and DEMO_EMAIL in accepted
    assert _emails(key_client, status="rejected") == []


@pytest.mark.usefixtures("crowd")
async def test_async_list_with_order_and_filter(server: RunningServer) -> None:
    async with async_sdk(server, api_email=DEMO_EMAIL, api_key=DEMO_KEY) as client:
        emails = [
            m.email
            async for m in client.accounts.members.list(
                account_id=DEMO_ACCOUNT,
                status="accepted",
                order="user.email",
                direction="desc",
                per_page=5,
            )
        ]
    assert emails == sorted(
        [DEMO_EMAIL, VIEWER_EMAIL, "bob@example.com", "carol@example.com"], reverse=True
    )


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("order", "user.age"),
        ("status", "invited"),
        ("direction", "up"),
        ("per_page", "100"),
        ("page", "0"),
    ],
)
def test_bad_list_parameters_are_refused(
    http: httpx.Client, param: str, value: str
) -> None:
    r = http.get(
        f"/accounts/{DEMO_ACCOUNT}/members",
        params={param: value},
        headers=key_headers(),
    )
    assert r.status_code == 400
    assert param in r.json()["errors"][0]["message"]
