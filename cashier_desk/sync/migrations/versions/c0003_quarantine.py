"""quarantine: refused batches kept with their audit records, and the decisions on them

Revision ID: c0003
Revises: c0002
Create Date: 2026-12-05 09:00:00

A batch central refuses (a conflict with what its books hold, or an audit chain that does not
follow on) was only refused, and every later batch of that workstation was refused behind it.
Now it is kept here, out of the books, with its payload and audit head, so the workstation's
chain continues through it; an admin accepts it into the books or rejects it (a row of
``quarantine_decisions``; nothing is updated or deleted).
"""

import sqlalchemy as sa
from alembic import op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("audit_since", sa.Integer(), nullable=False),
        sa.Column("head_seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "sha256", name=op.f("pk_quarantine")),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quarantine_workstation"), ["workstation"], unique=False
        )
    op.create_table(
        "quarantine_decisions",
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id", "sha256"],
            ["quarantine.batch_id", "quarantine.sha256"],
            name=op.f("fk_quarantine_decisions_batch_id_quarantine"),
        ),
        sa.PrimaryKeyConstraint("batch_id", "sha256", name=op.f("pk_quarantine_decisions")),
    )


def downgrade() -> None:
    op.drop_table("quarantine_decisions")
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_workstation"))
    op.drop_table("quarantine")
