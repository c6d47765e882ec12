"""Authorization: may this principal use one of a route's permission groups here?

A global API key is judged by the caller's membership of the account: the member's
roles (through the role table) and member policies give a set of permission groups. A
user token must hold the group in its own policies *and* its owner must still be an
accepted member holding it, so removing a member or a role takes effect at once. An
account-owned token acts only on its own account, through its policies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import Connection

from ..catalog import Catalogue
from ..storage.cache import ReadCache
from ..storage.database import Database
from . import store
from .policy import (
    ACCOUNT_PREFIX,
    USER_PREFIX,
    ResourceTest,
    all_token_groups,
    covers_account,
    covers_user,
    token_groups,
)
from .principal import Decision, Principal, TokenGrant


class Authorizer:
    def __init__(self, db: Database, catalogue: Catalogue, cache: ReadCache) -> None:
        self.db = db
        self.catalogue = catalogue
        # Membership lookups of the request path, kept until the data changes (see
        # storage/cache.py).
        self.cache = cache
        # Built-in roles never change while the process runs: the groups of each
        # combination of them seen in a member row, computed once.
        self._builtin: dict[str, tuple[frozenset[str], bool]] = {}
        # Decisions for global keys, by what is needed and what the member holds
        # (roles give the same groups on every account).
        self._key_decisions: dict[Any, Decision] = {}

    # -- accounts ----------------------------------------------------------------------
    def on_account(
        self, principal: Principal, account_id: str, needed: frozenset[str]
    ) -> Decision:
        """Decide whether ``principal`` holds one of ``needed`` on the account. An
        account that does not exist is refused exactly like one that is not the
        caller's."""
        token = principal.token
        if principal.kind == "account_token":
            held, manage = None, False
        else:
            held, manage = self.cached_member_groups(account_id, principal.email)
            if held is None:
                return Decision(False, "not a member of the account", needed)
        # A decision follows from what the credential and the membership hold, both
        # read once per change of the data: it is worked out once for each of them
        # (with the token it belongs to, or here for a key) and reused.
        key: tuple[Any, ...] = (needed, held, manage)
        if token is None:  # a global key: the account itself does not matter
            memo, bound = self._key_decisions, KEY_DECISIONS_REMEMBERED
        else:
            memo, key, bound = token.decided, (account_id, *key), GRANTS_REMEMBERED
        decision: Decision | None = memo.get(key)
        if decision is None:
            decision = _decide_on_account(principal, account_id, needed, held, manage)
            if len(memo) < bound:
                memo[key] = decision
        return decision

    def member_groups(
        self, conn: Connection, account_id: str, email: str | None
    ) -> tuple[frozenset[str] | None, bool]:
        """The groups an accepted member holds on the account (None if not a member),
        and whether the member may manage members."""
        if email is None:
            return None, False
        member = store.accepted_member(conn, account_id, email)
        if member is None:
            return None, False
        return self._groups_of(conn, account_id, member.roles, member.policies)

    def cached_member_groups(
        self, account_id: str, email: str | None
    ) -> tuple[frozenset[str] | None, bool]:
        """``member_groups`` for the request path: the member row on the fast path,
        a transaction only for custom roles or member policies, and the result kept
        until the data changes (see storage/cache.py)."""
        if email is None:
            return None, False
        cache = self.cache
        key = (account_id, email)
        found = cache.get("member", key)
        if found is not cache.MISSING:
            return found  # type: ignore[no-any-return]
        generation = cache.generation()
        member = store.fetch_accepted_member(self.db, account_id, email)
        if member is None:
            return None, False
        found = self._groups_of(None, account_id, member.roles, member.policies)
        cache.put("member", key, found, generation)
        return found

    def _groups_of(
        self,
        conn: Connection | None,
        account_id: str,
        roles: str,
        policies: str | None,
    ) -> tuple[frozenset[str], bool]:
        """The groups and manage flag of a member's roles and policies (JSON text).
        Built-in roles need no database; custom roles and policies are read on
        ``conn``, or in a read transaction of their own when it is None."""
        if not policies:
            known = self._builtin.get(roles)
            if known is not None:
                return known
        role_ids = orjson.loads(roles)
        if conn is None and (
            policies or any(r not in self.catalogue.roles_by_id for r in role_ids)
        ):
            with self.db.read() as own:
                return self._groups_of(own, account_id, roles, policies)
        # Any accepted member may see the account itself, whatever its roles.
        groups: set[str] = {self.catalogue.group("Account Settings Read").id}
        manage = False
        custom: dict[str, dict[str, Any]] | None = None
        for role_id in role_ids:
            builtin = self.catalogue.roles_by_id.get(role_id)
            if builtin is not None:
                groups |= builtin.permission_groups
                manage = manage or builtin.manage_members
                continue
            if custom is None:
                assert conn is not None
                custom = store.custom_roles(conn, account_id)
            if role_id in custom:
                g, m = self.catalogue.custom_role_groups(custom[role_id])
                groups |= g
                manage = manage or m
        if policies:
            assert conn is not None
            g, m = self._member_policy_groups(conn, account_id, orjson.loads(policies))
            groups |= g
            manage = manage or m
        result = frozenset(groups), manage
        if custom is None and not policies and len(self._builtin) < 1024:
            self._builtin[roles] = result
        return result

    def _member_policy_groups(
        self, conn: Connection, account_id: str, policies: list[dict[str, Any]]
    ) -> tuple[frozenset[str], bool]:
        account_key = ACCOUNT_PREFIX + account_id
        scopes = store.resource_groups(conn, account_id)

        def covers(policy: dict[str, Any]) -> bool:
            for rg in policy.get("resource_groups", ()):
                scope = scopes.get(rg.get("id"))
                if (
                    scope
                    and scope.get("key") == account_key
                    and any(o.get("key") == "*" for o in scope.get("objects", ()))
                ):
                    return True
            return False

        allowed: set[str] = set()
        denied: set[str] = set()
        manage = False
        for policy in policies:
            if not covers(policy):
                continue
            for pg in policy.get("permission_groups", ()):
                role = self.catalogue.roles_by_id.get(pg.get("id"))
                if role is None:
                    continue
                if policy.get("access") == "deny":
                    denied |= role.permission_groups
                else:
                    allowed |= role.permission_groups
                    manage = manage or role.manage_members
        return frozenset(allowed - denied), manage

    # -- the user ----------------------------------------------------------------------
    def on_user(self, principal: Principal, needed: frozenset[str]) -> Decision:
        """Decide a user-level route (``/user…``). The global key may do anything to
        its own user; a user token needs one of ``needed`` on
        ``com.cloudflare.api.user.<id>``."""
        if principal.kind == "api_key":
            return Decision(True, "global API key of the user", needed, needed)
        token = principal.token
        assert token is not None and principal.user_id is not None
        if not needed:
            return Decision(True, "no permission group required", needed)
        granted, allow_id, deny_id = _remembered(
            token,
            USER_PREFIX + principal.user_id,
            covers_user,
            principal.user_id,
            needed,
        )
        if granted:
            return Decision(True, "token policy allows", needed, granted, allow_id)
        return _token_refusal(needed, deny_id)

    def token_groups_on_account(
        self, principal: Principal, account_id: str
    ) -> frozenset[str]:
        """Every group a token principal holds on an account (for the rule that a
        token cannot grant more than its creator holds)."""
        token = principal.token
        if token is None:
            return frozenset()
        return all_token_groups(token.policies, covers_account(account_id))


