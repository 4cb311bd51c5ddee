"""Golden receipts: what a customer takes home, exactly, in 42 and 48 columns.

Five receipts are rung up through the Desk with script operations, on a :class:`FakeClock` and
with the process time zone pinned to US Central (the receipt prints local time), so the paper is
the same on every machine: a cash sale with change, a split tender (check + cash), a card payment,
the VOID copy of the cash sale and a REPRINT of the split tender.  Each printed text is compared
with ``tests/devices/golden/<name>-<columns>.txt``.

To regenerate the golden files after a deliberate layout change, run::

    UPDATE_GOLDEN=1 pytest tests/devices/test_receipt_golden.py

then read every changed file (``git diff tests/devices/golden``) before committing it: a golden
file is only as good as the eyes that checked it.

Differential: the same documents go through ``to_escpos`` (python-escpos) into the ESC/POS printer
simulator, whose paper must hold the document's lines (large type without the letter spacing that
``as_text`` adds), in the document's styles, with the receipt number as a CODE128 barcode and no
command the simulator does not know.  And no printed line is ever wider than the paper, whatever
the payer's name or an item's description.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import open_app
from cashier_desk.devices.escpos_render import to_escpos
from cashier_desk.devices.receipt import COLUMNS, Line, ReceiptDoc, build_receipt
from cashier_desk.devices.sim.escpos_printer import EscPosPrinterSim, SimReceipt
from cashier_desk.ids import ReceiptNo, SessionId
from cashier_desk.ledger.receipts import LineView, ReceiptView, TenderView
from cashier_desk.money import Money
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import FakeClock, run_ok

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
#: US Central as a POSIX rule, so no tz database is needed: 15:00 UTC prints as 09:00.
CITY_TZ = "CST6CDT,M3.2.0,M11.1.0"
NAMES = ("cash-sale", "split-tender", "card", "void", "reprint")
RECEIPT_NO = {
    "cash-sale": "W1-000001",
    "split-tender": "W1-000002",
    "card": "W1-000003",
    "void": "W1-000001",
    "reprint": "W1-000002",
}

LOGIN = {"op": "login", "user": "amy", "pin": "4821"}
OPEN = {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}}
CASH_SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC", "qty": 2}, {"code": "COPIES", "qty": 12}],
    "tenders": [{"type": "cash", "amount": "50.00"}],
    "payer": "J. Rivera",
}
SPLIT_SALE = {
    "op": "sale",
    "items": [{"ref": "UB-100002"}, {"ref": "PC-2026-000001"}],
    "tenders": [
        {"type": "check", "amount": "150.00", "number": "1042"},
        {"type": "cash", "amount": "20.00"},
    ],
    "payer": "Hollis Ashgrove",
}
CARD_SALE = {
    "op": "sale",
    "items": [{"code": "BUS-LIC-REN"}],
    "tenders": [{"type": "card", "amount": "65.00", "auth": "A12345", "last4": "4242"}],
    "payer": "Acme Widgets LLC",
}
VOID = {
    "op": "void",
    "receipt": "W1-000001",
    "approver": "lee",
    "approver_pin": "1111",
    "reason": "rang up the wrong licence",
}
REPRINT = {"op": "reprint", "receipt": "W1-000002"}


class DocPrinter(MemoryPrinter):
    """A :class:`MemoryPrinter` that also keeps each document it printed."""

    def __init__(self, columns: int) -> None:
        super().__init__(columns=columns)
        self.docs: list[ReceiptDoc] = []

    def print_receipt(self, doc: ReceiptDoc) -> bool:
        ok = super().print_receipt(doc)
        if ok:
            self.docs.append(doc)
        return ok


@dataclass(frozen=True)
class Printed:
    text: str  # what the MemoryPrinter kept: the document's as_text()
    doc: ReceiptDoc


@pytest.fixture(scope="module")
def city_time() -> Iterator[None]:
    """Pin the process time zone while receipts are built (they print local time)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", CITY_TZ)
        time.tzset()
        try:
            yield
        finally:
            mp.undo()
            time.tzset()


def _open(template_dir: Path, target: Path, columns: int, clock: FakeClock) -> Any:
    shutil.copytree(template_dir, target)
    return open_app(
        target, "W1", printer=DocPrinter(columns), cash_drawer=CountingDrawer(), clock=clock
    )


