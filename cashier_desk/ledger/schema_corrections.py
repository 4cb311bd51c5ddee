"""The ledger's tables of corrections after the closeout (programs.md: returned checks,
refunds, transfers; issue 16; migration 0012), all append-only: the next closeout batch carries
every correction made since the previous one."""

from __future__ import annotations

import sqlalchemy as sa

from cashier_desk.ledger.meta import Cents, metadata

#: A returned check, a refund or a transfer; the next closeout batch carries it.
corrections = sa.Table(
    "corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),  # returned_check, refund, transfer
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("business_date", sa.String(10), nullable=False),
    sa.Column("receipt_no", sa.String(40), nullable=False, index=True),
    sa.Column("amount_cents", Cents, nullable=False),
    sa.Column("check_number", sa.String(40)),
    sa.Column("account", sa.String(200)),  # a returned check's account (its fee, its flag)
    sa.Column("fee_ref", sa.String(60)),
    sa.Column("fee_cents", Cents),
    sa.Column("method", sa.String(10)),  # a refund's: check, card
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
)

#: How much a correction took back from each receipt line (``line_id``: receipt_lines.id).
correction_takes = sa.Table(
    "correction_takes",
    metadata,
    sa.Column("correction_id", sa.Integer, sa.ForeignKey("corrections.id"), primary_key=True),
    sa.Column("line_id", sa.Integer, primary_key=True, index=True),
    sa.Column("amount_cents", Cents, nullable=False),
)

#: What a correction changed in what counts as paid on an open item (put back: negative; a
#: transfer's payment: positive). ``part``: ``split`` (the part its code splits cumulatively)
#: or ``other`` (a penalty or plan fee line). ``line_id``: the receipt line taken back, or the
#: newest receipt line when it was made (a plan counts what comes after its own line).
item_adjustments = sa.Table(
    "item_adjustments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("correction_id", sa.Integer, sa.ForeignKey("corrections.id"), nullable=False),
    sa.Column("ref", sa.String(60), nullable=False, index=True),
    sa.Column("part", sa.String(10), nullable=False),
    sa.Column("line_id", sa.Integer, nullable=False),
    sa.Column("amount_cents", Cents, nullable=False),
)

#: A correction's GL as the closeout's ``gl`` counts it (what the account took in; a reversal
#: negative): ``side`` ``revenue`` or ``offset`` (the bank or accounts payable); sums to 0.
correction_postings = sa.Table(
    "correction_postings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "correction_id", sa.Integer, sa.ForeignKey("corrections.id"), nullable=False, index=True
    ),
    sa.Column("side", sa.String(10), nullable=False),
    sa.Column("account", sa.String(60), nullable=False),
    sa.Column("amount_cents", Cents, nullable=False),
)

#: The GL split of an open item a returned check made of a receipt line: the line's own, as it
#: was posted (a program's line goes to its rule's accounts, not its code's); a payment of the
#: item is split by it instead of by its code's. ``description``: the item's own,
#: ``Returned check <receipt> line <n>`` (migration 0014; NULL: its code's).
item_splits = sa.Table(
    "item_splits",
    metadata,
    sa.Column("ref", sa.String(60), primary_key=True),
    sa.Column("gl", sa.String(400), nullable=False),
    sa.Column("description", sa.String(200)),
)

#: Accounts flagged ``certified_funds_only`` (a returned check's payer).
account_flags = sa.Table(
    "account_flags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account", sa.String(200), nullable=False, index=True),
    sa.Column("flag", sa.String(40), nullable=False),
    sa.Column("correction_id", sa.Integer),
    sa.Column("set_at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(40), nullable=False),
)
