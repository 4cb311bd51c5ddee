"""Posting one sale through ``Desk.sale`` against a raw ``sqlite3`` transaction of the same rows.

The sale is a typical one: a utility bill paid by check plus a dog licence paid in cash with
change (two lines, two tenders, four postings), with an in-memory printer and a counting
drawer, so the time is the Desk's and the ledger's: validation, the receipt number, the rows,
the audit record, the print job, the durable commit, then marking the job printed (a second
commit that is not synced to disk: at worst a power cut loses the mark and the receipt prints
again, marked REPRINT).

The limit is the same rows (receipt, lines, tenders, journal entry, postings, audit record,
print job of the same size) inserted by hand with ``sqlite3`` into a ledger of the same schema,
in one ``BEGIN IMMEDIATE`` transaction with the ledger's pragmas (WAL, ``synchronous=FULL``,
foreign keys), on the same disk.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    WORKSTATION,
    Context,
    Figure,
    add_open_items,
    bench_app,
    summary,
    synth,
    table_counts,
)
from cashier_desk.desk import ItemRequest, TenderRequest
from cashier_desk.ledger.db import Ledger
from cashier_desk.money import Money

WARMUP = 5
TARGET = "ratio<=5"


def _sale_requests(i: int) -> tuple[list[ItemRequest], list[TenderRequest], str]:
    item = synth(i)
    items = [ItemRequest(ref=item.ref), ItemRequest(code="DOG-LIC")]
    tenders = [
        TenderRequest("check", Money(item.amount_due_cents), number=str(10_000 + i)),
        TenderRequest("cash", Money.parse("50.00")),
    ]
    return items, tenders, item.name


# -- the limit: the same rows by hand ----------------------------------------------------------


def _raw_ledger(path: Path) -> sqlite3.Connection:
    Ledger(path).close()  # the ledger's own schema, indexes and triggers
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    for pragma, want in (("journal_mode", "wal"), ("synchronous", 2), ("foreign_keys", 1)):
        got = conn.execute(f"PRAGMA {pragma}").fetchone()[0]
        if got != want:
            raise RuntimeError(f"the raw ledger refused {pragma}={want} (got {got})")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO users VALUES ('amy', 'Amy Okafor', 'cashier', 'x')")
    conn.execute(
        "INSERT INTO drawer_sessions VALUES ('W1-S000001', 'W1', 'D1', 'amy', '2026-11-23', "
        "'2026-11-23T12:00:00+00:00', 10000, '{}')"
    )
    conn.execute("COMMIT")
    return conn


def _raw_sale(conn: sqlite3.Connection, i: int, sample: dict[str, Any]) -> None:
    item = synth(i)
    now = f"2026-11-23T12:{i // 60 % 60:02d}:{i % 60:02d}.{i:06d}+00:00"
    total = item.amount_due_cents + 2000
    conn.execute("BEGIN IMMEDIATE")
    receipt_id = conn.execute(
        "INSERT INTO receipts (receipt_no, workstation, seq, session_id, cashier, payer, "
        "created_at, business_date, total_cents, change_cents) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (f"W1-{i:06d}", WORKSTATION, i, "W1-S000001", "amy", item.name, now, "2026-11-23",
         total, 3000),
    ).lastrowid  # fmt: skip
    conn.executemany(
        "INSERT INTO receipt_lines (receipt_id, line_no, code, ref, description, qty, "
        "amount_cents) VALUES (?,?,?,?,?,?,?)",
        [
            (receipt_id, 1, "UB-WATER", item.ref, "Water service bill", 1, item.amount_due_cents),
            (receipt_id, 2, "DOG-LIC", None, "Dog licence, altered, 1 year", 1, 2000),
        ],
    )
    conn.executemany(
        "INSERT INTO tenders (receipt_id, kind, amount_cents, number, auth, last4) "
        "VALUES (?,?,?,?,?,?)",
        [
            (receipt_id, "check", item.amount_due_cents, str(10_000 + i), None, None),
            (receipt_id, "cash", 5000, None, None, None),
        ],
    )
    entry_id = conn.execute(
        "INSERT INTO journal_entries (session_id, kind, receipt_id, created_at) VALUES (?,?,?,?)",
        ("W1-S000001", "sale", receipt_id, now),
    ).lastrowid
    conn.executemany(
        "INSERT INTO postings (entry_id, account, amount_cents) VALUES (?,?,?)",
        [
            (entry_id, "DRAWER:check", item.amount_due_cents),
            (entry_id, "DRAWER:cash", 2000),
            (entry_id, "501-0000-44110", -item.amount_due_cents),
            (entry_id, "101-2200-42100", -2000),
        ],
    )
    conn.execute(
        "INSERT INTO audit_log (seq, at, workstation, actor, action, target, outcome, details, "
        "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (i, now, WORKSTATION, "amy", "sale", f"W1-{i:06d}", "ok", sample["audit_details"],
         "0" * 64, f"{i:064x}"),
    )  # fmt: skip
    conn.execute(
        "INSERT INTO print_jobs (receipt_id, kind, content, created_at, attempts) "
        "VALUES (?,?,?,?,?)",
        (receipt_id, "original", sample["print_content"], now, 0),
    )
    conn.execute("COMMIT")


RAW_ROWS = 12  # receipt 1, lines 2, tenders 2, journal entry 1, postings 4, audit 1, print job 1


def _samples(ledger_db: Path) -> dict[str, Any]:
    """A sale's print job and audit details as the Desk wrote them (for rows of the same size)."""
    conn = sqlite3.connect(ledger_db)
    try:
        content = conn.execute("SELECT content FROM print_jobs ORDER BY id DESC LIMIT 1")
        details = conn.execute(
            "SELECT details FROM audit_log WHERE action='sale' ORDER BY seq DESC LIMIT 1"
        )
        return {"print_content": content.fetchone()[0], "audit_details": details.fetchone()[0]}
    finally:
        conn.close()


