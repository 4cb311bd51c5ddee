"""what corrections changed of open items, and the clears of the certified-funds flag (issue 16)

Revision ID: c0010
Revises: c0009
Create Date: 2026-12-06 06:50:00

``correction_adjustments``: what each correction a batch carries changed of existing open items
(a returned check's put-back amounts, a transfer's moved ones: ref, part, amount, with the
correction's time); ``flag_clears``: a supervisor's clear of an account's certified-funds flag
at a workstation. Both for the other workstations' ``sync pull``.  On PostgreSQL a workstation
role adds only its own rows and reads every known workstation's (``access.SHARED``).
"""

import sqlalchemy as sa
from alembic import op

from cashier_desk.sync import access

revision = "c0010"
down_revision = "c0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "correction_adjustments",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=60), nullable=False),
        sa.Column("part", sa.String(length=10), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_correction_adjustments_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("number", "n", name=op.f("pk_correction_adjustments")),
    )
    op.create_index(
        op.f("ix_correction_adjustments_batch_id"),
        "correction_adjustments",
        ["batch_id"],
        unique=False,
    )
    op.create_table(
        "flag_clears",
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.String(length=40), nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_flag_clears_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("workstation", "account", "set_at", name=op.f("pk_flag_clears")),
    )
    op.create_index(op.f("ix_flag_clears_batch_id"), "flag_clears", ["batch_id"], unique=False)
    access.secure(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_flag_clears_batch_id"), table_name="flag_clears")
    op.drop_table("flag_clears")
    op.drop_index(op.f("ix_correction_adjustments_batch_id"), table_name="correction_adjustments")
    op.drop_table("correction_adjustments")