@pytest.fixture(scope="module")
def printed(
    template_dir: Path, tmp_path_factory: pytest.TempPathFactory, city_time: None
) -> dict[int, dict[str, Printed]]:
    """The five receipts, printed once per paper width: {columns: {name: Printed}}."""
    out: dict[int, dict[str, Printed]] = {}
    for columns in COLUMNS:
        clock = FakeClock()  # 2026-11-23 15:00 UTC
        target = tmp_path_factory.mktemp(f"golden{columns}") / "data"
        app = _open(template_dir, target, columns, clock)
        try:
            run_ok(app, LOGIN, OPEN, CASH_SALE)
            clock.advance(minutes=7)
            run_ok(app, SPLIT_SALE)
            clock.advance(minutes=11, seconds=30)
            run_ok(app, CARD_SALE)
            clock.advance(minutes=24)
            run_ok(app, VOID)
            clock.advance(hours=2, minutes=3)
            run_ok(app, REPRINT)
            printer = app.desk.printer
            assert isinstance(printer, DocPrinter)
            assert len(printer.jobs) == len(NAMES) == len(printer.docs)
            out[columns] = {
                name: Printed(text, doc)
                for name, text, doc in zip(NAMES, printer.jobs, printer.docs, strict=True)
            }
        finally:
            app.close()
    return out


CASES = [(name, columns) for name in NAMES for columns in COLUMNS]
IDS = [f"{name}-{columns}" for name, columns in CASES]


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN_DIR / f"{name}.txt"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        return
    if not path.exists():
        pytest.fail(f"no golden file {path}: run with UPDATE_GOLDEN=1, then read it")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs from what printed"


# ---------------------------------------------------------------------------- golden text


@pytest.mark.parametrize(("name", "columns"), CASES, ids=IDS)
def test_receipt_matches_golden(
    printed: dict[int, dict[str, Printed]], name: str, columns: int
) -> None:
    p = printed[columns][name]
    assert p.text == p.doc.as_text()
    assert p.doc.columns == columns
    for line in p.text.splitlines():
        assert len(line) <= columns, line
        assert line == line.rstrip()
    _check_golden(f"{name}-{columns}", p.text)


@pytest.mark.parametrize("columns", COLUMNS)
def test_receipts_say_what_a_city_receipt_must(
    printed: dict[int, dict[str, Printed]], columns: int
) -> None:
    """The facts each golden file holds, spelled out so a bad regeneration stands out."""
    r = {name: p.text for name, p in printed[columns].items()}
    for name, text in r.items():
        lines = text.splitlines()
        assert lines[0].strip() == "City of Springfield", name
        assert "Cashier: amy" in lines, name
        footer = "Keep with the day's records" if name == "void" else "Thank you"
        assert footer in lines[-1], name
        assert any(x.startswith("2026-11-23 ") and x.endswith(" Station W1") for x in lines)
        assert sum("|||" in x for x in lines) == 1, name  # one barcode, near the foot
    assert "2026-11-23 09:00" in r["cash-sale"] and "2026-11-23 09:18" in r["card"]
    # cash sale: qty lines, change in big type
    assert "W 1 - 0 0 0 0 0 1" in r["cash-sale"] and "Payer: J. Rivera" in r["cash-sale"]
    assert "  Qty 2" in r["cash-sale"] and "  Qty 12" in r["cash-sale"]
    assert re.search(r"^T O T A L +4 3 \. 0 0$", r["cash-sale"], re.M)
    assert re.search(r"^Cash +50\.00$", r["cash-sale"], re.M)
    assert re.search(r"^C H A N G E +7 \. 0 0$", r["cash-sale"], re.M)
    # split tender: both refs, the check with its number, then the cash, then the change
    split = r["split-tender"]
    assert "  Ref UB-100002" in split and "  Ref PC-2026-000001" in split
    assert re.search(r"^Check #1042 +150\.00\nCash +20\.00\nC H A N G E +6 \. 8 8$", split, re.M)
    # card: no change, no cash
    assert re.search(r"^Card \*\*\*\*4242 Auth A12345 +65\.00$", r["card"], re.M)
    assert "C H A N G E" not in r["card"] and not re.search(r"^Cash ", r["card"], re.M)
    # the VOID copy: marked at the top and the foot, with the reason, same receipt number
    void = r["void"].splitlines()
    assert void[2].strip() == "* * *   V O I D   * * *"
    assert "V O I D E D" in r["void"] and "Reason: rang up the wrong licence" in void
    assert "W 1 - 0 0 0 0 0 1" in r["void"] and "2026-11-23 09:00" in r["void"]
    # the reprint: marked, otherwise the split-tender receipt, not voided
    reprint = r["reprint"].splitlines()
    assert reprint[2].strip() == "* * *   R E P R I N T   * * *"
    assert reprint[3].strip() == "Copy made 2026-11-23 11:45"
    assert [x for x in reprint if x not in (reprint[2], reprint[3])] == split.splitlines()
    assert "VOID" not in r["reprint"].replace(" ", "")
    for name in ("cash-sale", "split-tender", "card"):
        assert "VOID" not in r[name].replace(" ", "") and "REPRINT" not in r[name]


