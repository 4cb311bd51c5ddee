"""``report delinquent`` (operations.md, Reports): open items past due, delinquent plans and
accounts for certified funds only on a date — as the JSON the contract writes, a CSV of the
same items and total, and a PDF table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cashier_desk.ledger.delinquent import Delinquents
from cashier_desk.reports.layout import Document, Table, write_pdf, write_table_csv

FIELDS = ("ref", "program", "name", "due_date", "days_late", "amount_due", "why")
CSV_HEADER = ("section", *FIELDS)
_WHY = {
    "past_due": "Past due",
    "plan_delinquent": "Plan delinquent",
    "certified_funds_only": "Certified funds only",
}


def as_json(found: Delinquents) -> dict[str, Any]:
    return {
        "items": [
            {"ref": i.ref, "program": i.program, "name": i.name, "due_date": i.due_date,
             "days_late": i.days_late, "amount_due": str(i.amount_due), "why": i.why}
            for i in found.items
        ],
        "total": str(found.total),
    }  # fmt: skip


def csv_rows(found: Delinquents) -> list[tuple[str, ...]]:
    rows = [
        ("item", i.ref, i.program, i.name, i.due_date, str(i.days_late), str(i.amount_due), i.why)
        for i in found.items
    ]
    return [*rows, ("total", "", "", "", "", "", str(found.total), "")]


def write(found: Delinquents, folder: Path) -> tuple[Path, Path]:
    pdf, csv = folder / f"delinquent-{found.date}.pdf", folder / f"delinquent-{found.date}.csv"
    write_table_csv(csv, CSV_HEADER, csv_rows(found))
    table = Table(
        "Items",
        ("Reference", "Program", "Name", "Due", "Days late", "Amount due", "Why"),
        [
            *((i.ref, i.program, i.name[:28], i.due_date, str(i.days_late), str(i.amount_due),
               _WHY.get(i.why, i.why)) for i in found.items),
            ("Total", "", "", "", "", str(found.total), ""),
        ],
        right=frozenset({4, 5}),
        last_bold=True,
    )  # fmt: skip
    doc = Document(
        f"Delinquents on {found.date}",
        ("Most days late first, then by reference; amounts due with the penalties in force.",),
        (table,),
    )
    write_pdf(pdf, doc)
    return pdf, csv
