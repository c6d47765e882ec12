"""Product categories of the audit log: named sets of ``resource_product`` values that
the v2 list's ``product_category`` filter expands to. Cloudflare curates its own;
these are this server's, covering the products it records."""

from __future__ import annotations

from typing import Any

# value -> (label, [(product value, product label), ...])
CATEGORIES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "account_and_billing": (
        "Account and billing",
        (("accounts", "Accounts"), ("members", "Members")),
    ),
    "identity_and_access": (
        "Identity and access",
        (("api_tokens", "API tokens"), ("members", "Members"), ("user", "User")),
    ),
}


def products(category: str) -> list[str] | None:
    """The products of a category (matched in any case), or None when unknown."""
    found = CATEGORIES.get(category.strip().lower())
    return None if found is None else [value for value, _ in found[1]]


def wire() -> list[dict[str, Any]]:
    return [
        {
            "value": value,
            "label": label,
            "products": [{"value": v, "label": lb} for v, lb in items],
        }
        for value, (label, items) in CATEGORIES.items()
    ]
