"""What a money audit record seals: a SHA-256 per table over the rows its event wrote.

The append-only triggers stop a program, not a person with the file: drop them and a receipt's
total can be edited while the audit chain still verifies.  So each money event's audit record
carries, in its details, ``"rows": {table: sha256 hex}`` over a canonical form of every row
that event wrote, in the same transaction; ``audit verify`` computes the same digests from the
rows as they are now (``ledger/crosscheck.py``) and names each table and key that differs.

The canonical form of a table's rows is the canonical JSON (``audit.canonical``) of
``[table, [[value, ...], ...]]``: the columns of :data:`COLUMNS` in that order, values as
SQLite holds them (integers of cents, text, null; a boolean as 0 or 1), rows in the order the
event wrote them.  Surrogate keys and the key of the parent row are left out: which rows belong
to the event is the grouping itself (a line moved to another receipt changes both receipts'
digests).  A journal entry is sealed as its postings, each with its entry's session and kind;
every value here is also in a batch's detail, so central can compute the same digests.

The same :func:`seal` runs when the record is written (from the values inserted) and when it
is verified (from the rows read back).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.audit import canonical
from cashier_desk.money import Money

#: The sealed columns of each table, in their canonical order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "receipts": (
        "receipt_no", "workstation", "seq", "session_id", "cashier", "payer", "created_at",
        "business_date", "total_cents", "change_cents",
    ),
    "receipt_lines": ("line_no", "code", "ref", "description", "qty", "amount_cents"),
    "tenders": ("kind", "amount_cents", "number", "auth", "last4"),
    "voids": ("approver", "reason", "voided_at"),
    # a journal entry's postings, each with the entry's session and kind
    "postings": ("session_id", "kind", "account", "amount_cents"),
    "drawer_sessions": (
        "id", "workstation", "drawer", "cashier", "business_date", "opened_at", "opening_cents",
        "opening_counts",
    ),
    "drawer_movements": (
        "id", "session_id", "kind", "amount_cents", "reason", "gl", "at", "bag", "approver",
    ),
    "drawer_closes": ("count_no", "closed_at", "counted", "needs_approval"),
    "close_counts": ("tender", "expected_cents", "counted_cents"),
    "close_approvals": ("approver", "comment", "approved_at"),
    "close_rejections": ("count_no", "approver", "comment", "rejected_at"),
    "batches": ("id", "workstation", "business_date", "created_at", "approver", "sha256"),
    "batch_sessions": ("session_id",),
}  # fmt: skip

#: The audit actions whose records carry money rows, and the tables each one seals.
SEALS: dict[str, tuple[str, ...]] = {
    "sale": ("receipts", "receipt_lines", "tenders", "postings"),
    "void": ("voids", "postings"),
    "drop": ("drawer_movements", "postings"),
    "paid_out": ("drawer_movements", "postings"),
    "no_sale": ("drawer_movements",),
    "open_drawer": ("drawer_sessions",),
    "close_drawer": ("drawer_closes", "close_counts", "postings"),
    "approve_close": ("close_approvals",),
    "reject_close": ("close_rejections",),
    "closeout": ("batches", "batch_sessions"),
}

Row = Sequence[Any]


def seal(table: str, rows: Iterable[Row]) -> str:
    """The SHA-256 (hex) of the canonical form of ``rows`` of ``table``."""
    # tuples and lists encode alike: the rows go to the C encoder as they come
    text = canonical([table, rows if isinstance(rows, list) else list(rows)])
    return hashlib.sha256(text.encode()).hexdigest()


def row_of(table: str, values: Mapping[str, Any] | sa.RowMapping) -> tuple[Any, ...]:
    """One row of ``table`` as :func:`seal` takes it, from the values inserted."""
    return tuple(_stored(values[c]) for c in COLUMNS[table])


def _stored(value: Any) -> Any:
    """A value as SQLite gives it back: a boolean as 0 or 1, Money as cents."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Money):
        return value.cents
    return value


def entry_rows(
    session_id: str, kind: str, lines: Iterable[tuple[str, Money]]
) -> list[tuple[str, str, str, int]]:
    """The sealed rows of one journal entry (``posting.post_entry`` writes no zero posting)."""
    return [(session_id, kind, account, m.cents) for account, m in lines if m]


def seals(**tables: Iterable[Row]) -> dict[str, dict[str, str]]:
    """``{"rows": {table: digest}}`` for an audit record's details."""
    return {"rows": {table: seal(table, rows) for table, rows in tables.items()}}
