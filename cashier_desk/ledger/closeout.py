"""End of day: gather a workstation's closed drawer sessions into one balanced batch.

The figures come from the double-entry journal, so they cannot disagree with the receipts:
- tenders.X.expected: what the day's non-voided receipts brought in X (cash net of change,
  minus paid-outs) — the postings on ``DRAWER:X`` from sale, void and paid-out entries;
- tenders.X.over_short: counted − expected from each close; counted = expected + over/short
  (for cash: counted cash − change fund + drops);
- gl: the credit side of every entry on the city's accounts (revenue, paid-outs, over/short);
  its sum equals the sum of what was counted because every entry balances.
The batch, its canonical payload with SHA-256, and its outbox row commit in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ids import BatchId
from cashier_desk.ledger import (
    audit,
    corrections_batch,
    drawer,
    evidence,
    item_programs,
    program_records,
)
from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.deposit import DepositDetail, deposit_detail
from cashier_desk.ledger.posting import TENDER_KINDS, drawer_account, is_internal
from cashier_desk.ledger.schema import (
    audit_log,
    batch_sessions,
    batches,
    close_approvals,
    close_counts,
    close_rejections,
    drawer_closes,
    drawer_movements,
    drawer_sessions,
    journal_entries,
    outbox,
    postings,
    receipt_lines,
    receipts,
    tenders,
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
        conn, workstation, _previous_payload(conn, workstation)
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
    previous = _previous_payload(conn, workstation)
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
            "detail": _detail(conn, session_ids),
            **_audit_segment(conn, workstation, previous),
            "programs": _programs(conn, workstation, previous, session_ids),
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


def _programs(
    conn: sa.Connection,
    workstation: str,
    previous: Mapping[str, Any] | None,
    session_ids: Sequence[str],
) -> dict[str, Any]:
    """The contests and plans since the previous batch, and what the program items of the
    batch's receipts made (``records``, left out when they made nothing)."""
    records = program_records.for_batch(conn, workstation, session_ids)
    out = item_programs.for_batch(conn, workstation, previous)
    return out | {"records": records} if records else out


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


def _rows(conn: sa.Connection, query: sa.Select[Any]) -> list[dict[str, Any]]:
    result = conn.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def _detail(conn: sa.Connection, session_ids: Sequence[str]) -> dict[str, Any]:
    """Everything central needs to hold the batch on its own: sessions, closes (every count,
    the newest deciding, and the counts sent back), receipts with lines and tenders, voids,
    movements and the journal."""
    in_sessions = receipts.c.session_id.in_(session_ids)
    receipt_ids = sa.select(receipts.c.id).where(in_sessions)
    return {
        "sessions": _rows(
            conn, sa.select(drawer_sessions).where(drawer_sessions.c.id.in_(session_ids))
        ),
        "closes": _rows(
            conn, sa.select(drawer_closes).where(drawer_closes.c.session_id.in_(session_ids))
        ),
        "close_counts": _rows(
            conn, sa.select(close_counts).where(close_counts.c.session_id.in_(session_ids))
        ),
        "rejections": _rows(
            conn,
            sa.select(close_rejections).where(close_rejections.c.session_id.in_(session_ids)),
        ),
        "approvals": _rows(
            conn,
            sa.select(close_approvals).where(close_approvals.c.session_id.in_(session_ids)),
        ),
        "receipts": _rows(conn, sa.select(receipts).where(in_sessions).order_by(receipts.c.seq)),
        "lines": _rows(
            conn,
            sa.select(receipt_lines)
            .where(receipt_lines.c.receipt_id.in_(receipt_ids))
            .order_by(receipt_lines.c.id),
        ),
        "tenders": _rows(
            conn,
            sa.select(tenders).where(tenders.c.receipt_id.in_(receipt_ids)).order_by(tenders.c.id),
        ),
        "voids": _rows(conn, sa.select(voids).where(voids.c.receipt_id.in_(receipt_ids))),
        "movements": _rows(
            conn,
            sa.select(drawer_movements)
            .where(drawer_movements.c.session_id.in_(session_ids))
            .order_by(drawer_movements.c.id),
        ),
        "postings": _rows(
            conn,
            sa.select(
                journal_entries.c.id.label("entry_id"),
                journal_entries.c.session_id,
                journal_entries.c.kind,
                journal_entries.c.receipt_id,
                postings.c.account,
                postings.c.amount_cents,
            )
            .join(postings, postings.c.entry_id == journal_entries.c.id)
            .where(journal_entries.c.session_id.in_(session_ids))
            .order_by(postings.c.id),
        ),
    }


def _previous_payload(conn: sa.Connection, workstation: str) -> dict[str, Any] | None:
    """The payload of the workstation's newest batch before this one (None: the first)."""
    text = conn.execute(
        sa.select(batches.c.payload)
        .where(batches.c.workstation == workstation)
        .order_by(batches.c.created_at.desc(), batches.c.id.desc())
        .limit(1)
    ).scalar()
    return None if text is None else dict(json.loads(text))


def _audit_segment(
    conn: sa.Connection, workstation: str, previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The audit chain's head now, and every record since the head the workstation's previous
    batch carried — central re-computes the links, so a rewritten chain cannot pass."""
    seq, digest = audit.head(conn)
    since = int(previous["audit_head"]["seq"]) if previous else 0
    records = [
        dict(r)
        for r in conn.execute(
            sa.select(audit_log)
            .where(audit_log.c.seq > since, audit_log.c.seq <= seq)
            .order_by(audit_log.c.seq)
        ).mappings()
    ]
    return {"audit_head": {"seq": seq, "hash": digest}, "audit_since": since, "audit": records}


def set_outcome(conn: sa.Connection, batch_id: str, outcome: str) -> None:
    """What became of a batch at central, as an admin decided it (accepted, rejected)."""
    conn.execute(sa.update(outbox).where(outbox.c.batch_id == batch_id).values(outcome=outcome))
