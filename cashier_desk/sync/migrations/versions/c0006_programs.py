"""contests, plans and program rules: the counter's programs at central

Revision ID: c0006
Revises: c0005
Create Date: 2026-12-06 01:00:00

Revenue codes at central keep the program ``rule`` their lines follow, and
``ref_program_rules`` the rules files imported at central (reference data, read by every
workstation's ``sync pull``). A batch now carries the contests of citations and the payment
plans its workstation recorded since its previous batch (``programs`` in the payload);
central keeps them here with the batch (issue 14, item 6). On PostgreSQL they are secured
like the other tables a workstation writes: a workstation role adds and reads only its own.
"""

import sqlalchemy as sa
from alembic import op

from cashier_desk.sync import access

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contests",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=60), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=400), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("inability_to_pay", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("approver", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_contests_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_contests")),
    )
    op.create_index(op.f("ix_contests_batch_id"), "contests", ["batch_id"])
    op.create_index(op.f("ix_contests_ref"), "contests", ["ref"])
    op.create_table(
        "plans",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=60), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("indigent", sa.Boolean(), nullable=False),
        sa.Column("monthly_cents", sa.BigInteger(), nullable=False),
        sa.Column("fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("fine_cents", sa.BigInteger(), nullable=False),
        sa.Column("penalty_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("approver", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_plans_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_plans")),
    )
    op.create_index(op.f("ix_plans_batch_id"), "plans", ["batch_id"])
    op.create_index(op.f("ix_plans_ref"), "plans", ["ref"])
    op.create_table(
        "plan_instalments",
        sa.Column("plan", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("due", sa.String(length=10), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan"], ["plans.number"], name=op.f("fk_plan_instalments_plan_plans")
        ),
        sa.PrimaryKeyConstraint("plan", "n", name=op.f("pk_plan_instalments")),
    )
    op.add_column("ref_revenue_codes", sa.Column("rule", sa.String(length=20), nullable=True))
    op.create_table(
        "ref_program_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ref_program_rules")),
    )
    access.secure(op.get_bind())


def downgrade() -> None:
    op.drop_table("ref_program_rules")
    with op.batch_alter_table("ref_revenue_codes") as batch:
        batch.drop_column("rule")
    op.drop_table("plan_instalments")
    op.drop_index(op.f("ix_plans_ref"), table_name="plans")
    op.drop_index(op.f("ix_plans_batch_id"), table_name="plans")
    op.drop_table("plans")
    op.drop_index(op.f("ix_contests_ref"), table_name="contests")
    op.drop_index(op.f("ix_contests_batch_id"), table_name="contests")
    op.drop_table("contests")
