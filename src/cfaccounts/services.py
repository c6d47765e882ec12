"""Everything a request handler may need, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .auth.authenticate import Authenticator
from .auth.authorize import Authorizer
from .auth.secrets import SecretHasher
from .catalog import Catalogue, catalogue
from .config import Settings
from .faults.registry import FaultRegistry
from .storage.cache import ReadCache
from .storage.database import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    catalogue: Catalogue
    hasher: SecretHasher
    authenticator: Authenticator
    authorizer: Authorizer
    # Credentials and memberships the request path reads, kept until the data
    # changes.
    reads: ReadCache
    seed_report: Any = None
    # Fault rules for testing clients (admin API /_cfaccounts/faults); empty unless
    # someone adds one, and then consulted for every API request.
    faults: FaultRegistry = field(default_factory=FaultRegistry)
    # The rate limiter when limits are on (its counters are cleared by a reset).
    rate_limiter: Any = None
    # The recent-request ring behind the dashboard (None when turned off).
    request_log: Any = None

    @classmethod
    def build(cls, settings: Settings, db: Database | None = None) -> Services:
        db = db or Database(settings.database_url)
        hasher = SecretHasher(db.secret_key(settings.secret_key))
        cat = catalogue()
        reads = ReadCache(db)
        return cls(
            settings=settings,
            db=db,
            catalogue=cat,
            hasher=hasher,
            authenticator=Authenticator(db, hasher, reads),
            authorizer=Authorizer(db, cat, reads),
            reads=reads,
        )