# Per token, how many (resource, groups) answers are remembered: a token on every
# account (``com.cloudflare.api.account.*``) must not grow without bound.
GRANTS_REMEMBERED = 256
# Global-key decisions differ only by route and role set: a few hundred at most.
KEY_DECISIONS_REMEMBERED = 4096

Grants = tuple[frozenset[str], str | None, str | None]


def _decide_on_account(
    principal: Principal,
    account_id: str,
    needed: frozenset[str],
    held: frozenset[str] | None,
    manage: bool,
) -> Decision:
    """``Authorizer.on_account`` given what the caller's membership holds (``held``
    is None for an account token, which needs no membership)."""
    token = principal.token
    if principal.kind == "account_token":
        assert token is not None
        if token.account_id != account_id:
            return Decision(False, "account token of another account", needed)
        granted, allow_id, deny_id = _on_account(token, account_id, needed)
        if granted:
            return Decision(True, "token policy allows", needed, granted, allow_id)
        return _token_refusal(needed, deny_id)
    assert held is not None
    member_hit = held & needed
    details = {"manage_members": manage}
    if principal.kind == "api_key":
        if member_hit:
            return Decision(
                True, "member role allows", needed, member_hit, None, details
            )
        return Decision(
            False,
            "no member role grants a needed group",
            needed,
            member_hit,
            None,
            details,
        )
    assert token is not None
    granted, allow_id, deny_id = _on_account(token, account_id, needed)
    both = granted & member_hit
    if both:
        return Decision(True, "token policy allows", needed, both, allow_id, details)
    if granted:
        return Decision(
            False,
            "token allows but its owner's membership does not",
            needed,
            frozenset(),
            allow_id,
            details,
        )
    refusal = _token_refusal(needed, deny_id)
    return Decision(False, refusal.reason, needed, frozenset(), deny_id, details)


def _on_account(token: TokenGrant, account_id: str, needed: frozenset[str]) -> Grants:
    return _remembered(
        token, ACCOUNT_PREFIX + account_id, covers_account, account_id, needed
    )


def _remembered(
    token: TokenGrant,
    resource: str,
    covers: Callable[[str], ResourceTest],
    resource_id: str,
    needed: frozenset[str],
) -> Grants:
    """``token_groups`` of a token on a resource, remembered on the cached grant."""
    key = (resource, needed)
    found: Grants | None = token.granted.get(key)
    if found is None:
        found = token_groups(token.policies, covers(resource_id), needed)
        if len(token.granted) < GRANTS_REMEMBERED:
            token.granted[key] = found
    return found


def _token_refusal(needed: frozenset[str], deny_id: str | None) -> Decision:
    if deny_id is not None:
        return Decision(
            False, "a deny policy removes the needed groups", needed, policy_id=deny_id
        )
    return Decision(False, "no token policy grants a needed group", needed)
