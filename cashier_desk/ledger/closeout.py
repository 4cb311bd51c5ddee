"""End of day: gather a workstation's closed drawer sessions into one balanced batch.

The figures come from the double-entry journal, so they cannot disagree with the receipts:
- tenders.X.expected: what the day's non-voided receipts brought in X (cash net of change,
  minus paid-outs) — the postings on ``DRAWER:X`` from sale, void and paid-out entries;
- tenders.X.over_short: counted − expected from each close; counted = expected + over/short
  (for cash: counted cash − change fund + drops);
- gl: the credit side of every entry on the city's accounts (revenue, paid-outs, over/short);
  its sum equals the sum of what was counted because every entry balances.
The batch, its canonical payload with SHA-256, and its outbox row commit in one transaction;
the payload's parts beyond the summary are gathered by :mod:`cashier_desk.ledger.batch_payload`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ids import BatchId
from cashier_desk.ledger import (
    audit,
    batch_payload,
    corrections_batch,
    drawer,
    evidence,
)
from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.deposit import DepositDetail, deposit_detail
from cashier_desk.ledger.posting import TENDER_KINDS, drawer_account, is_internal
from cashier_desk.ledger.schema import (
    audit_log,
    batch_sessions,
    batches,
    drawer_sessions,
    journal_entries,
    outbox,
    postings,
    receipts,
    voids,
)
from cashier_desk.money import GlAccount, Money

DEPOSIT_TENDERS = {"cash": "cash", "check": "checks", "money_order": "money_orders"}

#: What brought each GL account's money into the batch, by the kind of journal entry: a void
#: takes back a sale, so both are revenue.
SOURCES = {"sale": "revenue", "void": "revenue", "paid_out": "paid_out", "over_short": "over_short"}


@dataclass(frozen=True)
class TenderFigures:
    expected: Money
    counted: Money

    @property
    def over_short(self) -> Money:
        return self.counted - self.expected


@dataclass(frozen=True)
class Closeout:
    batch: BatchId
    business_date: str
    receipts: int
    voids: int
    tenders: dict[str, TenderFigures]
    gl: dict[str, Money]
    deposit: dict[str, Money]
    sha256: str
    #: Of what the deposit is made (currency, coin, drops, itemised checks); not part of the
    #: batch's JSON, which the headless contract fixes.
    detail: DepositDetail | None = None
    #: ``gl`` by what brought the money in (``SOURCES``): ``(account, source)`` -> its credit
    #: side; the amounts of an account add up to its ``gl``.  Not part of the batch's JSON.
    sources: dict[tuple[str, str], Money] = field(default_factory=dict)
    #: The backup written after the closeout (its path), or why none could be: told to the
    #: lead, never failing the closeout.  Only a failure is in the JSON (``backup_failed``);
    #: neither is part of what the closeout is (a closeout read back again equals it).
    backup: str | None = field(default=None, compare=False)
    backup_problem: str | None = field(default=None, compare=False)
    #: The audit chain's head once the closeout was recorded (its own record): sequence
    #: number and hash, printed on the closeout slip as evidence on paper.
    audit_head: tuple[int, str] | None = None
    #: Returned checks, refunds and transfers the batch carries (programs.md); None: none.
    adjustments: corrections_batch.Adjustments | None = None

    @property
    def deposit_total(self) -> Money:
        return self.deposit["total"]

    def as_json(self) -> dict[str, Any]:
        return (
            {
                "batch": self.batch,
                "date": self.business_date,
                "receipts": self.receipts,
                "voids": self.voids,
                "tenders": {
                    k: {
                        "expected": str(t.expected),
                        "counted": str(t.counted),
                        "over_short": str(t.over_short),
                    }
                    for k, t in self.tenders.items()
                },
                "gl": {k: str(v) for k, v in self.gl.items()},
                "deposit": {k: str(v) for k, v in self.deposit.items()},
            }
            | ({"adjustments": self.adjustments.as_json()} if self.adjustments is not None else {})
            | ({"backup_failed": self.backup_problem} if self.backup_problem else {})
        )


def check_ready(conn: sa.Connection, workstation: str, business_date: str) -> set[str]:
    """Refuse unless every drawer of that date (or before) is closed and approved and there is
    something to close out; return the cashiers whose sessions the batch will hold."""
    mine = drawer.sessions(
        conn,
        drawer_sessions.c.workstation == workstation,
        drawer_sessions.c.business_date <= business_date,
    )
    still_open = [s for s in mine if s.state == drawer.OPEN]
    if still_open:
        s = still_open[0]
        raise Refusal(
            "drawer_open",
            f"Drawer {s.drawer} ({s.cashier}, opened {s.business_date}) is still open; "
            "close every drawer before the closeout.",
        )
    recount = [s for s in mine if s.state == drawer.RECOUNT]
    if recount:
        s = recount[0]
        raise Refusal(
            "recount_pending",
            f"The close of drawer {s.drawer} ({s.cashier}) was sent back for a recount; "
            f"{s.cashier} counts the drawer again first.",
        )
    waiting = [s for s in mine if s.state == drawer.AWAITING_APPROVAL]
    if waiting:
        s = waiting[0]
        raise Refusal(
            "approval_pending",
            f"The close of drawer {s.drawer} ({s.cashier}) awaits a lead's approval.",
        )
    todays = [s for s in mine if s.state == drawer.CLOSED and s.business_date == business_date]
    if not todays and corrections_batch.pending(
        conn, workstation, batch_payload.previous_payload(conn, workstation)
    ):
        return set()  # a batch of adjustments alone (programs.md)
    if not todays:
        raise Refusal(
            "nothing_to_close",
            f"There are no closed drawer sessions of {business_date} to close out.",
        )
    return {s.cashier for s in todays}


def close_out(
    conn: sa.Connection,
    *,
    workstation: str,
    business_date: str,
    approver: str,
    over_short_account: GlAccount,
    now: str,
) -> Closeout:
    session_ids = [
        s.id
        for s in drawer.sessions(
            conn,
            drawer_sessions.c.workstation == workstation,
            drawer_sessions.c.business_date == business_date,
        )
        if s.state == drawer.CLOSED
    ]
    in_batch = journal_entries.c.session_id.in_(session_ids)
    receipt_count = int(
        conn.execute(
            sa.select(sa.func.count()).where(receipts.c.session_id.in_(session_ids))
        ).scalar_one()
    )
    void_count = int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(voids.join(receipts, receipts.c.id == voids.c.receipt_id))
            .where(receipts.c.session_id.in_(session_ids))
        ).scalar_one()
    )
    by_kind: dict[tuple[str, str], int] = {
        (str(kind), str(acct)): int(cents)
        for kind, acct, cents in conn.execute(
            sa.select(
                journal_entries.c.kind, postings.c.account, sa.func.sum(postings.c.amount_cents)
            )
            .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
            .where(in_batch)
            .group_by(journal_entries.c.kind, postings.c.account)
        )
    }
    figures: dict[str, TenderFigures] = {}
    for t in TENDER_KINDS:
        acct = drawer_account(t)
        expected = sum(by_kind.get((k, acct), 0) for k in ("sale", "void", "paid_out"))
        over_short = by_kind.get(("over_short", acct), 0)
        figures[t] = TenderFigures(Money(expected), Money(expected + over_short))
    sources = _sources(by_kind.items())
    gl = _gl(sources)
    deposit = {name: figures[t].counted for t, name in DEPOSIT_TENDERS.items()}
    deposit["total"] = Money(sum(m.cents for m in deposit.values()))

    n = next_number(conn, workstation, "batch")
    batch_id = BatchId(f"{workstation}-{business_date.replace('-', '')}-{n:03d}")
    previous = batch_payload.previous_payload(conn, workstation)
    adjustments, carried = corrections_batch.for_batch(conn, workstation, previous)
    summary = Closeout(batch_id, business_date, receipt_count, void_count, figures, gl, deposit,
                       "", adjustments=adjustments)  # fmt: skip
    payload = audit.canonical(
        {
            "format": 1,
            "batch": batch_id,
            "workstation": workstation,
            "business_date": business_date,
            "approver": approver,
            "created_at": now,
            "over_short_account": over_short_account,
            "summary": summary.as_json(),
            "detail": batch_payload.detail(conn, session_ids),
            **batch_payload.audit_segment(conn, workstation, previous),
            "programs": batch_payload.programs(conn, workstation, previous, session_ids),
            "corrections": carried,
        }
    )
    digest = hashlib.sha256(payload.encode()).hexdigest()
    conn.execute(
        sa.insert(batches).values(
            id=batch_id,
            workstation=workstation,
            business_date=business_date,
            created_at=now,
            approver=approver,
            payload=payload,
            sha256=digest,
        )
    )
    if session_ids:  # a batch of adjustments alone has none
        conn.execute(
            sa.insert(batch_sessions),
            [{"session_id": s, "batch_id": batch_id} for s in session_ids],
        )
    conn.execute(sa.insert(outbox).values(batch_id=batch_id, created_at=now, attempts=0))
    detail = deposit_detail(conn, session_ids)
    return Closeout(
        batch_id,
        business_date,
        receipt_count,
        void_count,
        figures,
        gl,
        deposit,
        digest,
        detail,
        sources,
        adjustments=adjustments,
    )


def _sources(by_kind: Iterable[tuple[tuple[str, str], int]]) -> dict[tuple[str, str], Money]:
    """The credit side of the city's accounts by (account, source), from postings' cents
    summed by (entry kind, account)."""
    cents: dict[tuple[str, str], int] = {}
    for (kind, acct), amount in by_kind:
        if not is_internal(acct):
            key = (acct, SOURCES.get(kind, kind))
            cents[key] = cents.get(key, 0) - amount
    return {k: Money(c) for k, c in sorted(cents.items()) if c}


def _gl(sources: dict[tuple[str, str], Money]) -> dict[str, Money]:
    cents: dict[str, int] = {}
    for (acct, _source), amount in sources.items():
        cents[acct] = cents.get(acct, 0) + amount.cents
    return {a: Money(c) for a, c in sorted(cents.items()) if c}


def closeouts_of(conn: sa.Connection, workstation: str, business_date: str) -> list[Closeout]:
    """The closeouts of a business date at this workstation, oldest first, read back from the
    batches as they were sent (their summary) and from the ledger (the deposit's detail) — for
    the papers again, the same as on the day."""
    found = conn.execute(
        sa.select(batches.c.id, batches.c.payload, batches.c.sha256)
        .where(batches.c.workstation == workstation, batches.c.business_date == business_date)
        .order_by(batches.c.created_at, batches.c.id)
    ).all()
    heads = {
        str(target): (int(seq), str(digest))
        for target, seq, digest in conn.execute(
            sa.select(audit_log.c.target, audit_log.c.seq, audit_log.c.hash).where(
                audit_log.c.action == "closeout",
                audit_log.c.target.in_([row.id for row in found]),
            )
        )
    }
    result = []
    for batch_id, payload, digest in found:
        sent = json.loads(payload)
        summary = sent["summary"]
        session_ids = list(
            conn.execute(
                sa.select(batch_sessions.c.session_id).where(batch_sessions.c.batch_id == batch_id)
            ).scalars()
        )
        result.append(
            Closeout(
                BatchId(summary["batch"]),
                summary["date"],
                int(summary["receipts"]),
                int(summary["voids"]),
                {
                    kind: TenderFigures(Money.parse(t["expected"]), Money.parse(t["counted"]))
                    for kind, t in sorted(summary["tenders"].items(), key=_tender_order)
                },
                {account: Money.parse(amount) for account, amount in summary["gl"].items()},
                {key: Money.parse(amount) for key, amount in summary["deposit"].items()},
                str(digest),
                deposit_detail(conn, session_ids),
                _sources(
                    ((p["kind"], p["account"]), int(p["amount_cents"]))
                    for p in sent.get("detail", {}).get("postings", ())
                ),
                audit_head=heads.get(batch_id),
                adjustments=corrections_batch.read_back(sent),
            )
        )
    return result


def sealed(conn: sa.Connection, batch_id: str) -> dict[str, dict[str, str]]:
    """The seals of a batch's rows for its closeout's audit record (``ledger/evidence.py``)."""
    batch = conn.execute(sa.select(batches).where(batches.c.id == batch_id)).mappings().one()
    sessions = conn.execute(
        sa.select(batch_sessions.c.session_id)
        .where(batch_sessions.c.batch_id == batch_id)
        .order_by(batch_sessions.c.session_id)
    ).all()
    return evidence.seals(
        batches=[evidence.row_of("batches", batch)], batch_sessions=[tuple(r) for r in sessions]
    )


def _tender_order(item: tuple[str, Any]) -> tuple[int, str]:
    """The tenders in the closeout's order (cash, check, money order, card) — the batch's
    JSON holds them sorted by name."""
    kind = item[0]
    return (TENDER_KINDS.index(kind) if kind in TENDER_KINDS else len(TENDER_KINDS), kind)


def set_outcome(conn: sa.Connection, batch_id: str, outcome: str) -> None:
    """What became of a batch at central, as an admin decided it (accepted, rejected)."""
    conn.execute(sa.update(outbox).where(outbox.c.batch_id == batch_id).values(outcome=outcome))
