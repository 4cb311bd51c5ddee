"""Corrections after the day is closed (programs.md: returned checks, refunds, transfers).

``corrections``: one row per returned check, refund or transfer, with its number, who approved
it and what it names. ``correction_takes``: how much each took back from each receipt line (so
nothing is taken back twice). ``item_adjustments``: what each changed in what counts as paid on
an open item (a returned check or a transfer puts an amount back: negative; a transfer pays
``to_ref``: positive), split part or not (``split``: the part the item's code splits
cumulatively). ``correction_postings``: the GL of each, as the closeout's ``gl`` counts it (what
an account took in; a reversal negative), the revenue side and the offset (the bank account of a
returned check, accounts payable of a refund); each correction's rows sum to 0.00.
``account_flags``: accounts flagged
``certified_funds_only`` by a returned check. ``item_splits``: the GL split of an open item a
returned check made of a receipt line (the line's own, as posted). All are append-only; the
next closeout batch carries every correction made since the previous one.

The number 0012 leaves room for 0011 (another change on its way); after 0011 is merged,
``down_revision`` becomes "0011".

Revision ID: 0012
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "corrections",
    "correction_takes",
    "item_adjustments",
    "correction_postings",
    "account_flags",
    "item_splits",
)


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("workstation", sa.String(20), nullable=False),
        sa.Column("business_date", sa.String(10), nullable=False),
        sa.Column("receipt_no", sa.String(40), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("check_number", sa.String(40)),
        sa.Column("account", sa.String(200)),
        sa.Column("fee_ref", sa.String(60)),
        sa.Column("fee_cents", sa.BigInteger),
        sa.Column("method", sa.String(10)),
        sa.Column("auth", sa.String(20)),
        sa.Column("payee", sa.String(200)),
        sa.Column("address", sa.String(200)),
        sa.Column("line_no", sa.Integer),
        sa.Column("from_ref", sa.String(60)),
        sa.Column("to_ref", sa.String(60)),
        sa.Column("reason", sa.String(400), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("approver", sa.String(40), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
        sa.UniqueConstraint("number", name=op.f("uq_corrections_number")),
    )
    op.create_index(op.f("ix_corrections_receipt_no"), "corrections", ["receipt_no"])
    op.create_table(
        "correction_takes",
        sa.Column("correction_id", sa.Integer, nullable=False),
        sa.Column("line_id", sa.Integer, nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(
            ["correction_id"],
            ["corrections.id"],
            name=op.f("fk_correction_takes_correction_id_corrections"),
        ),
        sa.PrimaryKeyConstraint("correction_id", "line_id", name=op.f("pk_correction_takes")),
    )
    op.create_index(op.f("ix_correction_takes_line_id"), "correction_takes", ["line_id"])
    op.create_table(
        "item_adjustments",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("correction_id", sa.Integer, nullable=False),
        sa.Column("ref", sa.String(60), nullable=False),
        sa.Column("part", sa.String(10), nullable=False),
        sa.Column("line_id", sa.Integer, nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(
            ["correction_id"],
            ["corrections.id"],
            name=op.f("fk_item_adjustments_correction_id_corrections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_adjustments")),
    )
    op.create_index(op.f("ix_item_adjustments_ref"), "item_adjustments", ["ref"])
    op.create_table(
        "correction_postings",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("correction_id", sa.Integer, nullable=False),
        sa.Column("side", sa.String(10), nullable=False),
        sa.Column("account", sa.String(60), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(
            ["correction_id"],
            ["corrections.id"],
            name=op.f("fk_correction_postings_correction_id_corrections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_postings")),
    )
    op.create_index(
        op.f("ix_correction_postings_correction_id"), "correction_postings", ["correction_id"]
    )
    op.create_table(
        "account_flags",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("flag", sa.String(40), nullable=False),
        sa.Column("correction_id", sa.Integer),
        sa.Column("set_at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_flags")),
    )
    op.create_index(op.f("ix_account_flags_account"), "account_flags", ["account"])
    op.create_table(
        "item_splits",
        sa.Column("ref", sa.String(60)),
        sa.Column("gl", sa.String(400), nullable=False),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_item_splits")),
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
