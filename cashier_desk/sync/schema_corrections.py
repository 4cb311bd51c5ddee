"""Central's tables of the corrections after the closeout a batch carries (programs.md,
returned checks, refunds, transfers; issue 16; migration c0009): each returned check, refund
and transfer with the batch that carried it (``business_date``: the batch's, under which the
adjustment is reported; ``made_on``: the correction's own), and its GL — the ``revenue`` side
the batch's ``adjustments`` adds up, the ``offset`` side on the bank or accounts payable.

On PostgreSQL a workstation role adds only its own rows; it reads every workstation's
``corrections`` (``access.SHARED``: a returned check's account and fee, for the certified-funds
flag and the NSF fee count across workstations), ``correction_items``, ``correction_adjustments``
and ``flag_clears`` (c0010), and only its own ``correction_gl``."""

from __future__ import annotations

import sqlalchemy as sa

from cashier_desk.sync.schema import Cents, metadata

corrections = sa.Table(
    "corrections",
    metadata,
    sa.Column("number", sa.String(40), primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("business_date", sa.String(10), nullable=False, index=True),
    sa.Column("made_on", sa.String(10), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("receipt_no", sa.String(40), nullable=False),
    sa.Column("amount_cents", Cents, nullable=False),
    sa.Column("account", sa.String(200), index=True),
    sa.Column("fee_ref", sa.String(60)),
    sa.Column("fee_cents", Cents),
    sa.Column("created_at", sa.String(40), nullable=False),
)

correction_gl = sa.Table(
    "correction_gl",
    metadata,
    sa.Column("number", sa.String(40), primary_key=True),
    sa.Column("side", sa.String(10), primary_key=True),
    sa.Column("account", sa.String(60), primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("amount_cents", Cents, nullable=False),
)

#: The open items other workstations' returned checks made (``<number>-L<n>``, the fee),
#: published for ``sync pull`` (``gl``: a taken-back line's own split, else NULL).
correction_items = sa.Table(
    "correction_items",
    metadata,
    sa.Column("ref", sa.String(60), primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("program", sa.String(60), nullable=False),
    sa.Column("account", sa.String(60), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address", sa.String(200), nullable=False),
    sa.Column("amount_due_cents", Cents, nullable=False),
    sa.Column("due_date", sa.String(10), nullable=False),
    sa.Column("revenue_code", sa.String(40), nullable=False),
    sa.Column("gl", sa.String(400)),
)

#: What each carried correction changed of existing open items (migration c0010): a returned
#: check's put-back amounts (negative), a transfer's moved ones (its source's negative, its
#: target's positive), by ``part`` (``split`` or ``other``), in the order they were written
#: (``n``); published for the other workstations' ``sync pull``.
correction_adjustments = sa.Table(
    "correction_adjustments",
    metadata,
    sa.Column("number", sa.String(40), primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("ref", sa.String(60), nullable=False),
    sa.Column("part", sa.String(10), nullable=False),
    sa.Column("amount_cents", Cents, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

#: A supervisor's clear of an account's certified-funds flag at a workstation (migration
#: c0010; ``set_at``: when it was made there), published for the others' ``sync pull``.
flag_clears = sa.Table(
    "flag_clears",
    metadata,
    sa.Column("workstation", sa.String(20), primary_key=True),
    sa.Column("account", sa.String(200), primary_key=True),
    sa.Column("set_at", sa.String(40), primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("actor", sa.String(40), nullable=False),
)

#: A carried correction's columns central keeps (``made_on``: its ``business_date``).
KEPT = ("number", "kind", "receipt_no", "amount_cents", "account", "fee_ref", "fee_cents",
        "created_at")  # fmt: skip
