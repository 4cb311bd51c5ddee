"""Indexes in NOCASE order for the lookup at the counter (reference, name, address prefix).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = ("ref", "name", "address")


def upgrade() -> None:
    for column in COLUMNS:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS ix_open_items_{column}_nocase "
            f"ON open_items ({column} COLLATE NOCASE)"
        )


def downgrade() -> None:
    for column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_open_items_{column}_nocase")
