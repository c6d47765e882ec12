"""The user as the API shows it."""

from __future__ import annotations

from typing import Any

# Profile fields a user may edit, with their longest allowed value.
PROFILE_FIELDS = {
    "first_name": 60,
    "last_name": 60,
    "telephone": 20,
    "country": 30,
    "zipcode": 20,
}


def user(
    row: Any, organizations: list[dict[str, Any]], two_factor_locked: bool
) -> dict[str, Any]:
    """``organizations`` are the legacy organization objects of the user's
    memberships; ``two_factor_locked`` says whether an account the user belongs to
    requires two-factor authentication."""
    out: dict[str, Any] = {"id": row.id, "email": row.email}
    for name in PROFILE_FIELDS:
        out[name] = getattr(row, name)
    out.update(
        {
            "betas": [],
            # There are no zones in cfaccounts, so no plan of any zone.
            "has_pro_zones": False,
            "has_business_zones": False,
            "has_enterprise_zones": False,
            "suspended": bool(row.suspended),
            "two_factor_authentication_enabled": bool(row.two_factor_enabled),
            "two_factor_authentication_locked": two_factor_locked,
            "organizations": organizations,
        }
    )
    return out
