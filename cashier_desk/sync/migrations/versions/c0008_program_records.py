"""accounts and the counters' program records at central (issue 15, item 2)

Revision ID: c0008
Revises: c0007
Create Date: 2026-12-06 04:00:00

``ref_accounts``: the accounts imported at central (``central import accounts``), reference
data read by every workstation's ``sync pull``.  ``tot_returns``, ``licences`` (with the
account a new licence opened), ``animal_licences`` and ``permits``: what the program items of
a batch's receipts made, with ``voided_at`` when the receipt's void took it back, kept with
the batch.  On PostgreSQL a workstation role adds only its own rows and reads every
workstation's (``access.SHARED``), so ``sync pull`` brings the others' records.
"""

import sqlalchemy as sa
from alembic import op

from cashier_desk.sync import access

revision = "c0008"
down_revision = "c0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ref_accounts",
        sa.Column("account", sa.String(length=60), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("opened", sa.String(length=10), nullable=True),
        sa.Column("changed_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_ref_accounts")),
    )
    op.create_index(
        op.f("ix_ref_accounts_changed_at"), "ref_accounts", ["changed_at"], unique=False
    )
    op.create_table(
        "animal_licences",
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("voided_at", sa.String(length=40), nullable=True),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("species", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("altered", sa.Boolean(), nullable=False),
        sa.Column("term_years", sa.Integer(), nullable=False),
        sa.Column("senior", sa.Boolean(), nullable=False),
        sa.Column("rabies_cert", sa.String(length=40), nullable=True),
        sa.Column("rabies_expires", sa.String(length=10), nullable=True),
        sa.Column("renews", sa.String(length=40), nullable=True),
        sa.Column("starts", sa.String(length=10), nullable=False),
        sa.Column("expires", sa.String(length=10), nullable=False),
        sa.Column("fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("late_fee_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_animal_licences_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("receipt_no", "line_no", name=op.f("pk_animal_licences")),
        sa.UniqueConstraint("number", name=op.f("uq_animal_licences_number")),
        sa.UniqueConstraint("tag", name=op.f("uq_animal_licences_tag")),
    )
    op.create_index(
        op.f("ix_animal_licences_batch_id"), "animal_licences", ["batch_id"], unique=False
    )
    op.create_table(
        "licences",
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("voided_at", sa.String(length=40), nullable=True),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("account", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("tax_cents", sa.BigInteger(), nullable=False),
        sa.Column("state_fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("penalty_cents", sa.BigInteger(), nullable=False),
        sa.Column("valid_through", sa.String(length=10), nullable=False),
        sa.Column("account_name", sa.String(length=200), nullable=True),
        sa.Column("account_address", sa.String(length=200), nullable=True),
        sa.Column("account_opened", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_licences_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("receipt_no", "line_no", name=op.f("pk_licences")),
    )
    op.create_index(op.f("ix_licences_account"), "licences", ["account"], unique=False)
    op.create_index(op.f("ix_licences_batch_id"), "licences", ["batch_id"], unique=False)
    op.create_table(
        "permits",
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("voided_at", sa.String(length=40), nullable=True),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("plate", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("address_key", sa.String(length=200), nullable=False),
        sa.Column("zone", sa.String(length=20), nullable=False),
        sa.Column("valid_through", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_permits_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("receipt_no", "line_no", name=op.f("pk_permits")),
        sa.UniqueConstraint("number", name=op.f("uq_permits_number")),
    )
    op.create_index(op.f("ix_permits_address_key"), "permits", ["address_key"], unique=False)
    op.create_index(op.f("ix_permits_batch_id"), "permits", ["batch_id"], unique=False)
    op.create_table(
        "tot_returns",
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("batch_id", sa.String(length=60), nullable=False),
        sa.Column("workstation", sa.String(length=20), nullable=False),
        sa.Column("business_date", sa.String(length=10), nullable=False),
        sa.Column("voided_at", sa.String(length=40), nullable=True),
        sa.Column("account", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("gross_cents", sa.BigInteger(), nullable=False),
        sa.Column("exempt_cents", sa.BigInteger(), nullable=False),
        sa.Column("tax_cents", sa.BigInteger(), nullable=False),
        sa.Column("owed_cents", sa.BigInteger(), nullable=False),
        sa.Column("penalty_cents", sa.BigInteger(), nullable=False),
        sa.Column("interest_cents", sa.BigInteger(), nullable=False),
        sa.Column("amended", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_tot_returns_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("receipt_no", "line_no", name=op.f("pk_tot_returns")),
    )
    op.create_index(op.f("ix_tot_returns_account"), "tot_returns", ["account"], unique=False)
    op.create_index(op.f("ix_tot_returns_batch_id"), "tot_returns", ["batch_id"], unique=False)
    access.secure(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_tot_returns_batch_id"), table_name="tot_returns")
    op.drop_index(op.f("ix_tot_returns_account"), table_name="tot_returns")
    op.drop_table("tot_returns")
    op.drop_index(op.f("ix_permits_batch_id"), table_name="permits")
    op.drop_index(op.f("ix_permits_address_key"), table_name="permits")
    op.drop_table("permits")
    op.drop_index(op.f("ix_licences_batch_id"), table_name="licences")
    op.drop_index(op.f("ix_licences_account"), table_name="licences")
    op.drop_table("licences")
    op.drop_index(op.f("ix_animal_licences_batch_id"), table_name="animal_licences")
    op.drop_table("animal_licences")
    op.drop_index(op.f("ix_ref_accounts_changed_at"), table_name="ref_accounts")
    op.drop_table("ref_accounts")
