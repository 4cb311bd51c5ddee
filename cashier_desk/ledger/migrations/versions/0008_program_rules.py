"""The city's programs: which rule a revenue code follows, and the program rules imported.

Revenue codes gain ``rule`` (programs.md: ``citation``, ``tot``, ``business_licence``,
``animal_licence``, ``parking_permit``, ``nsf_fee``, or NULL for a plain fee or bill).
``program_rules`` keeps every rules file imported, whole, as it was given (TOML text), with
who imported it and when; the newest one is in force (its own versions say from which day).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("revenue_codes", sa.Column("rule", sa.String(20)))
    op.create_table(
        "program_rules",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("imported_at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_rules")),
    )


def downgrade() -> None:
    op.drop_table("program_rules")
    with op.batch_alter_table("revenue_codes") as batch:
        batch.drop_column("rule")