@pytest.mark.parametrize("columns", COLUMNS)
def test_card_receipt_shows_only_last_four_and_auth(
    printed: dict[int, dict[str, Printed]], columns: int
) -> None:
    p = printed[columns]["card"]
    sim = EscPosPrinterSim()
    sim.feed(to_escpos(p.doc))
    doc_text = "\n".join(x.text for x in p.doc.lines)
    for paper in (p.text, sim.receipts[0].text, doc_text):
        card_lines = [x for x in paper.splitlines() if "Card" in x]
        assert card_lines
        for line in card_lines:
            # the only digits on the card line: the last four, the auth code's, the amount
            assert not re.search(r"\d", re.sub(r"\*\*\*\*4242|A12345|65\.00", "", line)), line
        # nothing anywhere looks like a card number (13-19 digits, spaces or dashes between)
        assert not re.search(r"\d(?:[ -]?\d){12,18}", paper.replace("2026-11-23", ""))
        assert paper.count("4242") == 1


# ---------------------------------------------------------------------------- differential


def _sim_as_text(receipt: SimReceipt, columns: int) -> str:
    """Lay out the simulator's paper the way ``ReceiptDoc.as_text`` lays out a document."""
    barcodes = {g.before_line: g.label for g in receipt.graphics if g.kind == "barcode"}
    out: list[str] = []
    for i, line in enumerate(receipt.lines):
        if i in barcodes:
            assert line.text == ""
            number = barcodes[i].removeprefix("CODE128 ")
            out.append(f"||| {number} |||".center(columns).rstrip())
            continue
        text, width = line.text, columns
        if line.double_width:
            text = " ".join(text)
        if line.align == "center":
            text = text.center(width)
        elif line.align == "right":
            text = text.rjust(width)
        out.append(text.rstrip())
    return "\n".join(out) + "\n"


def _print_on_sim(doc: ReceiptDoc) -> tuple[EscPosPrinterSim, SimReceipt]:
    sim = EscPosPrinterSim()
    assert sim.feed(to_escpos(doc)) == b""
    assert sim.unknown_commands == []
    assert len(sim.receipts) == 1
    receipt = sim.receipts[0]
    assert receipt.complete and receipt.cut == "full"
    return sim, receipt


@pytest.mark.parametrize(("name", "columns"), CASES, ids=IDS)
def test_escpos_paper_matches_document(
    printed: dict[int, dict[str, Printed]], name: str, columns: int
) -> None:
    doc = printed[columns][name].doc
    _, paper = _print_on_sim(doc)
    assert len(paper.lines) == len(doc.lines)
    barcode_rows = [i for i, x in enumerate(doc.lines) if x.barcode is not None]
    assert [g.before_line for g in paper.graphics] == barcode_rows
    for i, (want, got) in enumerate(zip(doc.lines, paper.lines, strict=True)):
        if want.barcode is not None:
            assert got.text == "", i
            continue
        width = columns // 2 if want.big else columns
        assert got.text == want.text[:width], i
        assert len(got.text) * got.style.width <= columns, got.text
        assert (got.bold, got.align) == (want.bold, want.align), i
        assert got.double_width == got.double_height == want.big, i
    # the receipt number: printed large, and as a CODE128 barcode that decodes to it
    receipt_no = RECEIPT_NO[name]
    assert paper.barcodes == [("CODE128", receipt_no)]
    assert any(x.text == receipt_no and x.double_width and x.bold for x in paper.lines)
    # laid out like as_text, the simulator's paper is the golden text
    assert _sim_as_text(paper, columns) == doc.as_text() == printed[columns][name].text


# ---------------------------------------------------------------------------- widths


LONG_PAYER = (
    "The Honourable Bartholomew Fitzwilliam-Ashgrove-Castellanos III, Trustee of the "
    "Redwater Heights Homeowners' Association Mutual Benefit Trust (est. 1987)"
)


@pytest.mark.parametrize("columns", COLUMNS)
def test_long_payer_name_never_widens_the_paper(
    template_dir: Path, tmp_path: Path, city_time: None, columns: int
) -> None:
    app = _open(template_dir, tmp_path / "data", columns, FakeClock())
    try:
        sale = {**CASH_SALE, "payer": LONG_PAYER}
        run_ok(app, LOGIN, OPEN, sale, VOID, {"op": "reprint", "receipt": "W1-000001"})
        printer = app.desk.printer
        assert isinstance(printer, DocPrinter)
        assert len(printer.docs) == 3
        for doc in printer.docs:
            _assert_fits(doc, columns)
            # wrapped, never cut: every word of the name is on the paper
            words = " ".join(doc.as_text().split())
            assert f"Payer: {LONG_PAYER}" in words
    finally:
        app.close()


