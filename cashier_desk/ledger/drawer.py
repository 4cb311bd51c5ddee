"""Drawer sessions: which is open, what state each is in, and what the drawer should hold.

A session's state is derived from append-only rows, never stored: open (no close yet),
awaiting approval (closed with an over/short that needs a lead, not yet approved), sent back
for a recount (a lead sent its newest count back; the cashier counts again), closed, and
batched (in a closeout).  Every count is kept; the newest one decides (:func:`deciding`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cashier_desk.ids import SessionId
from cashier_desk.ledger.posting import TENDER_KINDS, drawer_account
from cashier_desk.ledger.schema import (
    batch_sessions,
    close_approvals,
    close_rejections,
    drawer_closes,
    drawer_movements,
    drawer_sessions,
    journal_entries,
    postings,
)
from cashier_desk.money import Money

DENOMINATIONS = tuple(
    Money.parse(d)
    for d in (
        "100.00", "50.00", "20.00", "10.00", "5.00", "2.00", "1.00",
        "0.50", "0.25", "0.10", "0.05", "0.01",
    )
)  # fmt: skip

OPEN = "open"
AWAITING_APPROVAL = "awaiting_approval"
RECOUNT = "recount"
CLOSED = "closed"
BATCHED = "batched"


@dataclass(frozen=True)
class Session:
    id: SessionId
    workstation: str
    drawer: str
    cashier: str
    business_date: str
    opened_at: str
    opening: Money
    state: str


_newer = drawer_closes.alias("newer_count")


def newest_count_no(session_id: sa.ColumnElement[str]) -> sa.ScalarSelect[int]:
    """The number of the newest count of the session ``session_id`` (a correlated subquery)."""
    return (
        sa.select(sa.func.max(_newer.c.count_no))
        .where(_newer.c.session_id == session_id)
        .scalar_subquery()
    )


def count_of(conn: sa.Connection, session_id: str) -> int:
    """The number of the session's newest count (0 before its first)."""
    newest = conn.execute(
        sa.select(sa.func.max(drawer_closes.c.count_no)).where(
            drawer_closes.c.session_id == session_id
        )
    ).scalar()
    return int(newest or 0)


def deciding(table: sa.Table) -> sa.ColumnElement[bool]:
    """Rows of ``drawer_closes``, ``close_counts`` or ``close_rejections`` that belong to the
    count that decides: the newest count of their session.  Readers of a close (closeout,
    drawer report, over/short history, deposit) use only these rows."""
    return table.c.count_no == newest_count_no(table.c.session_id)


@dataclass(frozen=True)
class Movement:
    """Cash that left the drawer (a drop, a paid-out) or a no-sale, as the ledger holds it —
    what its drop slip or petty-cash voucher shows."""

    id: int
    kind: str  # drop, paid_out, no_sale
    amount: Money
    reason: str
    gl: str | None
    bag: str | None
    approver: str | None
    at: str
    session_id: SessionId
    workstation: str
    drawer: str
    cashier: str


def load_movement(conn: sa.Connection, movement_id: int) -> Movement | None:
    row = conn.execute(
        sa.select(
            drawer_movements,
            drawer_sessions.c.workstation,
            drawer_sessions.c.drawer,
            drawer_sessions.c.cashier,
        )
        .join(drawer_sessions, drawer_sessions.c.id == drawer_movements.c.session_id)
        .where(drawer_movements.c.id == movement_id)
    ).first()
    if row is None:
        return None
    return Movement(
        id=int(row.id),
        kind=str(row.kind),
        amount=Money(int(row.amount_cents)),
        reason=str(row.reason),
        gl=row.gl,
        bag=row.bag,
        approver=row.approver,
        at=str(row.at),
        session_id=SessionId(row.session_id),
        workstation=str(row.workstation),
        drawer=str(row.drawer),
        cashier=str(row.cashier),
    )


def _state_columns() -> list[sa.ColumnElement[bool]]:
    closed = sa.exists().where(drawer_closes.c.session_id == drawer_sessions.c.id)
    needs = sa.exists().where(
        drawer_closes.c.session_id == drawer_sessions.c.id,
        drawer_closes.c.needs_approval,
        deciding(drawer_closes),
    )
    sent_back = sa.exists().where(
        close_rejections.c.session_id == drawer_sessions.c.id, deciding(close_rejections)
    )
    approved = sa.exists().where(close_approvals.c.session_id == drawer_sessions.c.id)
    batched = sa.exists().where(batch_sessions.c.session_id == drawer_sessions.c.id)
    return [
        closed.label("is_closed"),
        needs.label("needs"),
        sent_back.label("sent_back"),
        approved.label("approved"),
        batched.label("batched"),
    ]


def _session(row: sa.Row[tuple[object, ...]]) -> Session:
    m = row._mapping
    if m["batched"]:
        state = BATCHED
    elif not m["is_closed"]:
        state = OPEN
    elif m["sent_back"]:
        state = RECOUNT
    elif m["needs"] and not m["approved"]:
        state = AWAITING_APPROVAL
    else:
        state = CLOSED
    return Session(
        id=SessionId(m["id"]),
        workstation=str(m["workstation"]),
        drawer=str(m["drawer"]),
        cashier=str(m["cashier"]),
        business_date=str(m["business_date"]),
        opened_at=str(m["opened_at"]),
        opening=Money(int(m["opening_cents"])),
        state=state,
    )


