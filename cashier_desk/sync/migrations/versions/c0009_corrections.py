"""the corrections after the closeout a batch carries (issue 16)

Revision ID: c0009
Revises: c0008
Create Date: 2026-12-06 04:10:00

``corrections``: each returned check, refund and transfer with the batch that carried it (its
business date, under which central reports the adjustment, and ``made_on``, the correction's
own); ``correction_gl``: its revenue side and offsets by account; ``correction_items``: the
open items a returned check made (a line taken back, the fee), for the others' ``sync pull``.
``central totals`` adds them up by date or period.  On PostgreSQL a workstation role adds only
its own rows; it reads every workstation's ``corrections`` and ``correction_items``
(``access.SHARED``) and only its own ``correction_gl``.
"""

import sqlalchemy as sa
from alembic import op

from cashier_desk.sync import access

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("made_on", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=True),
        sa.Column("fee_ref", sa.String(length=60), nullable=True),
        sa.Column("fee_cents", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_corrections_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_corrections")),
    )
    op.create_index(op.f("ix_corrections_account"), "corrections", ["account"], unique=False)
    op.create_index(op.f("ix_corrections_batch_id"), "corrections", ["batch_id"], unique=False)
    op.create_index(
        op.f("ix_corrections_business_date"), "corrections", ["business_date"], unique=False
    )
    op.create_table(
        "correction_gl",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("account", sa.String(length=60), nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_correction_gl_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("number", "side", "account", name=op.f("pk_correction_gl")),
    )
    op.create_index(op.f("ix_correction_gl_batch_id"), "correction_gl", ["batch_id"], unique=False)
    op.create_table(
        "correction_items",
        sa.Column("ref", sa.String(length=60), nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("program", sa.String(length=60), nullable=False),
        sa.Column("account", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("amount_due_cents", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.String(length=10), nullable=False),
        sa.Column("revenue_code", sa.String(length=40), nullable=False),
        sa.Column("gl", sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_correction_items_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_correction_items")),
    )
    op.create_index(
        op.f("ix_correction_items_batch_id"), "correction_items", ["batch_id"], unique=False
    )
    access.secure(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_correction_items_batch_id"), table_name="correction_items")
    op.drop_table("correction_items")
    op.drop_index(op.f("ix_correction_gl_batch_id"), table_name="correction_gl")
    op.drop_table("correction_gl")
    op.drop_index(op.f("ix_corrections_business_date"), table_name="corrections")
    op.drop_index(op.f("ix_corrections_batch_id"), table_name="corrections")
    op.drop_index(op.f("ix_corrections_account"), table_name="corrections")
    op.drop_table("corrections")
