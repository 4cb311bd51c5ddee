"""What the counter's program items made (programs.md, issue 15): TOT returns filed, business
licences, animal licences (with their tags) and parking permits issued, each with the receipt
and receipt line that paid for it.  ``voided_at`` is set by the void of that receipt (a voided
receipt unfiles its return and voids its licence, tag or permit); nothing else changes a row.
Numbers hold the workstation's id, so they are unique across workstations.

Revision ID: 0011
Revises: 0010
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _made() -> list[sa.Column[Any]]:
    """The columns every record shares: where it was made, by which receipt and line, and
    when a void took it back."""
    return [
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("workstation", sa.String(20), nullable=False),
        sa.Column("receipt_no", sa.String(40), nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("business_date", sa.String(10), nullable=False),
        sa.Column("voided_at", sa.String(40)),
    ]


def upgrade() -> None:
    op.create_table(
        "tot_returns",
        *_made(),
        sa.Column("account", sa.String(60), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("gross_cents", sa.BigInteger, nullable=False),
        sa.Column("exempt_cents", sa.BigInteger, nullable=False),
        sa.Column("tax_cents", sa.BigInteger, nullable=False),
        sa.Column("owed_cents", sa.BigInteger, nullable=False),
        sa.Column("penalty_cents", sa.BigInteger, nullable=False),
        sa.Column("interest_cents", sa.BigInteger, nullable=False),
        sa.Column("amended", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tot_returns")),
    )
    op.create_index(op.f("ix_tot_returns_account"), "tot_returns", ["account"])
    op.create_table(
        "licences",
        *_made(),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("account", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("gross_cents", sa.BigInteger, nullable=False),
        sa.Column("tax_cents", sa.BigInteger, nullable=False),
        sa.Column("state_fee_cents", sa.BigInteger, nullable=False),
        sa.Column("penalty_cents", sa.BigInteger, nullable=False),
        sa.Column("valid_through", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licences")),
    )
    op.create_index(op.f("ix_licences_account"), "licences", ["account"])
    op.create_table(
        "animal_licences",
        *_made(),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("tag", sa.String(40), nullable=False),
        sa.Column("species", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("altered", sa.Boolean, nullable=False),
        sa.Column("term_years", sa.Integer, nullable=False),
        sa.Column("senior", sa.Boolean, nullable=False),
        sa.Column("rabies_cert", sa.String(40)),
        sa.Column("rabies_expires", sa.String(10)),
        sa.Column("renews", sa.String(40)),
        sa.Column("starts", sa.String(10), nullable=False),
        sa.Column("expires", sa.String(10), nullable=False),
        sa.Column("fee_cents", sa.BigInteger, nullable=False),
        sa.Column("late_fee_cents", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_animal_licences")),
        sa.UniqueConstraint("number", name=op.f("uq_animal_licences_number")),
        sa.UniqueConstraint("tag", name=op.f("uq_animal_licences_tag")),
    )
    op.create_table(
        "permits",
        *_made(),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("plate", sa.String(8), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("address_key", sa.String(200), nullable=False),
        sa.Column("zone", sa.String(20), nullable=False),
        sa.Column("valid_through", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits")),
        sa.UniqueConstraint("number", name=op.f("uq_permits_number")),
    )
    op.create_index(op.f("ix_permits_address_key"), "permits", ["address_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_permits_address_key"), table_name="permits")
    op.drop_table("permits")
    op.drop_table("animal_licences")
    op.drop_index(op.f("ix_licences_account"), table_name="licences")
    op.drop_table("licences")
    op.drop_index(op.f("ix_tot_returns_account"), table_name="tot_returns")
    op.drop_table("tot_returns")