def sessions(conn: sa.Connection, *where: sa.ColumnElement[bool]) -> list[Session]:
    q = sa.select(drawer_sessions, *_state_columns()).where(*where)
    return [_session(r) for r in conn.execute(q.order_by(drawer_sessions.c.opened_at))]


def get_session(conn: sa.Connection, session_id: str) -> Session | None:
    found = sessions(conn, drawer_sessions.c.id == session_id)
    return found[0] if found else None


_OPEN_OF_CASHIER = (
    sa.select(drawer_sessions, *_state_columns())
    .where(
        drawer_sessions.c.cashier == sa.bindparam("login"),
        ~sa.exists().where(drawer_closes.c.session_id == drawer_sessions.c.id),
    )
    .order_by(drawer_sessions.c.opened_at)
)


def open_session_of_cashier(conn: sa.Connection, login: str) -> Session | None:
    """The cashier's open session (asked at every sale: the statement is built once)."""
    row = conn.execute(_OPEN_OF_CASHIER, {"login": login}).first()
    return None if row is None else _session(row)


def recount_of_cashier(conn: sa.Connection, login: str) -> Session | None:
    """The cashier's session whose count a lead sent back, waiting to be counted again."""
    found = [
        s
        for s in sessions(
            conn,
            drawer_sessions.c.cashier == login,
            sa.exists().where(close_rejections.c.session_id == drawer_sessions.c.id),
        )
        if s.state == RECOUNT
    ]
    return found[0] if found else None


def open_session_of_drawer(conn: sa.Connection, workstation: str, drawer: str) -> Session | None:
    """The drawer's session that is open, or whose count was sent back to be made again."""
    closed = sa.exists().where(drawer_closes.c.session_id == drawer_sessions.c.id)
    sent_back = sa.exists().where(close_rejections.c.session_id == drawer_sessions.c.id)
    found = [
        s
        for s in sessions(
            conn,
            drawer_sessions.c.workstation == workstation,
            drawer_sessions.c.drawer == drawer,
            sa.or_(~closed, sent_back),
        )
        if s.state in (OPEN, RECOUNT)
    ]
    return found[0] if found else None


def drawer_balances(
    conn: sa.Connection, session_id: str, kinds: tuple[str, ...] | None = None
) -> dict[str, Money]:
    """Net postings on each ``DRAWER:<tender>`` account of the session (the change fund is not
    posted, so cash here is what came in minus what went out), optionally only from entries of
    the given kinds."""
    q = (
        sa.select(postings.c.account, sa.func.sum(postings.c.amount_cents))
        .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
        .where(journal_entries.c.session_id == session_id)
        .group_by(postings.c.account)
    )
    if kinds is not None:
        q = q.where(journal_entries.c.kind.in_(kinds))
    sums = {str(a): int(s) for a, s in conn.execute(q)}
    return {t: Money(sums.get(drawer_account(t), 0)) for t in TENDER_KINDS}


def pieces_taken(conn: sa.Connection, session_id: str, tender: str) -> int:
    """How many payments of ``tender`` came into the session's drawer (postings into its
    ``DRAWER:<tender>`` account): a count of that tender may be that many times the most the
    counter takes at once."""
    q = (
        sa.select(sa.func.count())
        .select_from(postings.join(journal_entries, journal_entries.c.id == postings.c.entry_id))
        .where(
            journal_entries.c.session_id == session_id,
            postings.c.account == drawer_account(tender),
            postings.c.amount_cents > 0,
        )
    )
    return int(conn.execute(q).scalar() or 0)


def expected_cash_in_drawer(conn: sa.Connection, session: Session) -> Money:
    """The change fund plus cash in, minus change, drops and paid-outs."""
    return session.opening + drawer_balances(conn, session.id)["cash"]


def opening_counts_json(counts: dict[Money, int]) -> str:
    return json.dumps({str(k): v for k, v in sorted(counts.items(), reverse=True)})


def over_short_postings(conn: sa.Connection, session_id: str) -> dict[str, Money]:
    """What the session's over/short entries have posted so far, net, per account."""
    q = (
        sa.select(postings.c.account, sa.func.sum(postings.c.amount_cents))
        .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
        .where(journal_entries.c.session_id == session_id, journal_entries.c.kind == "over_short")
        .group_by(postings.c.account)
        .order_by(postings.c.account)
    )
    return {str(a): Money(int(s)) for a, s in conn.execute(q)}


def add_session(conn: sa.Connection, row: Mapping[str, Any]) -> None:
    """Open a drawer session (its row)."""
    conn.execute(sa.insert(drawer_sessions).values(**row))


def add_movement(conn: sa.Connection, row: Mapping[str, Any]) -> int:
    """Record a drop, paid-out or no-sale; its id."""
    return int(
        conn.execute(
            sa.insert(drawer_movements).values(**row).returning(drawer_movements.c.id)
        ).scalar_one()
    )
