"""The local ledger's tables (SQLAlchemy Core).

Money columns are integers of cents (``*_cents``).  Rows that record money or control events
are append-only: a correction is a new row that points at the old one (a void, a reversing
journal entry), never an UPDATE; migration 0002 installs triggers that refuse UPDATE and
DELETE on them.  The few mutable rows are control state, not money: the per-workstation
counters, login failure counts, print-job delivery, outbox delivery, and reference data that an
import replaces.
"""

from __future__ import annotations

import sqlalchemy as sa

from cashier_desk.ledger.meta import NAMING_CONVENTION as NAMING_CONVENTION
from cashier_desk.ledger.meta import Cents as Cents
from cashier_desk.ledger.meta import metadata as metadata

# -- control state -------------------------------------------------------------------------

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("workstation", sa.String(20), primary_key=True),
    sa.Column("kind", sa.String(20), primary_key=True),  # receipt, session, batch
    sa.Column("last", sa.Integer, nullable=False),
)

# -- reference data --------------------------------------------------------------------------

users = sa.Table(
    "users",
    metadata,
    sa.Column("login", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("pin_hash", sa.String(200), nullable=False),
)

login_state = sa.Table(
    "login_state",
    metadata,
    sa.Column("login", sa.String(40), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.String(40)),
)

revenue_codes = sa.Table(
    "revenue_codes",
    metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("program", sa.String(60), nullable=False),
    sa.Column("gl", sa.String(400), nullable=False),
    sa.Column("fee_type", sa.String(10), nullable=False),
    sa.Column("amount_cents", Cents),
    sa.Column("partial_allowed", sa.Boolean, nullable=False),
    # The program rule its lines follow (programs.md); NULL: a plain fee or bill.
    sa.Column("rule", sa.String(20)),
)

#: Registered TOT operators and licensed businesses (programs.md, "Accounts"; migration 0010):
#: imported from the billing system (``import accounts``), which replaces rows by ``account``.
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("account", sa.String(60), primary_key=True),
    sa.Column("rule", sa.String(20), nullable=False),  # tot, business_licence
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address", sa.String(200), nullable=False),
    sa.Column("opened", sa.String(10)),  # YYYY-MM-DD; NULL: not known
)

#: Contests of citations made at the counter (programs.md; migration 0009), append-only.
contests = sa.Table(
    "contests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("ref", sa.String(60), nullable=False, index=True),
    sa.Column("level", sa.String(10), nullable=False),  # review, hearing
    sa.Column("business_date", sa.String(10), nullable=False),  # penalties stop growing here
    sa.Column("reason", sa.String(400), nullable=False),
    sa.Column("contact", sa.String(200), nullable=False),
    sa.Column("inability_to_pay", sa.Boolean, nullable=False),
    sa.Column("workstation", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(40), nullable=False),
    sa.Column("approver", sa.String(40)),  # a lead who allowed it after the window
    sa.Column("created_at", sa.String(40), nullable=False),
)

#: Payment plans on open items (programs.md; migration 0009), append-only; the item's payments
#: on receipt lines after ``after_line`` are the plan's.
plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("ref", sa.String(60), nullable=False, unique=True),
    sa.Column("business_date", sa.String(10), nullable=False),
    sa.Column("indigent", sa.Boolean, nullable=False),
    sa.Column("monthly_cents", Cents, nullable=False),
    sa.Column("fee_cents", Cents, nullable=False),
    sa.Column("fine_cents", Cents, nullable=False),  # the item's principal in the plan
    sa.Column("penalty_cents", Cents, nullable=False),  # the penalties in it (0 if waived)
    sa.Column("total_cents", Cents, nullable=False),
    sa.Column("after_line", sa.Integer, nullable=False),
    sa.Column("workstation", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(40), nullable=False),
    sa.Column("approver", sa.String(40), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    # The newest corrections id when it was made (migration 0013): later ones count.
    sa.Column("after_correction", sa.Integer, nullable=False, server_default=sa.text("0")),
)

plan_instalments = sa.Table(
    "plan_instalments",
    metadata,
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True),
    sa.Column("due", sa.String(10), nullable=False),
    sa.Column("amount_cents", Cents, nullable=False),
)

