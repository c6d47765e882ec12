"""Memberships, and the legacy organizations, as the API shows them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ..accounts import wire as accounts_wire
from .service import Grants

# The legacy organization object says "member" and "invited" where memberships say
# "accepted" and "pending".
ORGANIZATION_STATUS = {"accepted": "member", "pending": "invited"}


def account(row: Any) -> dict[str, Any]:
    """The account of a joined membership row."""
    return accounts_wire.account(
        SimpleNamespace(
            id=row.account_id,
            name=row.account_name,
            type=row.account_type,
            settings=row.account_settings,
            created_on=row.account_created_on,
            managed_by=row.account_managed_by,
        )
    )


def membership(
    row: Any,
    grants: Grants,
    *,
    status: str | None = None,
    policies: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "account": account(row),
        "permissions": grants.permissions,
        "roles": grants.role_names,
        "status": status or row.status,
    }
    if policies is not None:
        out["policies"] = policies
    return out


def organization(row: Any, grants: Grants) -> dict[str, Any]:
    return {
        "id": row.account_id,
        "name": row.account_name,
        "permissions": grants.permission_keys(),
        "roles": grants.role_names,
        "status": ORGANIZATION_STATUS.get(row.status, row.status),
    }
