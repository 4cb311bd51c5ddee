"""``report daily`` (operations.md, Reports): the daily reconciliation of a workstation as the
JSON the contract writes, a CSV of every figure in it (one figure a row) and a PDF: the day's
tenders expected / counted / over-short, each drawer session's, the lines by revenue code, the
GL distribution, the deposit, the adjustments, the voided receipts with their approvers and
each batch with its sync state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cashier_desk.ledger.daily import Daily
from cashier_desk.money import Money
from cashier_desk.reports.layout import Document, Table, write_pdf, write_table_csv

CSV_HEADER = ("section", "key", "field", "value")
_TENDER = {"cash": "Cash", "check": "Checks", "money_order": "Money orders", "card": "Card"}
_R3 = frozenset({1, 2, 3})


def _tender(expected: Money, counted: Money) -> dict[str, str]:
    return {
        "expected": str(expected),
        "counted": str(counted),
        "over_short": str(counted - expected),
    }


def as_json(d: Daily) -> dict[str, Any]:
    return {
        "date": d.date,
        "batches": [
            {
                "batch": b.batch,
                "receipts": b.receipts,
                "voids": b.voids,
                "sync": b.sync,
                "sessions": [
                    {
                        "session": s.session,
                        "drawer": s.drawer,
                        "cashier": s.cashier,
                        "tenders": {t: _tender(*f) for t, f in s.tenders.items()},
                        "approved_by": s.approved_by,
                    }
                    for s in b.sessions
                ],
                "voided": [
                    {
                        "receipt": v.receipt,
                        "total": str(v.total),
                        "approver": v.approver,
                        "reason": v.reason,
                    }
                    for v in b.voided
                ],
            }
            for b in d.batches
        ],
        "tenders": {t: _tender(*f) for t, f in d.tenders.items()},
        "codes": {r.key: {"count": r.count, "amount": str(r.amount)} for r in d.codes},
        "gl": {a: str(m) for a, m in d.gl.items()},
        "deposit": {k: str(m) for k, m in d.deposit.items()},
        "adjustments": {
            **{k: str(m) for k, m in d.adjustments.items()},
            "gl": {a: str(m) for a, m in d.adjustments_gl.items()},
        },
    }


def csv_rows(d: Daily) -> list[tuple[str, str, str, str]]:
    return csv_rows_of(as_json(d))


def csv_rows_of(shown: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Every figure of the JSON, one a row: (section, key, field, value)."""
    rows: list[tuple[str, str, str, str]] = [("date", "", "", shown["date"])]
    for b in shown["batches"]:
        for f in ("receipts", "voids", "sync"):
            rows.append(("batch", b["batch"], f, str(b[f])))
        for s in b["sessions"]:
            key = s["session"]
            rows += [("session", key, f, s[f] or "") for f in ("drawer", "cashier", "approved_by")]
            rows.append(("session", key, "batch", b["batch"]))
            for t, fig in s["tenders"].items():
                rows += [("session", key, f"{t}.{f}", v) for f, v in fig.items()]
        for v in b["voided"]:
            rows += [("voided", v["receipt"], f, v[f]) for f in ("total", "approver", "reason")]
    for t, fig in shown["tenders"].items():
        rows += [("tenders", t, f, v) for f, v in fig.items()]
    for code, fig in shown["codes"].items():
        rows += [
            ("codes", code, "count", str(fig["count"])),
            ("codes", code, "amount", fig["amount"]),
        ]
    rows += [("gl", a, "amount", m) for a, m in shown["gl"].items()]
    rows += [("deposit", k, "amount", m) for k, m in shown["deposit"].items()]
    adjustments = shown["adjustments"]
    rows += [("adjustments", k, "amount", m) for k, m in adjustments.items() if k != "gl"]
    rows += [("adjustments.gl", a, "amount", m) for a, m in adjustments["gl"].items()]
    return rows


def write(d: Daily, folder: Path, workstation: str) -> tuple[Path, Path]:
    pdf, csv = (
        folder / f"daily-{workstation}-{d.date}.pdf",
        folder / f"daily-{workstation}-{d.date}.csv",
    )
    write_table_csv(csv, CSV_HEADER, csv_rows(d))
    tenders = [(_TENDER.get(t, t), str(e), str(c), str(c - e)) for t, (e, c) in d.tenders.items()]
    sessions = [
        (f"{s.drawer} {s.cashier}", _TENDER.get(t, t), str(e), str(c), str(c - e))
        for b in d.batches
        for s in b.sessions
        for t, (e, c) in s.tenders.items()
    ]
    code_total = Money(sum(r.amount.cents for r in d.codes))
    parts = [
        Table(
            "Batches",
            ("Batch", "Receipts", "Voided", "Sync"),
            [(b.batch, str(b.receipts), str(b.voids), b.sync) for b in d.batches],
            right=frozenset({1, 2}),
        ),
        Table("Tenders for the day", ("Tender", "Expected", "Counted", "Over/short"), tenders,
              right=_R3),
        Table(
            "Tenders by drawer session (cash: the whole drawer, change fund included)",
            ("Session", "Tender", "Expected", "Counted", "Over/short"),
            sessions,
            right=frozenset({2, 3, 4}),
        ),
        Table(
            "By revenue code",
            ("Code", "Lines", "Amount"),
            [
                *((r.key, str(r.count), str(r.amount)) for r in d.codes),
                ("Total", str(sum(r.count for r in d.codes)), str(code_total)),
            ],
            right=frozenset({1, 2}),
            last_bold=True,
        ),
        Table(
            "By GL account",
            ("Account", "Amount"),
            [*((a, str(m)) for a, m in d.gl.items()),
             ("Total", str(Money(sum(m.cents for m in d.gl.values()))))],
            right=frozenset({1}),
            last_bold=True,
        ),
        Table(
            "Deposit",
            ("Of", "Amount"),
            [(k.replace("_", " ").capitalize(), str(m)) for k, m in d.deposit.items()],
            right=frozenset({1}),
            last_bold=True,
        ),
        Table(
            "Adjustments (by the date they were made; never netted into the receipts)",
            ("Adjustment", "Amount"),
            [
                *((k.replace("_", " ").capitalize(), str(m)) for k, m in d.adjustments.items()),
                *((f"GL {a}", str(m)) for a, m in d.adjustments_gl.items()),
            ],
            right=frozenset({1}),
        ),
        Table(
            "Receipts voided",
            ("Receipt", "Total", "Approved by", "Reason"),
            [(v.receipt, str(v.total), v.approver, v.reason) for b in d.batches for v in b.voided],
            right=frozenset({1}),
        ),
    ]  # fmt: skip
    doc = Document(
        f"Daily reconciliation — {workstation}, {d.date}",
        ("The day's closeouts as their batches were sent; voided receipts count nowhere.",),
        parts,
    )
    write_pdf(pdf, doc)
    return pdf, csv
