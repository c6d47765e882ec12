"""Authentication: from request headers to a Principal, or the real API's error.

Header precedence follows the official SDKs: when ``X-Auth-Email`` or ``X-Auth-Key`` is
present the request is judged by the global API key, and an ``Authorization`` header
beside them is ignored (the SDK sends the key pair and drops the token when both are
configured).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import orjson

from .. import errors, times
from ..storage.cache import ReadCache
from ..storage.database import Database
from ..tokens.usage import UsageRecorder
from ..tokens.wire import status as shown_status
from . import store
from .policy import ip_allowed
from .principal import Principal, TokenGrant
from .secrets import SecretHasher, is_global_key_format, is_token_format

EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")


def _header_error(*chain: errors.ErrorSpec) -> errors.ApiError:
    return errors.INVALID_HEADERS().with_chain(*chain)


class Authenticator:
    def __init__(self, db: Database, hasher: SecretHasher, cache: ReadCache) -> None:
        self.db = db
        self.hasher = hasher
        # Every successful token authentication is a use of the token; the recorder
        # writes last_used_on behind the request.
        self.usage = UsageRecorder(db)
        # Credential lookups, kept until the data changes (see storage/cache.py).
        self.cache = cache

    def authenticate(self, headers: Mapping[str, str], client_ip: str) -> Principal:
        email = headers.get("x-auth-email")
        key = headers.get("x-auth-key")
        if email is not None or key is not None:
            return self._global_key(email, key)
        authorization = headers.get("authorization")
        if authorization is not None:
            return self._token(authorization, client_ip)
        raise errors.MISSING_CREDENTIALS()

    def bearer_value(self, headers: Mapping[str, str]) -> str | None:
        """The token in a well-formed ``Authorization: Bearer`` header, if any."""
        authorization = headers.get("authorization")
        if authorization is None:
            return None
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not is_token_format(value):
            return None
        return value

    def _global_key(self, email: str | None, key: str | None) -> Principal:
        chain = []
        if email is None or len(email) > 90 or not EMAIL_RE.fullmatch(email.strip()):
            chain.append(errors.BAD_EMAIL_HEADER)
        if key is None or not is_global_key_format(key.strip()):
            chain.append(errors.BAD_KEY_HEADER)
        if chain:
            raise _header_error(*chain)
        assert email is not None and key is not None
        found = self._user_key(email.strip().lower())
        if found is None or not self.hasher.matches(key.strip(), found[1]):
            if found is None:
                self.hasher.matches(key.strip(), None)
            raise errors.UNKNOWN_KEY().because(
                "no user has this email" if found is None else "the key does not match"
            )
        return found[0]

    def _token(self, authorization: str, client_ip: str) -> Principal:
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not is_token_format(value):
            raise _header_error(errors.BAD_AUTHORIZATION_HEADER)
        principal = self._token_principal(self.hasher.hash(value))
        if principal is None:
            raise errors.INVALID_TOKEN().because("no token has this value")
        grant = principal.token
        assert grant is not None
        if (
            grant.status != "active"
            or grant.expires_on is not None
            or grant.not_before is not None
        ):
            now = times.now_db()
            status = shown_status(grant.status, grant.expires_on, now)
            if status != "active":
                raise errors.INVALID_TOKEN().because(f"the token is {status}")
            if grant.not_before is not None and grant.not_before > now:
                raise errors.INVALID_TOKEN().because(
                    f"the token is not valid before {times.wire(grant.not_before)}"
                )
        if grant.condition is not None and not ip_allowed(grant.condition, client_ip):
            raise errors.BAD_LOCATION(ip=client_ip)
        self.usage.touch(grant.id)
        return principal

    def _user_key(self, email: str) -> tuple[Principal, str | None] | None:
        """The caller the user with this email makes with their key, and the key's
        hash (cached until the data changes)."""

        def load() -> tuple[Principal, str | None] | None:
            user = store.fetch_user_key(self.db, email)
            if user is None:
                return None
            return Principal("api_key", user.id, user.email), user.api_key_hash

        found: tuple[Principal, str | None] | None
        found = self.cache.read("user", email, load)
        return found

    def _token_principal(self, value_hash: str) -> Principal | None:
        """The caller a stored token with this value hash makes (its grant and its
        owner's email), or None if there is none (or its owner is gone). Cached until
        the data changes; the checks that depend on the time or the caller run on
        every request."""
        cache = self.cache
        found = cache.get("token", value_hash)
        if found is not cache.MISSING:
            return found  # type: ignore[no-any-return]
        generation = cache.generation()
        row = store.fetch_token(self.db, value_hash)
        if row is None or (row.kind == "user" and row.email is None):
            return None
        grant = TokenGrant(
            id=row.id,
            name=row.name,
            kind=row.kind,
            user_id=row.user_id,
            account_id=row.account_id,
            status=row.status,
            policies=orjson.loads(row.policies),
            condition=orjson.loads(row.condition) if row.condition else None,
            not_before=row.not_before,
            expires_on=row.expires_on,
        )
        if grant.kind == "user":
            principal = Principal("user_token", grant.user_id, row.email, grant)
        else:
            principal = Principal("account_token", None, None, grant)
        cache.put("token", value_hash, principal, generation)
        return principal
