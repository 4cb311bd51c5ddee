"""Contests of citations and payment plans (programs.md), recorded at the counter.

``contests``: one row per request (initial review or hearing) with its number, the business
date it was made (penalties stop growing then), what was said and who allowed it late.
``plans`` and ``plan_instalments``: a payment plan on an open item, its fee, total and
schedule; payments on the item after ``after_line`` (the last receipt line when the plan was
made) are the plan's. Both are append-only: a contest or a plan is never changed here.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APPEND_ONLY = ("contests", "plans", "plan_instalments")


def upgrade() -> None:
    op.create_table(
        "contests",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("ref", sa.String(60), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("business_date", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(400), nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("inability_to_pay", sa.Boolean, nullable=False),
        sa.Column("workstation", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("approver", sa.String(40)),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contests")),
        sa.UniqueConstraint("number", name=op.f("uq_contests_number")),
    )
    op.create_index(op.f("ix_contests_ref"), "contests", ["ref"])
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("ref", sa.String(60), nullable=False),
        sa.Column("business_date", sa.String(10), nullable=False),
        sa.Column("indigent", sa.Boolean, nullable=False),
        sa.Column("monthly_cents", sa.BigInteger, nullable=False),
        sa.Column("fee_cents", sa.BigInteger, nullable=False),
        sa.Column("fine_cents", sa.BigInteger, nullable=False),
        sa.Column("penalty_cents", sa.BigInteger, nullable=False),
        sa.Column("total_cents", sa.BigInteger, nullable=False),
        sa.Column("after_line", sa.Integer, nullable=False),
        sa.Column("workstation", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("approver", sa.String(40), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("number", name=op.f("uq_plans_number")),
        sa.UniqueConstraint("ref", name=op.f("uq_plans_ref")),
    )
    op.create_table(
        "plan_instalments",
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("due", sa.String(10), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_instalments_plan_id_plans")
        ),
        sa.PrimaryKeyConstraint("plan_id", "n", name=op.f("pk_plan_instalments")),
    )
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)
