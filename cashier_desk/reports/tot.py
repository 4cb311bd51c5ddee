"""``report tot`` (programs.md, "Transient occupancy tax returns"): every registered operator
with its return for the period — rents, tax, penalty, interest, receipt, date — or
``missing``, as the JSON on stdout, a CSV of the same rows and totals, and a PDF table.

A row per return in force (an amended return is a second row of its operator, ``amended``),
and one ``missing`` row, with no figures, for an operator that filed none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cashier_desk.ledger.tot_report import FiledReturn, Operator, TotReport
from cashier_desk.reports.layout import Document, Table, write_pdf, write_table_csv

FIGURES = ("gross_rents", "exempt_rents", "tax", "tax_paid", "penalty", "interest", "paid")
FIELDS = ("account", "name", "status", *FIGURES, "receipt", "date")
TOTALS = ("tax_paid", "penalty", "interest", "paid")
CSV_HEADER = ("section", *FIELDS)
PDF_HEADER = ("Account", "Name", "Return", "Gross rents", "Exempt", "Tax", "Tax paid",
              "Penalty",
              "Interest", "Paid", "Receipt, date")  # fmt: skip


def _status(r: FiledReturn | None) -> str:
    if r is None:
        return "missing"
    return "amended" if r.amended else "filed"


def _row(o: Operator, r: FiledReturn | None) -> dict[str, Any]:
    row: dict[str, Any] = {"account": o.account, "name": o.name, "status": _status(r)}
    if r is None:
        return row | dict.fromkeys((*FIGURES, "receipt", "date"))
    figures = (r.gross, r.exempt, r.tax, r.tax_paid, r.penalty, r.interest, r.paid)
    row |= {k: str(v) for k, v in zip(FIGURES, figures, strict=True)}
    return row | {"receipt": r.receipt_no, "date": r.business_date}


def rows(found: TotReport) -> list[dict[str, Any]]:
    """A row per return in force, and one per operator that filed none, by account."""
    out: list[dict[str, Any]] = []
    for o in found.operators:
        out += [_row(o, r) for r in o.returns] if o.returns else [_row(o, None)]
    return out


def as_json(found: TotReport) -> dict[str, Any]:
    return {
        "period": found.period,
        "due": found.due,
        "rows": rows(found),
        "total": {
            "operators": len(found.operators),
            "filed": found.filed,
            "missing": found.missing,
            **{k: str(found.sum_of(k)) for k in TOTALS},
        },
    }


def csv_rows(found: TotReport) -> list[tuple[str, ...]]:
    body = [("return", *("" if x[k] is None else str(x[k]) for k in FIELDS)) for x in rows(found)]
    sums = {k: str(found.sum_of(k)) for k in TOTALS}
    # the counts in the status column; tax is not summed (an amended return's row repeats it)
    total = ("total", "", "", f"{found.filed} filed, {found.missing} missing",
             *(sums.get(k, "") for k in FIGURES), "", "")  # fmt: skip
    return [*body, total]


def write(found: TotReport, folder: Path) -> tuple[Path, Path]:
    name = f"tot-{found.period}"
    pdf, csv = folder / f"{name}.pdf", folder / f"{name}.csv"
    write_table_csv(csv, CSV_HEADER, csv_rows(found))
    shown = [
        (x["account"], x["name"][:24], x["status"], *(x[k] or "" for k in FIGURES),
         f"{x['receipt']}\n{x['date']}" if x["receipt"] else "")
        for x in rows(found)
    ]  # fmt: skip
    sums = [str(found.sum_of(k)) for k in ("tax_paid", "penalty", "interest", "paid")]
    total = ("Total", f"{found.filed} filed", f"{found.missing} missing", "", "", "", *sums, "")
    table = Table(
        "Operators",
        PDF_HEADER,
        [*shown, total],
        right=frozenset({3, 4, 5, 6, 7, 8, 9}),
        last_bold=True,
    )
    doc = Document(
        f"Transient occupancy tax returns, {found.period}",
        (
            f"Every registered operator with its return for {found.period} (due "
            f"{found.due}), or missing. Voided returns do not count.",
            "An amended return is a row of its own: its rents and tax are the whole return's, "
            "its tax paid the difference it paid.",
        ),
        (table,),
        landscape=True,
    )
    write_pdf(pdf, doc)
    return pdf, csv
