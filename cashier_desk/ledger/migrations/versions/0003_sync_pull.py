"""What `sync pull` remembers: other workstations' batches applied here, and its watermark.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pulled_batches",
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("pulled_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_pulled_batches")),
    )
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_table("pulled_batches")
