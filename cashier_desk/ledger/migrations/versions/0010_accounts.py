"""Accounts (programs.md, "Accounts"): registered TOT operators and licensed businesses, as
the billing system knows them (``cashier-desk import accounts FILE.csv``, whose rows replace
those with the same ``account``).  A TOT return must name an account of rule ``tot``, a licence
renewal one of rule ``business_licence``.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account", sa.String(60)),
        sa.Column("rule", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("opened", sa.String(10)),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_accounts")),
    )


def downgrade() -> None:
    op.drop_table("accounts")
