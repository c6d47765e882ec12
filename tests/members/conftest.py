"""Helpers for the member tests: people with keys and tokens, seeded into the demo
account with a chosen role, and a look at what the database holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from cfaccounts.storage import schema as s

from ..conftest import (
    ACCOUNT_SETTINGS_READ,
    ACCOUNT_SETTINGS_WRITE,
    DEMO_ACCOUNT,
    RunningServer,
)
from ..factories import allow, api_key, member, token, token_value, user

ADMINISTRATOR = "05784afa30c1afe1440e79d9351c7430"
ADMIN_READ_ONLY = "f2b20eaa1a5d4af42b53ac16238c99c7"
DNS_ROLE = "069fe803647ed3609e93d041d5df6050"
BILLING_ROLE = "298ce8e7a2ba08b9d18ce0a32bb458ee"
CUSTOM_ROLE = "3536bcfad5faccb999b47003c79917fb"  # "Account Reader" of the demo data
DEMO_MEMBER = "4536bcfad5faccb111b47003c79917fa"  # user@example.com, Super Admin


@dataclass
class Person:
    """A seeded user: their email, global key, and a user token that holds
    Account Settings Read and Write on the demo account."""

    id: str
    email: str
    key: str
    token: str
    member_id: str | None

    @property
    def key_credentials(self) -> dict[str, str]:
        return {"api_email": self.email, "api_key": self.key}

    @property
    def token_credentials(self) -> dict[str, str]:
        return {"api_token": self.token}


def person(
    server: RunningServer,
    *role_ids: str,
    status: str = "accepted",
    account_id: str = DEMO_ACCOUNT,
    **fields: Any,
) -> Person:
    """Seed a user who is a member of ``account_id`` with ``role_ids`` (no
    membership when no role is given)."""
    key, value = api_key(), token_value()
    grant = allow(account_id, ACCOUNT_SETTINGS_READ, ACCOUNT_SETTINGS_WRITE)
    u = user(api_key=key, tokens=[token(value, grant)], **fields)
    doc: dict[str, Any] = {"users": [u]}
    member_id = None
    if role_ids:
        m = member(u["email"], *role_ids, status=status)
        member_id = m["id"]
        doc["accounts"] = [{"id": account_id, "members": [m]}]
    server.seed(doc)
    return Person(u["id"], u["email"], key, value, member_id)


def member_count(server: RunningServer, account_id: str = DEMO_ACCOUNT) -> int:
    with server.app.services.db.read() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(s.members)
                .where(s.members.c.account_id == account_id)
            ).scalar_one()
        )


def member_events(server: RunningServer) -> list[Any]:
    """The audit events recorded for members, oldest first."""
    a = s.audit_logs.c
    with server.app.services.db.read() as conn:
        return list(
            conn.execute(
                select(a.action_type, a.action_description, a.resource_id, a.after)
                .where(a.resource_product == "members")
                .order_by(a.seq)
            ).all()
        )
