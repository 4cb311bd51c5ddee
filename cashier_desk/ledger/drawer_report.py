"""The drawer report of a closed session: what the drawer took in, what left it, and what the
blind count found against what was expected.

Only a closed session has one: before the count is in, what the drawer should hold is not
shown to anyone at the counter (the count is blind).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cashier_desk.ledger import drawer
from cashier_desk.ledger.closeout import TenderFigures
from cashier_desk.ledger.posting import TENDER_KINDS
from cashier_desk.ledger.schema import (
    close_approvals,
    close_counts,
    close_rejections,
    drawer_closes,
    drawer_movements,
    receipts,
    voids,
)
from cashier_desk.money import Money


@dataclass(frozen=True)
class Movements:
    count: int
    total: Money


@dataclass(frozen=True)
class SentBack:
    """A count a lead sent back for a recount: kept, but it no longer decides."""

    count_no: int
    approver: str
    comment: str
    at: str
    over_short: dict[str, Money]  # what that count found, per tender


@dataclass(frozen=True)
class DrawerReport:
    session: drawer.Session
    closed_at: str
    receipts: int
    voids: int
    taken: dict[str, Money]  # per tender, sales less voids
    drops: Movements
    paid_outs: Movements
    no_sales: int
    figures: dict[str, TenderFigures]  # per tender, expected and counted at the close
    approved_by: str | None = None
    approval_comment: str = ""
    sent_back: tuple[SentBack, ...] = ()  # the counts before the deciding one, oldest first


def drawer_report(conn: sa.Connection, session_id: str) -> DrawerReport | None:
    """The report of a closed session, from its deciding (newest) count; None while it is open
    or being counted again (or unknown)."""
    session = drawer.get_session(conn, session_id)
    closed_at = conn.execute(
        sa.select(drawer_closes.c.closed_at).where(
            drawer_closes.c.session_id == session_id, drawer.deciding(drawer_closes)
        )
    ).scalar()
    if session is None or closed_at is None or session.state == drawer.RECOUNT:
        return None
    receipt_count = conn.execute(
        sa.select(sa.func.count()).where(receipts.c.session_id == session_id)
    ).scalar_one()
    void_count = conn.execute(
        sa.select(sa.func.count())
        .select_from(voids.join(receipts, receipts.c.id == voids.c.receipt_id))
        .where(receipts.c.session_id == session_id)
    ).scalar_one()
    moved = {
        str(kind): (int(n), Money(int(total)))
        for kind, n, total in conn.execute(
            sa.select(
                drawer_movements.c.kind,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(drawer_movements.c.amount_cents), 0),
            )
            .where(drawer_movements.c.session_id == session_id)
            .group_by(drawer_movements.c.kind)
        )
    }
    counts = {
        str(r.tender): TenderFigures(Money(r.expected_cents), Money(r.counted_cents))
        for r in conn.execute(
            sa.select(close_counts).where(
                close_counts.c.session_id == session_id, drawer.deciding(close_counts)
            )
        )
    }
    approval = conn.execute(
        sa.select(close_approvals.c.approver, close_approvals.c.comment).where(
            close_approvals.c.session_id == session_id
        )
    ).first()
    earlier: dict[int, dict[str, Money]] = {}
    for r in conn.execute(
        sa.select(close_counts).where(
            close_counts.c.session_id == session_id, ~drawer.deciding(close_counts)
        )
    ):
        earlier.setdefault(int(r.count_no), {})[str(r.tender)] = Money(
            r.counted_cents - r.expected_cents
        )
    sent_back = tuple(
        SentBack(
            int(r.count_no),
            str(r.approver),
            str(r.comment),
            str(r.rejected_at),
            earlier.get(int(r.count_no), {}),
        )
        for r in conn.execute(
            sa.select(close_rejections)
            .where(close_rejections.c.session_id == session_id)
            .order_by(close_rejections.c.count_no)
        )
    )
    taken = drawer.drawer_balances(conn, session_id, kinds=("sale", "void"))
    none = (0, Money(0))
    return DrawerReport(
        session=session,
        closed_at=str(closed_at),
        receipts=int(receipt_count),
        voids=int(void_count),
        taken={t: taken[t] for t in TENDER_KINDS},
        drops=Movements(*moved.get("drop", none)),
        paid_outs=Movements(*moved.get("paid_out", none)),
        no_sales=moved.get("no_sale", none)[0],
        figures={t: counts[t] for t in TENDER_KINDS if t in counts},
        approved_by=None if approval is None else str(approval.approver),
        approval_comment="" if approval is None else str(approval.comment),
        sent_back=sent_back,
    )
