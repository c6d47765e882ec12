"""What authentication produces (a Principal) and what authorization decides (a
Decision that carries its reason, for logs, tests and the "why was I refused?"
question)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CredentialKind = Literal["api_key", "user_token", "account_token"]


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """The parts of a stored token that authorization needs."""

    id: str
    name: str
    kind: Literal["user", "account"]
    user_id: str | None
    account_id: str | None
    status: str
    policies: list[dict[str, Any]]
    condition: dict[str, Any] | None
    not_before: str | None
    expires_on: str | None
    # What the policies grant, per (resource, needed groups), remembered by
    # authorization: a grant lives in the read cache only until the data changes, so
    # its policies cannot change under what is remembered.
    granted: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    # The decisions made with this token, per (account, needed groups, what its
    # owner's membership holds), remembered the same way.
    decided: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller."""

    kind: CredentialKind
    user_id: str | None
    email: str | None
    token: TokenGrant | None = None

    @property
    def credential_id(self) -> str | None:
        """The id to log for this credential: the token id, or the user id."""
        return self.token.id if self.token else self.user_id

    @property
    def is_user_level(self) -> bool:
        return self.kind != "account_token"


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of a permission check, with what it was based on."""

    allowed: bool
    reason: str
    needed: frozenset[str] = frozenset()
    held: frozenset[str] = frozenset()
    policy_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "reason": self.reason,
            "needed": sorted(self.needed),
            "held": sorted(self.held),
            "policy_id": self.policy_id,
            **self.details,
        }
