"""The tables. Every change to them goes with a migration in ``migrations/versions``.

JSON-shaped values (settings, policies, conditions, permissions) are stored as JSON
text so that SQLite and PostgreSQL hold them the same way; times are fixed-width RFC
3339 text (see ``cfaccounts.times``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)
TIME = String(27)


def sortable(length: int) -> String:
    """Text that lists sort by: byte order on PostgreSQL too, as on SQLite (see
    migration 0002), so that every list comes back in the same order on both."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# One row (id 1) whose ``version`` every write transaction increments (except the
# write-behind of token use, which changes nothing a cache holds): instances read it to
# learn, cheaply, that another instance changed the data (see Database.generation_now).
data_version = Table(
    "data_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("email", sortable(90), nullable=False, unique=True),
    Column("first_name", String(60)),
    Column("last_name", String(60)),
    Column("telephone", String(20)),
    Column("country", String(30)),
    Column("zipcode", String(20)),
    Column("api_key_hash", String(64)),
    Column("tenant_admin", Boolean, nullable=False, default=False),
    Column("two_factor_enabled", Boolean, nullable=False, default=False),
    Column("suspended", Boolean, nullable=False, default=False),
    Column("created_on", TIME, nullable=False),
    Column("modified_on", TIME, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", sortable(100), nullable=False),
    Column("type", String(16), nullable=False, default="standard"),
    Column("created_on", TIME, nullable=False),
    Column("managed_by", Text),
    Column("settings", Text, nullable=False, default="{}"),
    Index(None, "name", "id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", ID, primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("account_id", ID, nullable=False),
    Column("created_on", TIME, nullable=False),
)

roles = Table(
    "roles",
    metadata,
    Column(
        "account_id",
        ID,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("id", ID, primary_key=True),
    Column("name", sortable(120), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("permissions", Text, nullable=False, default="{}"),
)

resource_groups = Table(
    "resource_groups",
    metadata,
    Column("id", ID, primary_key=True),
    Column(
        "account_id",
        ID,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("name", sortable(255), nullable=False),
    Column("scope", Text, nullable=False),
    Column("meta", Text),
)

members = Table(
    "members",
    metadata,
    Column("id", ID, primary_key=True),
    Column(
        "account_id", ID, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
    ),
    Column("user_id", ID, index=True),
    Column("email", sortable(90), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("roles", Text, nullable=False, default="[]"),
    Column("policies", Text),
    Column("created_on", TIME, nullable=False),
    UniqueConstraint("account_id", "email"),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(8), nullable=False),  # "user" or "account"
    Column("user_id", ID, index=True),
    Column(
        "account_id",
        ID,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        index=True,
    ),
    Column("name", sortable(120), nullable=False),
    Column("status", String(16), nullable=False),
    Column("value_hash", String(64), nullable=False, unique=True),
    Column("issued_on", TIME, nullable=False),
    Column("modified_on", TIME, nullable=False),
    Column("last_used_on", TIME),
    Column("not_before", TIME),
    Column("expires_on", TIME),
    Column("policies", Text, nullable=False, default="[]"),
    Column("condition", Text),
    Column("creator_email", String(90)),
)

audit_logs = Table(
    "audit_logs",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", ID, nullable=False, unique=True),
    Column("account_id", ID, nullable=False),
    Column("account_name", String(100)),
    Column("time", TIME, nullable=False),
    Column("action_type", String(16), nullable=False),
    Column("action_description", String(120), nullable=False),
    Column("action_result", String(16), nullable=False),
    Column("actor_id", ID),
    Column("actor_email", String(90)),
    Column("actor_type", String(16), nullable=False),
    Column("actor_context", String(16), nullable=False),
    Column("actor_ip", String(45)),
    Column("actor_token_id", ID),
    Column("actor_token_name", String(120)),
    Column("resource_type", String(64), nullable=False),
    Column("resource_id", String(64)),
    Column("resource_product", String(64), nullable=False),
    Column("before", Text),
    Column("after", Text),
    Column("raw_method", String(8)),
    Column("raw_uri", Text),
    Column("raw_status", Integer),
    Column("cf_ray", String(32)),
    Column("user_agent", Text),
    Index(None, "account_id", "seq"),
)