def _assert_fits(doc: ReceiptDoc, columns: int) -> None:
    for line in doc.as_text().splitlines():
        assert len(line) <= columns, line
    _, paper = _print_on_sim(doc)
    for y in paper.lines:
        assert len(y.text) * y.style.width <= columns, y.text


def _view(**changes: Any) -> ReceiptView:
    base: dict[str, Any] = {
        "id": 1,
        "receipt_no": ReceiptNo("W1-000001"),
        "workstation": "W1",
        "session_id": SessionId("s1"),
        "cashier": "amy",
        "payer": "J. Rivera",
        "created_at": "2026-11-23T15:00:00+00:00",
        "business_date": "2026-11-23",
        "total": Money(4300),
        "change": Money(700),
        "lines": (LineView("Dog licence, altered, 1 year", "DOG-LIC", None, 2, Money(4000)),),
        "tenders": (TenderView("cash", Money(5000), None, None, None),),
        "voided": False,
        "void_reason": None,
    }
    base.update(changes)
    return ReceiptView(**base)


BIG = Money(10**15 - 1)  # the largest amount money holds: 9999999999999.99
LONG_TEXT = "Transient occupancy tax (TOT), third quarter, Redwater Heights Inn & Suites annex"
WIDE_VIEWS = {
    "long-description": _view(
        lines=(LineView(LONG_TEXT, "TOT", "TOT-2026-Q3-" + "9" * 28, 99999, Money(123456)),)
    ),
    "huge-amounts": _view(
        total=BIG,
        change=BIG,
        lines=(LineView("Miscellaneous revenue", "MISC", None, 1, BIG),),
        tenders=(TenderView("cash", BIG, None, None, None),),
    ),
    "long-tender-details": _view(
        tenders=(
            TenderView("check", Money(1000), "C" * 40, None, None),
            TenderView("money_order", Money(1000), "M" * 40, None, None),
            TenderView("card", Money(3000), None, "Z" * 20, "4242"),
        )
    ),
    "long-void-reason": _view(voided=True, void_reason=LONG_TEXT * 2, payer=LONG_PAYER),
    "long-workstation": _view(receipt_no=ReceiptNo("W" * 20 + "-000001"), workstation="W" * 20),
}


@pytest.mark.parametrize("mark", [None, "REPRINT", "VOID"])
@pytest.mark.parametrize("columns", COLUMNS)
@pytest.mark.parametrize("case", sorted(WIDE_VIEWS))
def test_no_line_wider_than_the_paper(case: str, columns: int, mark: str | None) -> None:
    doc = build_receipt(
        WIDE_VIEWS[case], city="City of Springfield", address="100 Main St", columns=columns,
        mark=mark,
    )  # fmt: skip
    _assert_fits(doc, columns)


WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d"


@pytest.mark.parametrize(
    ("case", "must_show", "columns"),
    [
        # the big receipt number of a workstation with a long id (ids may be 20 characters)
        ("long-workstation", "W" * 20 + "-000001", 42),
        ("long-workstation", "W" * 20 + "-000001", 48),
        # the date and time, beside "Station <a 20-character id>" (48 columns have room)
        ("long-workstation", WHEN, 42),
        # a check number (up to 40 characters)
        ("long-tender-details", "C" * 40, 42),
        ("long-tender-details", "C" * 40, 48),
        # a card authorisation code (up to 20 characters; 48 columns have room for it)
        ("long-tender-details", "Z" * 20, 42),
    ],
    ids=["receipt-no-42", "receipt-no-48", "date-42", "check-no-42", "check-no-48", "auth-42"],
)
def test_identifying_numbers_are_never_cut(case: str, must_show: str, columns: int) -> None:
    doc = build_receipt(WIDE_VIEWS[case], city="City of Springfield", columns=columns)
    _, paper = _print_on_sim(doc)
    assert any(re.search(must_show, x.text) for x in paper.lines)


def test_document_round_trips_through_a_print_job() -> None:
    """What the print job stores is what prints (the goldens are taken from the printer)."""
    doc = build_receipt(WIDE_VIEWS["long-tender-details"], city="City of Springfield")
    assert ReceiptDoc.from_json(doc.to_json()) == doc
    assert Line(barcode="W1-000001") in doc.lines


def test_a_print_job_stores_every_field_of_every_line() -> None:
    """``to_json`` names the fields by hand (for speed): a field added to ``Line`` must be
    stored too."""
    doc = ReceiptDoc(42, (Line("TOTAL", bold=True, big=True, align="right", barcode="X1"),))
    stored = json.loads(doc.to_json())
    assert stored == {"columns": 42, "lines": [dataclasses.asdict(doc.lines[0])]}
    assert set(stored["lines"][0]) == {f.name for f in dataclasses.fields(Line)}
