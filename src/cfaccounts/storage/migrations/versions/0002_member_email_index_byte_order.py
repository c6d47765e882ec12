"""Index members by email; names and emails in byte order on PostgreSQL.

A user's memberships are found by email as well as by user id (an invitation names an
email before it names a user), and the only index starting with ``members.email`` was
the (account_id, email) unique one, useless for that lookup.

Lists sort by names and emails. SQLite compares text byte by byte; PostgreSQL uses the
database's collation, which for most locales ignores case and punctuation at first. To
answer every list in the same order on both, the sortable text columns get the "C"
(byte order) collation on PostgreSQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, column, length): the text columns lists are sorted by.
BYTE_ORDER_COLUMNS = (
    ("accounts", "name", 100),
    ("users", "email", 90),
    ("members", "email", 90),
    ("tokens", "name", 120),
    ("roles", "name", 120),
    ("resource_groups", "name", 255),
)


def _set_collation(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite already compares text in byte order
    for table, column, length in BYTE_ORDER_COLUMNS:
        op.execute(
            sa.text(
                f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) "
                f'COLLATE "{collation}"'
            )
        )


def upgrade() -> None:
    op.create_index(op.f("ix_members_email"), "members", ["email"], unique=False)
    _set_collation("C")


def downgrade() -> None:
    _set_collation("default")
    op.drop_index(op.f("ix_members_email"), table_name="members")
