"""Over/short history: every closed drawer session of a period, what its blind count found
against what was expected, per tender, and who approved it — the supervisor's view of each
cashier's drawers over time (F9)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cashier_desk.ledger.drawer import deciding
from cashier_desk.ledger.posting import TENDER_KINDS
from cashier_desk.ledger.schema import (
    close_approvals,
    close_counts,
    close_rejections,
    drawer_closes,
    drawer_sessions,
)
from cashier_desk.money import Money


@dataclass(frozen=True)
class OverShort:
    business_date: str
    session: str
    workstation: str
    drawer: str
    cashier: str
    closed_at: str
    by_tender: dict[str, Money]  # counted minus expected, every tender
    approved_by: str | None

    @property
    def total(self) -> Money:
        return Money(sum(m.cents for m in self.by_tender.values()))


def over_short_history(conn: sa.Connection, date_from: str, date_to: str) -> list[OverShort]:
    """The closed sessions whose business date is from ``date_from`` to ``date_to``
    (inclusive), in date and closing order, each with its deciding (newest) count; a session
    whose count was sent back and is not yet counted again is not closed, so not listed."""
    sent_back = sa.exists().where(
        close_rejections.c.session_id == drawer_closes.c.session_id,
        close_rejections.c.count_no == drawer_closes.c.count_no,
    )
    rows = conn.execute(
        sa.select(
            drawer_sessions.c.id,
            drawer_sessions.c.business_date,
            drawer_sessions.c.workstation,
            drawer_sessions.c.drawer,
            drawer_sessions.c.cashier,
            drawer_closes.c.closed_at,
            close_approvals.c.approver,
        )
        .join(drawer_closes, drawer_closes.c.session_id == drawer_sessions.c.id)
        .outerjoin(close_approvals, close_approvals.c.session_id == drawer_sessions.c.id)
        .where(
            drawer_sessions.c.business_date.between(date_from, date_to),
            deciding(drawer_closes),
            ~sent_back,
        )
        .order_by(drawer_sessions.c.business_date, drawer_closes.c.closed_at, drawer_sessions.c.id)
    ).all()
    counts: dict[str, dict[str, Money]] = {}
    for r in conn.execute(
        sa.select(close_counts).where(
            close_counts.c.session_id.in_([row.id for row in rows]), deciding(close_counts)
        )
    ):
        counts.setdefault(r.session_id, {})[r.tender] = Money(r.counted_cents - r.expected_cents)
    return [
        OverShort(
            business_date=str(r.business_date),
            session=str(r.id),
            workstation=str(r.workstation),
            drawer=str(r.drawer),
            cashier=str(r.cashier),
            closed_at=str(r.closed_at),
            by_tender={t: counts.get(r.id, {}).get(t, Money(0)) for t in TENDER_KINDS},
            approved_by=None if r.approver is None else str(r.approver),
        )
        for r in rows
    ]