#: Every program rules file imported (TOML, whole); the newest is in force (migration 0008).
program_rules = sa.Table(
    "program_rules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("imported_at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(40), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

open_items = sa.Table(
    "open_items",
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
    # What was paid at this counter counts against amount_due from receipt lines after this
    # one (an import without as_of: the balance is the import's own) and from receipts made
    # after as_of (the billing system's balance time, UTC ISO; '' when not given).
    sa.Column("paid_before_line", sa.Integer, nullable=False),
    sa.Column("plate", sa.String(20), nullable=False, server_default=""),
    sa.Column("as_of", sa.String(40), nullable=False, server_default=""),
    sa.Column("issued", sa.String(10)),
    sa.Column("notice", sa.String(10)),
    # The item's row id in the counter's search index (ledger/search.py, migration 0007).
    sa.Column("search_key", sa.BigInteger, nullable=False),
    sa.Index("ix_open_items_search_key", "search_key", unique=True),
)

# -- drawer sessions -------------------------------------------------------------------------

drawer_sessions = sa.Table(
    "drawer_sessions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("drawer", sa.String(40), nullable=False),
    sa.Column("cashier", sa.String(40), sa.ForeignKey("users.login"), nullable=False),
    sa.Column("business_date", sa.String(10), nullable=False, index=True),
    sa.Column("opened_at", sa.String(40), nullable=False),
    sa.Column("opening_cents", Cents, nullable=False),
    sa.Column("opening_counts", sa.Text, nullable=False),  # JSON: denomination -> count
)

# A close is a blind count.  A lead may send a count back (``close_rejections``): the cashier
# counts again, as count 2, 3, ...; every count is kept and the newest one decides
# (``drawer.deciding``).
drawer_closes = sa.Table(
    "drawer_closes",
    metadata,
    sa.Column("session_id", sa.String(40), sa.ForeignKey("drawer_sessions.id"), primary_key=True),
    sa.Column("count_no", sa.Integer, primary_key=True),  # 1, then 2, ... after a recount
    sa.Column("closed_at", sa.String(40), nullable=False),
    sa.Column("counted", sa.Text, nullable=False),  # JSON of the blind count as submitted
    sa.Column("needs_approval", sa.Boolean, nullable=False),
)

close_counts = sa.Table(
    "close_counts",
    metadata,
    sa.Column("session_id", sa.String(40), sa.ForeignKey("drawer_sessions.id"), primary_key=True),
    sa.Column("count_no", sa.Integer, primary_key=True),
    sa.Column("tender", sa.String(20), primary_key=True),
    # For cash both figures are of the whole drawer, change fund included.
    sa.Column("expected_cents", Cents, nullable=False),
    sa.Column("counted_cents", Cents, nullable=False),
)

close_rejections = sa.Table(
    "close_rejections",
    metadata,
    # A lead sent count ``count_no`` of the session back for a recount.
    sa.Column("session_id", sa.String(40), sa.ForeignKey("drawer_sessions.id"), primary_key=True),
    sa.Column("count_no", sa.Integer, primary_key=True),
    sa.Column("approver", sa.String(40), sa.ForeignKey("users.login"), nullable=False),
    sa.Column("comment", sa.String(500), nullable=False),
    sa.Column("rejected_at", sa.String(40), nullable=False),
)

close_approvals = sa.Table(
    "close_approvals",
    metadata,
    sa.Column("session_id", sa.String(40), sa.ForeignKey("drawer_sessions.id"), primary_key=True),
    sa.Column("approver", sa.String(40), sa.ForeignKey("users.login"), nullable=False),
    sa.Column("comment", sa.String(500), nullable=False),
    sa.Column("approved_at", sa.String(40), nullable=False),
)

drawer_movements = sa.Table(
    "drawer_movements",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "session_id", sa.String(40), sa.ForeignKey("drawer_sessions.id"), nullable=False, index=True
    ),
    sa.Column("kind", sa.String(20), nullable=False),  # drop, paid_out, no_sale
    sa.Column("amount_cents", Cents, nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
    sa.Column("gl", sa.String(60)),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("bag", sa.String(40)),  # a drop's bag or envelope number (migration 0006)
    sa.Column("approver", sa.String(40)),  # who approved a paid-out above the limit
)

# -- receipts --------------------------------------------------------------------------------

receipts = sa.Table(
    "receipts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("receipt_no", sa.String(40), nullable=False, unique=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column(
        "session_id", sa.String(40), sa.ForeignKey("drawer_sessions.id"), nullable=False, index=True
    ),
    sa.Column("cashier", sa.String(40), nullable=False),
    sa.Column("payer", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("business_date", sa.String(10), nullable=False, index=True),
    sa.Column("total_cents", Cents, nullable=False),
    sa.Column("change_cents", Cents, nullable=False),
    sa.UniqueConstraint("workstation", "seq", name="uq_receipts_workstation_seq"),
)

receipt_lines = sa.Table(
    "receipt_lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("receipt_id", sa.Integer, sa.ForeignKey("receipts.id"), nullable=False, index=True),
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
    sa.Column("receipt_id", sa.Integer, sa.ForeignKey("receipts.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # cash, check, money_order, card
    sa.Column("amount_cents", Cents, nullable=False),
    sa.Column("number", sa.String(40)),  # check or money-order number
    sa.Column("auth", sa.String(20)),  # card authorisation code
    sa.Column("last4", sa.String(4)),  # card: the last four digits, never more
)

voids = sa.Table(
    "voids",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("receipt_id", sa.Integer, sa.ForeignKey("receipts.id"), nullable=False, unique=True),
    sa.Column("approver", sa.String(40), sa.ForeignKey("users.login"), nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
    sa.Column("voided_at", sa.String(40), nullable=False),
)

# -- double-entry journal --------------------------------------------------------------------

journal_entries = sa.Table(
    "journal_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "session_id", sa.String(40), sa.ForeignKey("drawer_sessions.id"), nullable=False, index=True
    ),
    sa.Column("kind", sa.String(20), nullable=False),  # sale, void, drop, paid_out, over_short
    sa.Column("receipt_id", sa.Integer, sa.ForeignKey("receipts.id")),
    sa.Column("created_at", sa.String(40), nullable=False),
)

postings = sa.Table(
    "postings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "entry_id", sa.Integer, sa.ForeignKey("journal_entries.id"), nullable=False, index=True
    ),
    sa.Column("account", sa.String(60), nullable=False),
    # Debit positive, credit negative; every entry's postings sum to zero.
    sa.Column("amount_cents", Cents, nullable=False),
)

# -- closeout and sync -----------------------------------------------------------------------

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("id", sa.String(60), primary_key=True),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("business_date", sa.String(10), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("approver", sa.String(40), sa.ForeignKey("users.login"), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # canonical JSON sent to central
    sa.Column("sha256", sa.String(64), nullable=False),
)

batch_sessions = sa.Table(
    "batch_sessions",
    metadata,
    sa.Column("session_id", sa.String(40), sa.ForeignKey("drawer_sessions.id"), primary_key=True),
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("batch_id", sa.String(60), sa.ForeignKey("batches.id"), primary_key=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("sent_at", sa.String(40)),
    sa.Column("outcome", sa.String(20)),  # sent, already_there, conflict
)

print_jobs = sa.Table(
    "print_jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("receipt_id", sa.Integer, sa.ForeignKey("receipts.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # original, reprint, void
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("printed_at", sa.String(40)),
)

# -- audit -----------------------------------------------------------------------------------

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("workstation", sa.String(20), nullable=False),
    sa.Column("actor", sa.String(40), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("target", sa.String(100), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("details", sa.Text, nullable=False),  # canonical JSON
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

pulled_batches = sa.Table(
    "pulled_batches",
    metadata,
    # Batches of other workstations whose open-item payments were applied here by `sync pull`.
    sa.Column("batch_id", sa.String(60), primary_key=True),
    sa.Column("pulled_at", sa.String(40), nullable=False),
)

sync_state = sa.Table(
    "sync_state",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

#: Tables whose rows are never updated or deleted (enforced by triggers, migration 0002).
APPEND_ONLY = (
    "drawer_sessions",
    "drawer_closes",
    "close_counts",
    "close_rejections",
    "close_approvals",
    "drawer_movements",
    "receipts",
    "receipt_lines",
    "tenders",
    "voids",
    "journal_entries",
    "postings",
    "batches",
    "batch_sessions",
    "audit_log",
)

# The tables of what program items made (TOT returns, licences, tags, permits) are in their own
# module, on this same metadata; importing it here registers them with every use of the schema.
# The tables of corrections after the closeout (migration 0012) are in their own module, on this
# same metadata; importing it here registers them with every use of the schema.
from cashier_desk.ledger.schema_corrections import (  # noqa: E402
    account_flags as account_flags,
)
from cashier_desk.ledger.schema_corrections import (  # noqa: E402
    correction_postings as correction_postings,
)
from cashier_desk.ledger.schema_corrections import (  # noqa: E402
    correction_takes as correction_takes,
)
from cashier_desk.ledger.schema_corrections import corrections as corrections  # noqa: E402
from cashier_desk.ledger.schema_corrections import (  # noqa: E402
    item_adjustments as item_adjustments,
)
from cashier_desk.ledger.schema_corrections import item_splits as item_splits  # noqa: E402
from cashier_desk.ledger.schema_programs import (  # noqa: E402
    animal_licences as animal_licences,
)
from cashier_desk.ledger.schema_programs import licences as licences  # noqa: E402
from cashier_desk.ledger.schema_programs import permits as permits  # noqa: E402
from cashier_desk.ledger.schema_programs import tot_returns as tot_returns  # noqa: E402
