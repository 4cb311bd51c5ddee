"""What the counter prints and saves for program items (programs.md; issue 15 item 3): the
numbers each program issued under its receipt line, a business licence's certificate section
after the receipt (the same print job) and its one-page PDF certificate in
``reports/licences/``, saved after the sale's commit and never failing it."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from cashier_desk.app import App
from cashier_desk.devices.escpos_render import to_escpos
from cashier_desk.devices.receipt import COLUMNS, build_receipt
from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim
from tests.doubles import MemoryPrinter
from tests.programs.counter_city import on_day, run_op, sale, set_up, void
from tests.reports_pdf import pdf_text

NEW_LICENCE = {"licence": {"kind": "new", "name": "Blue Door Cafe", "address": "12 Oak St",
                           "year": 2027, "gross_receipts": "250000.00"}}  # fmt: skip
RENEWAL = {"licence": {"kind": "renewal", "account": "BL-0007", "year": 2026,
                       "gross_receipts": "250000.00"}}  # fmt: skip
DOG = {"animal": {"species": "dog", "name": "Rex", "owner": "Ann Lee", "address": "1 Main St",
                  "altered": True, "term_years": 1, "senior": False, "rabies_cert": "R-1234",
                  "rabies_expires": "2030-06-30"}}  # fmt: skip
PERMIT = {"permit": {"code": "PKG-PRM-RES", "plate": "8ABC123", "address": "12 Oak St",
                     "zone": "B"}}  # fmt: skip


@pytest.fixture
def city(app: App, tmp_path: Path) -> App:
    set_up(app, tmp_path)
    on_day(app, "2026-12-10")
    return app


def printed(app: App) -> list[str]:
    printer = app.desk.printer
    assert isinstance(printer, MemoryPrinter)
    return printer.jobs


def licences_dir(app: App) -> Path:
    return app.desk.data_dir() / "reports" / "licences"


GOLDEN_DIR = Path(__file__).parents[1] / "devices" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def test_each_program_prints_its_numbers_under_its_line(city: App) -> None:
    sold = sale(city, [NEW_LICENCE, DOG, PERMIT])
    assert sold["ok"], sold
    assert len(printed(city)) == 1  # the receipt and the certificate: one print job
    lines = printed(city)[-1].splitlines()
    at = {x.split()[0]: n for n, x in enumerate(lines) if x.strip()}
    licence = lines.index(next(x for x in lines if x.startswith("Business licence tax 2027")))
    assert lines[licence + 1 : licence + 3] == ["  Licence BL-W1-000001",
                                                "  Valid through 2027-12-31"]  # fmt: skip
    dog = lines.index(next(x for x in lines if x.startswith("Dog licence (altered), 1 year")))
    assert lines[dog + 1 : dog + 4] == [
        "  Licence AL-W1-000001", "  Tag TAG-W1-000001", "  Expires 2027-12-09"]  # fmt: skip
    permit = lines.index(next(x for x in lines if x.startswith("Residential parking permit")))
    assert lines[permit + 1 : permit + 5] == [
        "  Permit PP-W1-000001", "  Plate 8ABC123", "  Zone B",
        "  Valid through 2027-06-30"]  # fmt: skip
    assert at["Thank"] < at["B"]  # the certificate comes after the receipt's foot
    # the numbers printed are those the sale reported
    assert sold["licences"] == [{"licence": "BL-W1-000001", "valid_through": "2027-12-31"},
                                {"licence": "AL-W1-000001", "tag": "TAG-W1-000001",
                                 "expires": "2027-12-09"}]  # fmt: skip
    assert sold["permits"] == [{"permit": "PP-W1-000001", "valid_through": "2027-06-30"}]


def test_a_business_licence_has_a_certificate_section_after_the_receipt(city: App) -> None:
    assert sale(city, [NEW_LICENCE])["ok"]
    text = printed(city)[-1]
    receipt, certificate = text.split("=" * 42)
    assert "Thank you" in receipt and "B U S I N E S S   L I C E N C E" not in receipt
    lines = [x.strip() for x in certificate.splitlines()]
    assert "B U S I N E S S   L I C E N C E" in lines
    assert "BL-W1-000001" in lines and "Blue Door Cafe" in lines and "12 Oak St" in lines
    assert re.search(r"^Valid through +2027-12-31$", certificate, re.M)
    assert re.search(r"^Receipt +W1-000001$", certificate, re.M)
    assert re.search(r"^Paid +129\.00$", certificate, re.M)
    assert "||| BL-W1-000001 |||" in lines
    # a receipt with no business licence has no certificate
    assert sale(city, [DOG])["ok"]
    assert "L I C E N C E" not in printed(city)[-1] and "=" * 42 not in printed(city)[-1]


def test_the_void_copy_names_the_numbers_but_prints_no_certificate(city: App) -> None:
    assert sale(city, [NEW_LICENCE, PERMIT])["ok"]
    assert void(city, "W1-000001")["ok"]
    copy = printed(city)[-1]
    assert "V O I D E D" in copy
    assert "  Licence BL-W1-000001" in copy and "  Permit PP-W1-000001" in copy
    assert "L I C E N C E" not in copy
    # a reprint of a receipt in force carries its certificate, marked
    assert sale(city, [RENEWAL])["ok"]
    assert run_op(city.desk, {"op": "reprint", "receipt": "W1-000002"})["ok"]
    reprint = printed(city)[-1]
    assert "*** REPRINT ***" in reprint and "L I C E N C E" in reprint


def test_the_certificate_pdf_is_saved_after_the_sale(city: App) -> None:
    assert sale(city, [NEW_LICENCE])["ok"]
    pdf = licences_dir(city) / "BL-W1-000001-2027.pdf"
    text = pdf_text(pdf)
    for said in ("City of Springfield", "BUSINESS LICENCE", "Licence No. BL-W1-000001",
                 "Blue Door Cafe", "12 Oak St", "Licence year 2027 (New licence)",
                 "Valid through 2027-12-31", "Issued 2026-12-10", "Receipt W1-000001",
                 "Business licence tax 125.00", "4.00", "Total paid 129.00"):  # fmt: skip
        assert said in text, said
    assert "penalty" not in text
    import pypdf

    assert len(pypdf.PdfReader(str(pdf)).pages) == 1
    assert not list(licences_dir(city).glob("*.part"))


def test_a_late_renewal_certificate_shows_its_penalty(city: App) -> None:
    sold = sale(city, [RENEWAL])
    assert sold["ok"] and sold["total"] == "254.00", sold
    text = pdf_text(licences_dir(city) / "BL-0007-2026.pdf")
    assert "Blue Door Cafe" in text and "Renewal" in text and "Valid through 2026-12-31" in text
    assert "Late renewal penalty 125.00" in text and "Total paid 254.00" in text
    assert re.search(r"^Late renewal penalty +125\.00$", printed(city)[-1], re.M)


def test_a_certificate_not_saved_never_fails_the_sale(
    city: App, caplog: pytest.LogCaptureFixture
) -> None:
    folder = licences_dir(city)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder", encoding="utf-8")  # nothing can be saved in it
    with caplog.at_level(logging.ERROR):
        sold = sale(city, [NEW_LICENCE])
    assert sold["ok"] and sold["licences"][0]["licence"] == "BL-W1-000001", sold
    assert "L I C E N C E" in printed(city)[-1]  # the paper certificate stands
    assert "licence certificate was not" in caplog.text
    assert city.desk.receipt("W1-000001").total.cents == 12900
    # once the folder can be written again, a reprint of the receipt saves the PDF
    folder.unlink()
    assert run_op(city.desk, {"op": "reprint", "receipt": "W1-000001"})["ok"]
    assert "Blue Door Cafe" in pdf_text(folder / "BL-W1-000001-2027.pdf")


@pytest.mark.parametrize("columns", COLUMNS)
def test_licence_receipt_golden(city: App, columns: int) -> None:
    """A receipt of every program with a business licence's certificate, as printed."""
    assert sale(city, [NEW_LICENCE, DOG, PERMIT], [
        {"type": "cash", "amount": "200.00"}])["ok"]  # fmt: skip
    view = city.desk.receipt("W1-000001")
    doc = build_receipt(view, city="City of Springfield", address="100 Main Street",
                        columns=columns, timezone="UTC")  # fmt: skip
    text = doc.as_text()
    for line in text.splitlines():
        assert len(line) <= columns, line
    path = GOLDEN_DIR / f"licence-{columns}.txt"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    # the printer simulator takes it whole: one paper, cut once, both barcodes
    sim = EscPosPrinterSim()
    assert sim.feed(to_escpos(doc)) == b"" and sim.unknown_commands == []
    assert len(sim.receipts) == 1 and sim.receipts[0].cut == "full"
    assert sim.receipts[0].barcodes == [("CODE128", "W1-000001"), ("CODE128", "BL-W1-000001")]
