"""The central database's tables: every closed batch of every workstation, exactly once.

A batch arrives whole in one transaction keyed by its id, with its canonical payload and
SHA-256, its drawer sessions, receipts, lines, tenders, GL distribution, per-tender over/short,
deposit, and the workstation's audit-chain head.  Rows are only ever inserted: on PostgreSQL the
workstations' role may INSERT and SELECT, never UPDATE or DELETE.  Reference data (revenue
codes, users with PIN hashes only, open items) lives here too, for ``sync pull``.  A batch
central refuses (a conflict, or an audit chain that does not follow on) is kept whole in
``quarantine`` — never in the books — until an admin's decision, itself a row.
"""

from __future__ import annotations

import sqlalchemy as sa

from cashier_desk.ledger.meta import NAMING_CONVENTION

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
Cents = sa.BigInteger

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("id", sa.String(60), primary_key=True),
    sa.Column("workstation", sa.String(20), nullable=False, index=True),
    sa.Column("business_date", sa.String(10), nullable=False, index=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("approver", sa.String(40), nullable=False),
    sa.Column("receipts", sa.Integer, nullable=False),
    sa.Column("voids", sa.Integer, nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
)

sessions = sa.Table(
    "drawer_sessions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("drawer", sa.String(40), nullable=False),
    sa.Column("cashier", sa.String(40), nullable=False),
    sa.Column("business_date", sa.String(10), nullable=False),
    sa.Column("opening_cents", Cents, nullable=False),
)

receipts = sa.Table(
    "receipts",
    metadata,
    sa.Column("receipt_no", sa.String(40), primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("session_id", sa.String(40), nullable=False),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("cashier", sa.String(40), nullable=False),
    sa.Column("payer", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("business_date", sa.String(10), nullable=False, index=True),  # reports (c0007)
    sa.Column("total_cents", Cents, nullable=False),
    sa.Column("change_cents", Cents, nullable=False),
    sa.Column("voided", sa.Boolean, nullable=False),
)

lines = sa.Table(
    "receipt_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("receipt_no", sa.String(40), nullable=False, index=True),  # reports (c0007)
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("ref", sa.String(60), index=True),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("qty", sa.Integer, nullable=False),
    sa.Column("amount_cents", Cents, nullable=False),
)

tenders = sa.Table(
    "tenders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("receipt_no", sa.String(40), nullable=False, index=True),  # reports (c0007)
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("amount_cents", Cents, nullable=False),
    sa.Column("number", sa.String(40)),
    sa.Column("auth", sa.String(20)),
    sa.Column("last4", sa.String(4)),
)

gl = sa.Table(
    "gl_distribution",
    metadata,
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), primary_key=True),
    sa.Column("account", sa.String(60), primary_key=True),
    sa.Column("amount_cents", Cents, nullable=False),
)

tender_totals = sa.Table(
    "tender_totals",
    metadata,
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), primary_key=True),
    sa.Column("tender", sa.String(20), primary_key=True),
    sa.Column("expected_cents", Cents, nullable=False),
    sa.Column("counted_cents", Cents, nullable=False),
    sa.Column("over_short_cents", Cents, nullable=False),
)

deposits = sa.Table(
    "deposits",
    metadata,
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), primary_key=True),
    sa.Column("cash_cents", Cents, nullable=False),
    sa.Column("checks_cents", Cents, nullable=False),
    sa.Column("money_orders_cents", Cents, nullable=False),
    sa.Column("total_cents", Cents, nullable=False),
)

