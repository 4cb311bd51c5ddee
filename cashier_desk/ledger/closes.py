"""The drawer closes' rows: each blind count and its figures per tender, a lead's approval or
sending back of a close, and which close awaits approval longest. The Desk decides; these
write and read (issue 13: all SQL lives in ledger/)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger import drawer
from cashier_desk.ledger.schema import (
    close_approvals,
    close_counts,
    close_rejections,
    drawer_closes,
)
from cashier_desk.money import Money


def add_close(
    conn: sa.Connection, close: Mapping[str, Any], counts: Sequence[Mapping[str, Any]]
) -> None:
    """A count of a drawer: its close row and its figures per tender."""
    conn.execute(sa.insert(drawer_closes).values(**close))
    conn.execute(sa.insert(close_counts), list(counts))


def add_approval(conn: sa.Connection, session_id: str, row: Mapping[str, Any]) -> None:
    conn.execute(sa.insert(close_approvals).values(session_id=session_id, **row))


def add_rejection(conn: sa.Connection, session_id: str, row: Mapping[str, Any]) -> None:
    conn.execute(sa.insert(close_rejections).values(session_id=session_id, **row))


def deciding_figures(conn: sa.Connection, session_id: str) -> dict[str, tuple[Money, Money, Money]]:
    """The (expected, counted, over/short) per tender of a session's deciding (newest) count;
    empty when it has no close yet."""
    rows = conn.execute(
        sa.select(close_counts).where(
            close_counts.c.session_id == session_id, drawer.deciding(close_counts)
        )
    ).all()
    return {
        r.tender: (
            Money(r.expected_cents),
            Money(r.counted_cents),
            Money(r.counted_cents - r.expected_cents),
        )
        for r in rows
    }


def closed_at(conn: sa.Connection, session_ids: Sequence[str]) -> dict[str, str]:
    """When each session's deciding count was made."""
    return {
        r.session_id: r.closed_at
        for r in conn.execute(
            sa.select(drawer_closes.c.session_id, drawer_closes.c.closed_at).where(
                drawer_closes.c.session_id.in_(list(session_ids)),
                drawer.deciding(drawer_closes),
            )
        )
    }


def sent_back(conn: sa.Connection, session_id: str) -> tuple[str, str] | None:
    """Who sent the session's newest count back for a recount, and their comment; None when
    no count of it was sent back."""
    row = conn.execute(
        sa.select(close_rejections.c.approver, close_rejections.c.comment)
        .where(close_rejections.c.session_id == session_id)
        .order_by(close_rejections.c.count_no.desc())
        .limit(1)
    ).first()
    return None if row is None else (str(row.approver), str(row.comment))
