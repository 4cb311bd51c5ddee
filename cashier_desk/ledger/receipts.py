"""Reading receipts back: one receipt whole (for printing and research) or a day's list."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa

from cashier_desk.ids import ReceiptNo, SessionId
from cashier_desk.ledger.program_documents import (
    CertificateView,
    IssuedView,
    certificates,
    issued_on,
)
from cashier_desk.ledger.schema import print_jobs, receipt_lines, receipts, tenders, voids
from cashier_desk.money import Money


@dataclass(frozen=True)
class LineView:
    description: str
    code: str
    ref: str | None
    qty: int
    amount: Money


@dataclass(frozen=True)
class TenderView:
    kind: str
    amount: Money
    number: str | None
    auth: str | None
    last4: str | None


@dataclass(frozen=True)
class ReceiptView:
    id: int
    receipt_no: ReceiptNo
    workstation: str
    session_id: SessionId
    cashier: str
    payer: str
    created_at: str
    business_date: str
    total: Money
    change: Money
    lines: tuple[LineView, ...]
    tenders: tuple[TenderView, ...]
    voided: bool
    void_reason: str | None
    void_approver: str | None = None
    voided_at: str | None = None
    #: What the sale's program items issued (numbers beside their lines; business licences'
    #: certificates): read by :func:`with_documents`.
    issued: tuple[IssuedView, ...] = ()
    certificates: tuple[CertificateView, ...] = ()


def with_documents(conn: sa.Connection, view: ReceiptView) -> ReceiptView:
    """The receipt with what its program items issued, read from their records."""
    issued = issued_on(conn, view.receipt_no)
    if not issued:
        return view
    return replace(view, issued=issued, certificates=certificates(conn, view.receipt_no))


def load_receipt(conn: sa.Connection, receipt_no: str) -> ReceiptView | None:
    r = conn.execute(sa.select(receipts).where(receipts.c.receipt_no == receipt_no)).first()
    if r is None:
        return None
    lines = tuple(
        LineView(x.description, x.code, x.ref, x.qty, Money(x.amount_cents))
        for x in conn.execute(
            sa.select(receipt_lines)
            .where(receipt_lines.c.receipt_id == r.id)
            .order_by(receipt_lines.c.line_no)
        )
    )
    tends = tuple(
        TenderView(t.kind, Money(t.amount_cents), t.number, t.auth, t.last4)
        for t in conn.execute(
            sa.select(tenders).where(tenders.c.receipt_id == r.id).order_by(tenders.c.id)
        )
    )
    void = conn.execute(sa.select(voids).where(voids.c.receipt_id == r.id)).first()
    view = ReceiptView(
        id=r.id,
        receipt_no=ReceiptNo(r.receipt_no),
        workstation=r.workstation,
        session_id=SessionId(r.session_id),
        cashier=r.cashier,
        payer=r.payer,
        created_at=r.created_at,
        business_date=r.business_date,
        total=Money(r.total_cents),
        change=Money(r.change_cents),
        lines=lines,
        tenders=tends,
        voided=void is not None,
        void_reason=None if void is None else void.reason,
        void_approver=None if void is None else void.approver,
        voided_at=None if void is None else void.voided_at,
    )
    return with_documents(conn, view)


@dataclass(frozen=True)
class ReceiptSummary:
    receipt_no: ReceiptNo
    total: Money
    voided: bool
    printed: bool
    session_id: SessionId
    business_date: str
    payer: str


def list_receipts(
    conn: sa.Connection,
    business_date: str | None,
    *,
    number: str | None = None,
    payer: str | None = None,
    total: Money | None = None,
    limit: int | None = None,
) -> list[ReceiptSummary]:
    printed = (
        sa.select(sa.func.count())
        .where(
            print_jobs.c.receipt_id == receipts.c.id,
            print_jobs.c.kind == "original",
            print_jobs.c.printed_at.is_not(None),
        )
        .scalar_subquery()
    )
    voided = sa.exists().where(voids.c.receipt_id == receipts.c.id)
    q = sa.select(
        receipts.c.receipt_no,
        receipts.c.total_cents,
        receipts.c.session_id,
        receipts.c.business_date,
        receipts.c.payer,
        voided.label("voided"),
        printed.label("printed"),
    ).order_by(receipts.c.workstation, receipts.c.seq)
    if business_date is not None:
        q = q.where(receipts.c.business_date == business_date)
    if number:
        q = q.where(receipts.c.receipt_no.like(f"%{_escape(number)}%", escape="\\"))
    if payer:
        q = q.where(receipts.c.payer.ilike(f"%{_escape(payer)}%", escape="\\"))
    if total is not None:
        q = q.where(receipts.c.total_cents == total.cents)
    if limit is not None:
        q = q.order_by(None).order_by(receipts.c.id.desc()).limit(limit)
    return [
        ReceiptSummary(
            ReceiptNo(r.receipt_no),
            Money(r.total_cents),
            bool(r.voided),
            bool(r.printed),
            SessionId(r.session_id),
            r.business_date,
            r.payer,
        )
        for r in conn.execute(q)
    ]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
