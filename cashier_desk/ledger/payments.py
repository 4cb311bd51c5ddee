"""Payments on open items in a closeout batch, for the systems the items came from.

Utility billing, parking, licensing … each sent its open items (bills, citations, renewals);
after the closeout each gets back the payments taken on its items, to post them to its own
accounts.  A payment is a receipt line that names an open item; a voided receipt pays nothing.

What the counter's program items took (programs.md: a TOT return filed, a business or animal
licence, a parking permit) names no open item but is a payment the program's own system must
hear of too (an outside trial: a TOT return and a licence renewal reached no file): each of
their lines is listed under its code's program, its ``ref`` the record's own (the return's
period, the licence, tag or permit number) and its ``account`` the operator's or business's
account (an animal licence: its tag; a permit: its plate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.schema import (
    batch_sessions,
    open_items,
    receipt_lines,
    receipts,
    revenue_codes,
    voids,
)
from cashier_desk.ledger.schema_programs import animal_licences, licences, permits, tot_returns
from cashier_desk.money import Money

#: The program of a payment whose open item is no longer in the ledger (never expected).
UNKNOWN_PROGRAM = "unknown"


@dataclass(frozen=True)
class ItemPayment:
    program: str
    ref: str
    account: str
    amount: Money
    receipt: str
    paid_at: str
    business_date: str


#: Each program rule whose items make a record: the record's table, its ``ref`` and
#: ``account`` columns in a payments file.
RECORDS: dict[str, tuple[sa.Table, str, str]] = {
    "tot": (tot_returns, "period", "account"),
    "business_licence": (licences, "number", "account"),
    "animal_licence": (animal_licences, "number", "tag"),
    "parking_permit": (permits, "number", "plate"),
}


def item_payments(conn: sa.Connection, batch_id: str) -> list[ItemPayment]:
    """The batch's payments on open items and its program items' lines, in receipt order."""
    sessions = sa.select(batch_sessions.c.session_id).where(batch_sessions.c.batch_id == batch_id)
    keyed = _on_open_items(conn, sessions) + _on_program_items(conn, sessions)
    return [payment for _, payment in sorted(keyed, key=lambda k: k[0])]


def _paid_lines(sessions: sa.Select[tuple[str]], *columns: Any) -> sa.Select[Any]:
    """``columns`` of the lines of the sessions' receipts that were not voided, with what a
    payment row needs of each line and its receipt (its place in the batch too)."""
    return (
        sa.select(
            *columns,
            receipt_lines.c.line_no,
            receipt_lines.c.amount_cents,
            receipts.c.id,
            receipts.c.receipt_no,
            receipts.c.created_at,
            receipts.c.business_date,
        )
        .join(receipts, receipts.c.id == receipt_lines.c.receipt_id)
        .where(
            receipts.c.session_id.in_(sessions),
            ~sa.exists().where(voids.c.receipt_id == receipts.c.id),
        )
    )


def _on_open_items(
    conn: sa.Connection, sessions: sa.Select[tuple[str]]
) -> list[tuple[tuple[int, int], ItemPayment]]:
    rows = conn.execute(
        _paid_lines(sessions, open_items.c.program, receipt_lines.c.ref, open_items.c.account)
        .outerjoin(open_items, open_items.c.ref == receipt_lines.c.ref)
        .where(receipt_lines.c.ref.is_not(None))
    ).all()
    return [
        _keyed(r, str(r.program or UNKNOWN_PROGRAM), str(r.ref), str(r.account or "")) for r in rows
    ]


def _keyed(r: Any, program: str, ref: str, account: str) -> tuple[tuple[int, int], ItemPayment]:
    """A payment of the receipt line ``r`` (with its receipt's number, time and date), keyed
    by its place in the batch (receipt, line)."""
    payment = ItemPayment(
        program=program,
        ref=ref,
        account=account,
        amount=Money(int(r.amount_cents)),
        receipt=str(r.receipt_no),
        paid_at=str(r.created_at),
        business_date=str(r.business_date),
    )
    return (int(r.id), int(r.line_no)), payment


def _on_program_items(
    conn: sa.Connection, sessions: sa.Select[tuple[str]]
) -> list[tuple[tuple[int, int], ItemPayment]]:
    """Each line of a program item (no open item named; its code of a rule that makes a
    record), with the record whose item it belongs to: the record of its receipt that starts
    at the nearest line at or before it (an item's lines are consecutive)."""
    lines = conn.execute(
        _paid_lines(sessions, revenue_codes.c.program, revenue_codes.c.rule)
        .join(revenue_codes, revenue_codes.c.code == receipt_lines.c.code)
        .where(receipt_lines.c.ref.is_(None), revenue_codes.c.rule.in_(list(RECORDS)))
    ).all()
    made = _records(conn, sorted({str(r.receipt_no) for r in lines}))
    out = []
    for r in lines:
        records = made.get((str(r.receipt_no), str(r.rule)), {})
        starts = [k for k in records if k <= r.line_no]
        ref, account = records[max(starts)] if starts else ("", "")
        out.append(_keyed(r, str(r.program), ref, account))
    return out


def _records(
    conn: sa.Connection, receipt_nos: list[str]
) -> dict[tuple[str, str], dict[int, tuple[str, str]]]:
    """(receipt, rule) → {first line: (ref, account)} of the records those receipts made."""
    found: dict[tuple[str, str], dict[int, tuple[str, str]]] = {}
    if not receipt_nos:
        return found
    for rule, (table, ref, account) in RECORDS.items():
        for start in range(0, len(receipt_nos), 500):
            rows = conn.execute(
                sa.select(
                    table.c.receipt_no, table.c.line_no, table.c[ref], table.c[account]
                ).where(table.c.receipt_no.in_(receipt_nos[start : start + 500]))
            )
            for no, line, ident, acct in rows:
                found.setdefault((str(no), rule), {})[int(line)] = (str(ident), str(acct))
    return found
