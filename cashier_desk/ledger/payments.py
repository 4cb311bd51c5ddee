"""Payments on open items in a closeout batch, for the systems the items came from.

Utility billing, parking, licensing … each sent its open items (bills, citations, renewals);
after the closeout each gets back the payments taken on its items, to post them to its own
accounts.  A payment is a receipt line that names an open item; a voided receipt pays nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cashier_desk.ledger.schema import batch_sessions, open_items, receipt_lines, receipts, voids
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


def item_payments(conn: sa.Connection, batch_id: str) -> list[ItemPayment]:
    """The batch's payments on open items, in receipt order."""
    sessions = sa.select(batch_sessions.c.session_id).where(batch_sessions.c.batch_id == batch_id)
    rows = conn.execute(
        sa.select(
            open_items.c.program,
            receipt_lines.c.ref,
            open_items.c.account,
            receipt_lines.c.amount_cents,
            receipts.c.receipt_no,
            receipts.c.created_at,
            receipts.c.business_date,
        )
        .join(receipts, receipts.c.id == receipt_lines.c.receipt_id)
        .outerjoin(open_items, open_items.c.ref == receipt_lines.c.ref)
        .where(
            receipts.c.session_id.in_(sessions),
            receipt_lines.c.ref.is_not(None),
            ~sa.exists().where(voids.c.receipt_id == receipts.c.id),
        )
        .order_by(receipts.c.id, receipt_lines.c.line_no)
    ).all()
    return [
        ItemPayment(
            program=str(r.program or UNKNOWN_PROGRAM),
            ref=str(r.ref),
            account=str(r.account or ""),
            amount=Money(int(r.amount_cents)),
            receipt=str(r.receipt_no),
            paid_at=str(r.created_at),
            business_date=str(r.business_date),
        )
        for r in rows
    ]