def run_both(ctx: Context) -> tuple[list[float], list[float], dict[str, int]]:
    """Time ``size.sales`` sales and as many raw transactions, interleaved one for one so that
    both meet the disk in the same state; also count the rows the sales wrote."""
    n = ctx.size.sales
    data_dir = ctx.fresh_data_dir("sale")
    add_open_items(data_dir / "ledger.db", n + WARMUP)
    raw_path = ctx.work_dir / "raw-sale" / "raw.db"
    raw_path.parent.mkdir(parents=True, exist_ok=True)
    raw = _raw_ledger(raw_path)
    app = bench_app(data_dir)
    try:
        desk = app.desk
        desk.login("amy", "4821")
        desk.open_drawer("D1", {Money.parse("20.00"): 5})
        for i in range(WARMUP):
            desk.sale(*_sale_requests(n + i))
        sample = _samples(app.ledger.path)
        ctx.shared["receipt_doc_json"] = sample["print_content"]
        for i in range(WARMUP):
            _raw_sale(raw, 1_000_000 + i, sample)
        before = table_counts(app.ledger.path)
        sale_times: list[float] = []
        raw_times: list[float] = []
        with ctx.profiled("sale"):
            for i in range(n):
                items, tenders, payer = _sale_requests(i)
                started = time.perf_counter()
                desk.sale(items, tenders, payer)
                sale_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                _raw_sale(raw, i + 1, sample)
                raw_times.append(time.perf_counter() - started)
        after = table_counts(app.ledger.path)
    finally:
        app.close()
        raw.close()
    rows = {t: (after[t] - before[t]) for t in after if after[t] != before[t]}
    return sale_times, raw_times, rows


def run(ctx: Context) -> list[Figure]:
    sale_times, raw_times, rows = run_both(ctx)
    s, r = summary(sale_times), summary(raw_times)
    per_sale = {t: n / ctx.size.sales for t, n in rows.items()}
    inserted = sum(per_sale.values())
    how = f"raw sqlite3 txn of the same {RAW_ROWS} rows"
    note = (
        f"{s['n']} sales; each wrote {inserted:g} rows "
        f"({', '.join(f'{t} {v:g}' for t, v in sorted(per_sale.items()))}) in one durable "
        "commit, then marked its print job printed in a second, unsynced one; raw "
        "transactions interleaved one for one"
    )
    details = {"sale": s, "raw": r, "rows_per_sale": per_sale}
    return [
        Figure("sale.p50", "Post one sale (median)", s["p50_ms"], "ms", r["p50_ms"], how,
               TARGET, note, details),
        Figure("sale.p99", "Post one sale (p99)", s["p99_ms"], "ms", r["p99_ms"], how,
               TARGET, "", details),
    ]  # fmt: skip
