"""The first schema: users, accounts, roles, resource groups, members, tokens, audit
log.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("created_on", sa.String(length=27), nullable=False),
        sa.Column("managed_by", sa.Text(), nullable=True),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_index(
        op.f("ix_accounts_name_id"), "accounts", ["name", "id"], unique=False
    )
    op.create_table(
        "audit_logs",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("account_name", sa.String(length=100), nullable=True),
        sa.Column("time", sa.String(length=27), nullable=False),
        sa.Column("action_type", sa.String(length=16), nullable=False),
        sa.Column("action_description", sa.String(length=120), nullable=False),
        sa.Column("action_result", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("actor_email", sa.String(length=90), nullable=True),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_context", sa.String(length=16), nullable=False),
        sa.Column("actor_ip", sa.String(length=45), nullable=True),
        sa.Column("actor_token_id", sa.String(length=32), nullable=True),
        sa.Column("actor_token_name", sa.String(length=120), nullable=True),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("resource_product", sa.String(length=64), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("raw_method", sa.String(length=8), nullable=True),
        sa.Column("raw_uri", sa.Text(), nullable=True),
        sa.Column("raw_status", sa.Integer(), nullable=True),
        sa.Column("cf_ray", sa.String(length=32), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_logs")),
        sa.UniqueConstraint("id", name=op.f("uq_audit_logs_id")),
    )
    op.create_index(
        op.f("ix_audit_logs_account_id_seq"),
        "audit_logs",
        ["account_id", "seq"],
        unique=False,
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("created_on", sa.String(length=27), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=90), nullable=False),
        sa.Column("first_name", sa.String(length=60), nullable=True),
        sa.Column("last_name", sa.String(length=60), nullable=True),
        sa.Column("telephone", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=30), nullable=True),
        sa.Column("zipcode", sa.String(length=20), nullable=True),
        sa.Column("api_key_hash", sa.String(length=64), nullable=True),
        sa.Column("tenant_admin", sa.Boolean(), nullable=False),
        sa.Column("two_factor_enabled", sa.Boolean(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("created_on", sa.String(length=27), nullable=False),
        sa.Column("modified_on", sa.String(length=27), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=90), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("policies", sa.Text(), nullable=True),
        sa.Column("created_on", sa.String(length=27), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_members_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint(
            "account_id", "email", name=op.f("uq_members_account_id_email")
        ),
    )
    op.create_index(op.f("ix_members_user_id"), "members", ["user_id"], unique=False)
    op.create_table(
        "resource_groups",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("meta", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_resource_groups_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_groups")),
    )
    op.create_index(
        op.f("ix_resource_groups_account_id"),
        "resource_groups",
        ["account_id"],
        unique=False,
    )
    op.create_table(
        "roles",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("permissions", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_roles_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_roles")),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("account_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.String(length=27), nullable=False),
        sa.Column("modified_on", sa.String(length=27), nullable=False),
        sa.Column("last_used_on", sa.String(length=27), nullable=True),
        sa.Column("not_before", sa.String(length=27), nullable=True),
        sa.Column("expires_on", sa.String(length=27), nullable=True),
        sa.Column("policies", sa.Text(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=True),
        sa.Column("creator_email", sa.String(length=90), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_tokens_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("value_hash", name=op.f("uq_tokens_value_hash")),
    )
    op.create_index(
        op.f("ix_tokens_account_id"), "tokens", ["account_id"], unique=False
    )
    op.create_index(op.f("ix_tokens_user_id"), "tokens", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tokens_user_id"), table_name="tokens")
    op.drop_index(op.f("ix_tokens_account_id"), table_name="tokens")
    op.drop_table("tokens")
    op.drop_table("roles")
    op.drop_index(op.f("ix_resource_groups_account_id"), table_name="resource_groups")
    op.drop_table("resource_groups")
    op.drop_index(op.f("ix_members_user_id"), table_name="members")
    op.drop_table("members")
    op.drop_table("users")
    op.drop_table("meta")
    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_audit_logs_account_id_seq"), table_name="audit_logs")
    op.drop_table("audit_logs")
    op.drop_index(op.f("ix_accounts_name_id"), table_name="accounts")
    op.drop_table("accounts")