chain_heads = sa.Table(
    "chain_heads",
    metadata,
    sa.Column("workstation", sa.String(20), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
)

# -- the counter's programs, as a batch carries them (see ``books``; migration c0006) --------

contests = sa.Table(
    "contests",
    metadata,
    sa.Column("number", sa.String(40), primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("ref", sa.String(60), nullable=False, index=True),
    sa.Column("level", sa.String(10), nullable=False),
    sa.Column("business_date", sa.String(10), nullable=False),
    sa.Column("reason", sa.String(400), nullable=False),
    sa.Column("contact", sa.String(200), nullable=False),
    sa.Column("inability_to_pay", sa.Boolean, nullable=False),
    sa.Column("actor", sa.String(40), nullable=False),
    sa.Column("approver", sa.String(40)),
    sa.Column("created_at", sa.String(40), nullable=False),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("number", sa.String(40), primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("ref", sa.String(60), nullable=False, index=True),
    sa.Column("business_date", sa.String(10), nullable=False),
    sa.Column("indigent", sa.Boolean, nullable=False),
    sa.Column("monthly_cents", Cents, nullable=False),
    sa.Column("fee_cents", Cents, nullable=False),
    sa.Column("fine_cents", Cents, nullable=False),
    sa.Column("penalty_cents", Cents, nullable=False),
    sa.Column("total_cents", Cents, nullable=False),
    sa.Column("actor", sa.String(40), nullable=False),
    sa.Column("approver", sa.String(40), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

plan_instalments = sa.Table(
    "plan_instalments",
    metadata,
    sa.Column("plan", sa.String(40), sa.ForeignKey("plans.number"), primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("due", sa.String(10), nullable=False),
    sa.Column("amount_cents", Cents, nullable=False),
)

# -- contacts: the audit head a workstation showed at each sync contact (see ``contacts``) --

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("problem", sa.Text),  # why central flags it (behind, fork); None when it fits
    sa.Index("ix_contacts_workstation_seq", "workstation", "seq"),
)

# -- who may send: the workstations central knows (see ``access``) -------------------------

workstations = sa.Table(
    "workstations",
    metadata,
    sa.Column("id", sa.String(20), primary_key=True),
    sa.Column("role", sa.String(63), unique=True),  # its PostgreSQL role (none on SQLite)
    sa.Column("added_at", sa.String(40), nullable=False),
    sa.Column("removed_at", sa.String(40)),  # it may send no more; its batches stay
)

# -- quarantine: batches central refused, kept with their audit records ----------------------

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("batch_id", sa.String(60), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("workstation", sa.String(20), nullable=False, index=True),
    sa.Column("business_date", sa.String(10), nullable=False),
    sa.Column("reason", sa.String(20), nullable=False),  # conflict, chain, detail
    sa.Column("problem", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # the batch as sent, audit records included
    sa.Column("audit_since", sa.Integer, nullable=False),
    sa.Column("head_seq", sa.Integer, nullable=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
)

quarantine_decisions = sa.Table(
    "quarantine_decisions",
    metadata,
    sa.Column("batch_id", sa.String(60), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("decision", sa.String(10), nullable=False),  # accepted, rejected
    sa.Column("decided_by", sa.String(40), nullable=False),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("decided_at", sa.String(40), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(["batch_id", "sha256"], ["quarantine.batch_id", "quarantine.sha256"]),
)

#: The tables a workstation writes batches into (INSERT and SELECT only).
BATCH_TABLES = (
    "batches",
    "drawer_sessions",
    "receipts",
    "receipt_lines",
    "tenders",
    "gl_distribution",
    "tender_totals",
    "deposits",
    "chain_heads",
)

#: Refused batches and the decisions on them (INSERT and SELECT only, like the books).
QUARANTINE_TABLES = ("quarantine", "quarantine_decisions")

# -- reference data (flows from central to the workstations) --------------------------------

ref_revenue_codes = sa.Table(
    "ref_revenue_codes",
    metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("program", sa.String(60), nullable=False),
    sa.Column("gl", sa.String(400), nullable=False),
    sa.Column("fee_type", sa.String(10), nullable=False),
    sa.Column("amount_cents", Cents),
    sa.Column("partial_allowed", sa.Boolean, nullable=False),
    sa.Column("changed_at", sa.String(40), nullable=False, index=True),
    sa.Column("rule", sa.String(20)),  # the program rule its lines follow (c0006)
)

#: The city's program rules files imported at central (c0006); the newest is in force and
#: ``sync pull`` brings it to every workstation.
ref_program_rules = sa.Table(
    "ref_program_rules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("changed_at", sa.String(40), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

ref_users = sa.Table(
    "ref_users",
    metadata,
    sa.Column("login", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("pin_hash", sa.String(200), nullable=False),
    sa.Column("changed_at", sa.String(40), nullable=False, index=True),
)

ref_open_items = sa.Table(
    "ref_open_items",
    metadata,
    sa.Column("ref", sa.String(60), primary_key=True),
    sa.Column("program", sa.String(60), nullable=False),
    sa.Column("account", sa.String(60), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address", sa.String(200), nullable=False),
    sa.Column("amount_due_cents", Cents, nullable=False),
    sa.Column("due_date", sa.String(10), nullable=False),
    sa.Column("revenue_code", sa.String(40), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("changed_at", sa.String(40), nullable=False, index=True),
    # As a local import reads them (c0012): '' and NULL when the file has none.
    sa.Column("plate", sa.String(20), nullable=False, server_default=""),
    sa.Column("issued", sa.String(10)),
    sa.Column("notice", sa.String(10)),
)

# -- views (not tables: made by the migrations, read by ``sync pull``) ------------------------

views = sa.MetaData()

#: Every registered workstation's payments on open items (see ``access.PAYMENTS_VIEW``).
open_item_payments = sa.Table(
    "open_item_payments",
    views,
    sa.Column("batch_id", sa.String(60)),
    sa.Column("workstation", sa.String(20)),
    sa.Column("ref", sa.String(60)),
    sa.Column("amount_cents", Cents),
    sa.Column("created_at", sa.String(40)),
    sa.Column("voided", sa.Boolean),
)

# The accounts and the counters' program records (issue 15, item 2) are in their own module;
# importing it here puts them into ``metadata``.
from cashier_desk.sync import schema_corrections as _corrections  # noqa: E402,F401
from cashier_desk.sync import schema_programs as _programs  # noqa: E402,F401
