"""``report stats`` (operations.md, Reports): the period's figures by code, program, tender,
cashier, day or month — as the JSON the contract writes, a CSV of the same rows and total, and
a PDF with the table and a bar chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cashier_desk.ledger.stats import Stats
from cashier_desk.reports.layout import Chart, Document, Table, write_pdf, write_table_csv

CSV_HEADER = ("section", "key", "count", "amount")
KEY_NAMES = {
    "code": "Revenue code",
    "program": "Program",
    "tender": "Tender",
    "cashier": "Cashier",
    "day": "Day",
    "month": "Month",
}


def as_json(found: Stats) -> dict[str, Any]:
    return {
        "from": found.date_from,
        "to": found.date_to,
        "by": found.by,
        "rows": [{"key": r.key, "count": r.count, "amount": str(r.amount)} for r in found.rows],
        "total": {"count": found.count, "amount": str(found.amount)},
    }


def csv_rows(found: Stats) -> list[tuple[str, ...]]:
    rows = [("row", r.key, str(r.count), str(r.amount)) for r in found.rows]
    return [*rows, ("total", "", str(found.count), str(found.amount))]


def file_stem(found: Stats, central: bool) -> str:
    where = "central-" if central else ""
    return f"stats-{where}{found.by}-{found.date_from}-{found.date_to}"


def write(found: Stats, folder: Path, *, source: str, central: bool) -> tuple[Path, Path]:
    """The PDF and the CSV of ``found`` in ``folder``; ``source`` says whose figures they are."""
    stem = file_stem(found, central)
    pdf, csv = folder / f"{stem}.pdf", folder / f"{stem}.csv"
    write_table_csv(csv, CSV_HEADER, csv_rows(found))
    what = "lines" if found.by in ("code", "program") else "receipts"
    name = KEY_NAMES[found.by]
    table = Table(
        f"By {name.lower()}",
        (name, f"Count ({what})", "Amount"),
        [
            *((r.key, str(r.count), str(r.amount)) for r in found.rows),
            ("Total", str(found.count), str(found.amount)),
        ],
        right=frozenset({1, 2}),
        last_bold=True,
    )
    chart = Chart(
        f"Amount by {name.lower()}",
        [r.key for r in found.rows],
        [r.amount.cents for r in found.rows],
    )
    doc = Document(
        f"Statistics by {name.lower()}",
        (
            f"Period: {found.date_from} to {found.date_to} (business dates, inclusive)",
            f"Source: {source}",
            "Voided receipts count nowhere; tenders are net of change.",
        ),
        (table, chart),
    )
    write_pdf(pdf, doc)
    return pdf, csv
