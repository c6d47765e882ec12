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

# A cached page of 50 accounts is about 15 KB: 2,000 of them stay under 30 MB.
PAGE_ENTRIES = 2_000


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
    # Whole pages of the busiest lists, under the same rule; fewer, bigger entries.
    pages: ReadCache
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
        pages = ReadCache(db, max_entries=PAGE_ENTRIES)
        return cls(
            settings=settings,
            db=db,
            catalogue=cat,
            hasher=hasher,
            authenticator=Authenticator(db, hasher, reads),
            authorizer=Authorizer(db, cat, reads),
            reads=reads,
            pages=pages,
        )
