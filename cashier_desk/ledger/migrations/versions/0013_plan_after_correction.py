"""A payment plan remembers the newest correction when it was made (``plans.after_correction``,
its id): what a correction made before the plan changed of its item is already in the plan's
total, so only the adjustments of corrections after it count as paid on the plan.  A
transfer onto an item places its payment after the newest receipt line, which a plan made
before the next sale counted a second time.  Plans made before this migration keep 0 (every
adjustment after their line counts, as before).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "plans",
        sa.Column("after_correction", sa.Integer, nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("after_correction")
