"""the contests of citations read by every known workstation (no new columns)

Revision ID: c0011
Revises: c0010
Create Date: 2026-12-06 17:00:00

``contests`` joins ``access.SHARED``: on PostgreSQL a workstation role still adds only its own
contests, and now reads every known workstation's, so ``sync pull`` brings a citation contested
at another counter (priced as contested here).  The policies are re-applied; a SQLite central
has none.  The plans stay each workstation's own.
"""

from alembic import op

from cashier_desk.sync import access

revision = "c0011"
down_revision = "c0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    access.secure(op.get_bind())


def downgrade() -> None:
    access.secure(op.get_bind(), shared=[t for t in access.SHARED if t != "contests"])
