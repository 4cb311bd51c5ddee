"""A sale's rows and a void's: the receipt, its lines and tenders (written the fast way, one
prepared statement each), the void row, and what a void reads of the sale it takes back
(issue 13: all SQL lives in ledger/)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.db import FastInsert
from cashier_desk.ledger.posting import drawer_account
from cashier_desk.ledger.schema import (
    journal_entries,
    postings,
    receipt_lines,
    receipts,
    tenders,
    voids,
)
from cashier_desk.money import Money

_INSERT_RECEIPT = FastInsert(receipts)
_INSERT_LINE = FastInsert(receipt_lines)
_INSERT_TENDER = FastInsert(tenders)


def add_receipt(conn: sa.Connection, receipt: Mapping[str, Any]) -> int:
    """Write a receipt; its row id."""
    return _INSERT_RECEIPT.one(conn, receipt)


def add_lines(conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    _INSERT_LINE.many(conn, rows)


def add_tenders(conn: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    _INSERT_TENDER.many(conn, rows)


def add_void(conn: sa.Connection, receipt_id: int, row: Mapping[str, Any]) -> None:
    conn.execute(sa.insert(voids).values(receipt_id=receipt_id, **row))


def _sale_entry(receipt_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(journal_entries.c.receipt_id == receipt_id, journal_entries.c.kind == "sale")


def sale_postings(conn: sa.Connection, receipt_id: int) -> list[tuple[str, Money]]:
    """The sale's journal lines (account, amount), in the order they were posted."""
    rows = conn.execute(
        sa.select(postings.c.account, postings.c.amount_cents)
        .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
        .where(_sale_entry(receipt_id))
        .order_by(postings.c.id)
    ).all()
    return [(str(a), Money(c)) for a, c in rows]


def receipt_for_void(conn: sa.Connection, number: str) -> sa.Row[Any] | None:
    """A receipt's id, session and total, or None."""
    query: sa.Select[Any] = sa.select(
        receipts.c.id, receipts.c.session_id, receipts.c.total_cents
    ).where(receipts.c.receipt_no == number)
    return conn.execute(query).first()


def is_voided(conn: sa.Connection, receipt_id: int) -> bool:
    return (
        conn.execute(sa.select(voids.c.id).where(voids.c.receipt_id == receipt_id)).first()
        is not None
    )


def cash_taken(conn: sa.Connection, receipt_id: int) -> Money:
    """The cash the sale brought into the drawer (net of change)."""
    cents = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(postings.c.amount_cents), 0))
        .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
        .where(_sale_entry(receipt_id), postings.c.account == drawer_account("cash"))
    ).scalar_one()
    return Money(int(cents))
