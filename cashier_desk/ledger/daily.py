"""The daily reconciliation of a workstation (operations.md, Reports: ``report daily``): the
day's closeouts as their batches were sent (tenders, GL, deposit, adjustments), each batch's
drawer sessions with what each tender should have held, what was counted and the over/short,
its voided receipts with who approved the void, its sync state, and the day's lines by revenue
code (aggregated in the database by the statistics' query)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from cashier_desk.ledger.closeout import closeouts_of
from cashier_desk.ledger.drawer import deciding
from cashier_desk.ledger.posting import TENDER_KINDS
from cashier_desk.ledger.schema import (
    batch_sessions,
    batches,
    close_approvals,
    close_counts,
    drawer_sessions,
    outbox,
    receipts,
    voids,
)
from cashier_desk.ledger.stats import StatsRow, local_source, stats
from cashier_desk.money import Money

ADJUSTMENT_KINDS = ("returned_checks", "refunds", "transfers")


@dataclass(frozen=True)
class SessionFigures:
    session: str
    drawer: str
    cashier: str
    #: tender -> (expected, counted) of the deciding count; for cash both are of the whole
    #: drawer, change fund included, so over/short = counted - expected as on the day.
    tenders: dict[str, tuple[Money, Money]]
    approved_by: str | None


@dataclass(frozen=True)
class VoidedReceipt:
    receipt: str
    session: str
    total: Money
    approver: str
    reason: str
    voided_at: str


@dataclass(frozen=True)
class BatchFigures:
    batch: str
    receipts: int
    voids: int
    sync: str  # pending, sent, already_there, conflict, ... (the outbox's outcome)
    sessions: tuple[SessionFigures, ...]
    voided: tuple[VoidedReceipt, ...]


@dataclass(frozen=True)
class Daily:
    date: str
    batches: tuple[BatchFigures, ...]
    tenders: dict[str, tuple[Money, Money]]  # the day's: tender -> (expected, counted)
    codes: tuple[StatsRow, ...]
    gl: dict[str, Money]
    deposit: dict[str, Money]
    adjustments: dict[str, Money]
    adjustments_gl: dict[str, Money]


def _add(into: dict[str, Money], key: str, amount: Money) -> None:
    into[key] = into.get(key, Money(0)) + amount


def _sessions(conn: sa.Connection, batch_id: str) -> tuple[SessionFigures, ...]:
    of_batch = sa.select(batch_sessions.c.session_id).where(batch_sessions.c.batch_id == batch_id)
    found = conn.execute(
        sa.select(
            drawer_sessions.c.id,
            drawer_sessions.c.drawer,
            drawer_sessions.c.cashier,
            close_approvals.c.approver,
        )
        .outerjoin(close_approvals, close_approvals.c.session_id == drawer_sessions.c.id)
        .where(drawer_sessions.c.id.in_(of_batch))
        .order_by(drawer_sessions.c.opened_at, drawer_sessions.c.id)
    ).all()
    counts: dict[str, dict[str, tuple[Money, Money]]] = {}
    for r in conn.execute(
        sa.select(close_counts).where(
            close_counts.c.session_id.in_(of_batch), deciding(close_counts)
        )
    ):
        counts.setdefault(r.session_id, {})[r.tender] = (
            Money(r.expected_cents),
            Money(r.counted_cents),
        )
    zero = (Money(0), Money(0))
    return tuple(
        SessionFigures(
            str(s.id),
            str(s.drawer),
            str(s.cashier),
            {t: counts.get(s.id, {}).get(t, zero) for t in TENDER_KINDS},
            None if s.approver is None else str(s.approver),
        )
        for s in found
    )


def _voided(conn: sa.Connection, batch_id: str) -> tuple[VoidedReceipt, ...]:
    of_batch = sa.select(batch_sessions.c.session_id).where(batch_sessions.c.batch_id == batch_id)
    return tuple(
        VoidedReceipt(
            str(r.receipt_no),
            str(r.session_id),
            Money(r.total_cents),
            str(r.approver),
            str(r.reason),
            str(r.voided_at),
        )
        for r in conn.execute(
            sa.select(
                receipts.c.receipt_no,
                receipts.c.session_id,
                receipts.c.total_cents,
                voids.c.approver,
                voids.c.reason,
                voids.c.voided_at,
            )
            .join(voids, voids.c.receipt_id == receipts.c.id)
            .where(receipts.c.session_id.in_(of_batch))
            .order_by(receipts.c.seq)
        )
    )


def daily(conn: sa.Connection, workstation: str, day: str) -> Daily:
    """The reconciliation of ``day``: every closeout of it at ``workstation`` (none: an empty
    report, ``batches`` empty)."""
    closed = closeouts_of(conn, workstation, day)
    sync = {
        str(b): "pending" if outcome is None else str(outcome)
        for b, outcome in conn.execute(
            sa.select(outbox.c.batch_id, outbox.c.outcome).where(
                outbox.c.batch_id.in_([c.batch for c in closed])
            )
        )
    }
    tenders: dict[str, tuple[Money, Money]] = {t: (Money(0), Money(0)) for t in TENDER_KINDS}
    gl: dict[str, Money] = {}
    deposit: dict[str, Money] = {k: Money(0) for k in ("cash", "checks", "money_orders", "total")}
    adjustments = {k: Money(0) for k in ADJUSTMENT_KINDS}
    adjustments_gl: dict[str, Money] = {}
    made = []
    for c in closed:
        for kind, t in c.tenders.items():
            expected, counted = tenders.get(kind, (Money(0), Money(0)))
            tenders[kind] = (expected + t.expected, counted + t.counted)
        for account, amount in c.gl.items():
            _add(gl, account, amount)
        for key, amount in c.deposit.items():
            _add(deposit, key, amount)
        sent = conn.execute(
            sa.select(batches.c.payload).where(batches.c.id == c.batch)
        ).scalar_one()
        said = json.loads(sent)["summary"].get("adjustments", {})
        for key in ADJUSTMENT_KINDS:
            _add(adjustments, key, Money.parse(said.get(key, "0.00")))
        for account, amount in said.get("gl", {}).items():
            _add(adjustments_gl, account, Money.parse(amount))
        made.append(
            BatchFigures(
                c.batch,
                c.receipts,
                c.voids,
                sync.get(c.batch, "pending"),
                _sessions(conn, c.batch),
                _voided(conn, c.batch),
            )
        )
    in_batches = sa.select(batch_sessions.c.session_id).where(
        batch_sessions.c.batch_id.in_([c.batch for c in closed])
    )
    codes = stats(conn, local_source(day, day, in_batches), day, day, "code")
    return Daily(
        day,
        tuple(made),
        tenders,
        codes.rows,
        dict(sorted(gl.items())),
        deposit,
        adjustments,
        dict(sorted(adjustments_gl.items())),
    )
