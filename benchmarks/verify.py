"""`audit verify` of a ledger of many receipts: the chain and the cross-check of the money rows.

A ledger of ``size.day_receipts × 10`` receipts (100,000 at ``full``) is built in one write
transaction: one drawer opened through ``Desk.open_drawer``, then each receipt (two lines, one
cash tender, a balanced journal entry of three postings) inserted with the ledger's own SQL and
sealed by its audit record exactly as ``Desk.sale`` seals it (``ledger/evidence.py``,
``audit.append``).  Timed: ``Desk.verify_audit`` (the chain, then ``crosscheck.check``); the
limit beside it is the chain alone (``audit.verify``), on the same file, best of 3 each.
"""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

from benchmarks.common import Context, Figure, bench_app
from cashier_desk.ledger import audit, drawer, evidence
from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.posting import post_entry
from cashier_desk.ledger.schema import receipt_lines, receipts, tenders
from cashier_desk.money import Money

TARGET = "ratio<=4.1"  # an earlier design took 4.1× the chain alone


def build(data: Path, n: int) -> None:
    app = bench_app(data)
    try:
        desk = app.desk
        desk.login("amy", "4821")
        session = desk.open_drawer("D1", {drawer.DENOMINATIONS[0]: 2})
        with app.ledger.write() as conn:
            for i in range(n):
                seq = next_number(conn, "W1", "receipt")
                at = f"2026-11-23T15:{i // 6000 % 60:02d}:{i // 100 % 60:02d}.{i:06d}+00:00"
                total = 1000 + i % 5000
                receipt = {"receipt_no": f"W1-{seq:06d}", "workstation": "W1", "seq": seq,
                           "session_id": session.id, "cashier": "amy", "payer": f"Payer {i}",
                           "created_at": at, "business_date": session.business_date,
                           "total_cents": total, "change_cents": 0}  # fmt: skip
                rid = conn.execute(sa.insert(receipts).values(**receipt)).inserted_primary_key[0]
                lines = [{"line_no": k, "code": "MISC", "ref": None, "description": "Misc",
                          "qty": 1, "amount_cents": c}
                         for k, c in ((1, total - 500), (2, 500))]  # fmt: skip
                conn.execute(sa.insert(receipt_lines), [{"receipt_id": rid, **x} for x in lines])
                tender = {"kind": "cash", "amount_cents": total, "number": None, "auth": None,
                          "last4": None}  # fmt: skip
                conn.execute(sa.insert(tenders).values(receipt_id=rid, **tender))
                entry = [("DRAWER:cash", Money(total)), ("101-4100", Money(-(total - 500))),
                         ("101-4200", Money(-500))]  # fmt: skip
                post_entry(conn, session_id=session.id, kind="sale", at=at, lines=entry,
                           receipt_id=rid)  # fmt: skip
                details = {"session": session.id, "total": str(Money(total)), "change": "0.00",
                           "tenders": {"cash": str(Money(total))},
                           **evidence.seals(
                               receipts=[evidence.row_of("receipts", receipt)],
                               receipt_lines=[evidence.row_of("receipt_lines", x) for x in lines],
                               tenders=[evidence.row_of("tenders", tender)],
                               postings=evidence.entry_rows(session.id, "sale", entry),
                           )}  # fmt: skip
                audit.append(conn, at=at, workstation="W1", actor="amy", action="sale",
                             target=receipt["receipt_no"], details=details)  # fmt: skip
    finally:
        app.close()


def _best(work: object, times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def run(ctx: Context) -> list[Figure]:
    n = ctx.size.day_receipts * 10
    data = ctx.fresh_data_dir("verify")
    build(data, n)
    app = bench_app(data)
    try:
        whole = app.desk.verify_audit()
        if not whole.ok:
            raise RuntimeError(f"the built ledger does not verify: {whole}")

        def chain() -> None:
            with app.ledger.read() as conn:
                audit.verify(conn)

        with ctx.profiled("verify"):
            seconds = _best(app.desk.verify_audit)
        limit = _best(chain)
    finally:
        app.close()
    return [
        Figure(
            "verify.seconds",
            f"audit verify of {n:,} receipts (chain + money rows)",
            seconds,
            "s",
            limit,
            "the chain alone (audit.verify), same file",
            TARGET,
            details={"receipts": n, "records": whole.records},
        )
    ]
