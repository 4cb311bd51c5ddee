"""The deposit of a closeout as currency, coin, safe drops and itemised checks (F6)."""

from __future__ import annotations

import base64
import io
import json
import re
import zlib
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from pathlib import Path

from cashier_desk import cli
from cashier_desk.app import App
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.ledger.deposit import DepositItem
from cashier_desk.money import Money
from cashier_desk.reports.deposit import (
    CloseoutPapers,
    closeout_slip,
    deposit_rows,
    write_closeout_papers,
)
from cashier_desk.reports.journal import JournalAccounts
from tests.helpers import run_ok


def m(text: str) -> Money:
    return Money.parse(text)


def _day(app: App) -> Closeout:
    """Two drawers: checks and a money order itemised in the counts, a drop, coin taken in."""
    run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 4, "1.00": 15, "0.25": 20}},
        {"op": "sale", "items": [{"ref": "UB-100234"}],
         "tenders": [{"type": "check", "amount": "82.15", "number": "1042"}]},
        {"op": "sale", "items": [{"code": "DOG-LIC"}],
         "tenders": [{"type": "money_order", "amount": "20.00", "number": "MO-77"}]},
        {"op": "sale", "items": [{"code": "MISC", "amount": "312.75"}],
         "tenders": [{"type": "cash", "amount": "312.75"}]},
        {"op": "drop", "amount": "200.00"},
        # 100.00 fund (80 + 15 + 5) + 312.75 - 200.00 = 212.75 in the drawer
        {"op": "close_drawer", "counted": {
            "cash": {"50.00": 2, "20.00": 4, "10.00": 1, "1.00": 18, "0.25": 19},
            "checks": [{"number": "1042", "amount": "82.15"}],
            "money_orders": [{"number": "MO-77", "amount": "20.00"}]}},
        {"op": "login", "user": "bob", "pin": "2468"},
        {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"code": "MISC", "amount": "40.00"}],
         "tenders": [{"type": "check", "amount": "25.00", "number": "220"},
                     {"type": "check", "amount": "15.00", "number": "221"}]},
        {"op": "close_drawer", "counted": {
            "cash": {"20.00": 5},
            "checks": [{"number": "220", "amount": "25.00"},
                       {"number": "221", "amount": "15.00"}]}},
    )  # fmt: skip
    return app.desk.closeout(app.desk.business_date(), "pat", "2222")


def test_the_closeout_says_of_what_the_deposit_is_made(app: App) -> None:
    closeout = _day(app)
    detail = closeout.detail
    assert detail is not None
    assert detail.counted == {
        m("50.00"): 2, m("20.00"): 9, m("10.00"): 1, m("1.00"): 18, m("0.25"): 19,
    }  # fmt: skip
    assert list(detail.counted) == sorted(detail.counted, reverse=True)
    assert (detail.currency, detail.coin) == (m("308.00"), m("4.75"))
    assert (detail.funds_kept, detail.drops) == (m("200.00"), m("200.00"))
    assert detail.cash == closeout.deposit["cash"] == m("312.75")
    assert detail.checks == (
        DepositItem("1042", m("82.15"), "D1", "amy"),
        DepositItem("220", m("25.00"), "D2", "bob"),
        DepositItem("221", m("15.00"), "D2", "bob"),
    )
    assert detail.money_orders == (DepositItem("MO-77", m("20.00"), "D1", "amy"),)
    assert closeout.deposit["checks"] == m("122.15")
    assert closeout.deposit_total == m("454.90")


def test_the_deposit_slip_lists_currency_coin_drops_and_each_check(
    app: App, tmp_path: Path
) -> None:
    closeout = _day(app)
    rows = [(r.label.strip(), r.amount) for r in deposit_rows(closeout)]
    assert rows[:6] == [
        ("Currency counted in the drawers", "308.00"),
        ("Coin counted in the drawers", "4.75"),
        ("2 x 50.00,   9 x 20.00,   1 x 10.00,   18 x 1.00,   19 x 0.25", ""),
        ("Less the change funds kept with the drawers", "-200.00"),
        ("Safe drops", "200.00"),
        ("Cash", "312.75"),
    ]
    assert rows[6:] == [
        ("Checks (3)", "122.15"),
        ("No. 1042    drawer D1, amy", "82.15"),
        ("No. 220    drawer D2, bob", "25.00"),
        ("No. 221    drawer D2, bob", "15.00"),
        ("Money orders (1)", "20.00"),
        ("No. MO-77    drawer D1, amy", "20.00"),
        ("Total deposit", "454.90"),
    ]
    papers = _papers(app, closeout, tmp_path)
    text = _pdf_text(papers.deposit_slip)
    for shown in ("Currency counted", "19 x 0.25", "No. 1042", "No. MO-77", "-200.00", "454.90"):
        assert shown in text, shown
    slip = closeout_slip(closeout, city="City of Springfield", workstation="W1", columns=42)
    printed = slip.as_text()
    for pattern in (r"Coin counted +4\.75", r"Less change funds +-200\.00", r"Cash +312\.75",
                    r"Checks \(3\) +122\.15", r"DEPOSIT +454\.90"):  # fmt: skip
        assert re.search(pattern, printed), pattern


def _papers(app: App, closeout: Closeout, folder: Path) -> CloseoutPapers:
    return write_closeout_papers(closeout, folder, city="City of Springfield", workstation="W1",
                                 accounts=JournalAccounts.of(app.config))  # fmt: skip


def _pdf_text(path: Path) -> str:
    """The text a PDF's pages draw (reportlab writes its content streams ASCII85- and
    Flate-encoded)."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)~>\s*endstream", path.read_bytes(), re.S):
        content = zlib.decompress(base64.a85decode(stream))
        shown += re.findall(rb"\((.*?)\) Tj", content)
    return "\n".join(s.decode("latin-1") for s in shown)


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_a_days_papers_can_be_saved_again(app: App, tmp_path: Path) -> None:
    """The papers of a closeout read back the same as on the day, from the window's closeout
    screen or from the command line (`cashier-desk papers`)."""
    closeout = _day(app)
    assert app.desk.day_closeouts(closeout.business_date) == [closeout]
    assert app.desk.day_closeouts("2001-01-01") == []
    data = app.desk.ledger.path.parent
    app.close()
    out = tmp_path / "again"
    code, printed, err = _cli("--data-dir", str(data), "papers", "--date",
                              closeout.business_date, "--out", str(out))  # fmt: skip
    assert (code, err) == (0, "")
    [line] = [json.loads(x) for x in printed.splitlines()]
    assert line == {
        "batch": closeout.batch,
        "date": closeout.business_date,
        "deposit": "454.90",
        "deposit_slip": str(out / f"deposit-slip-{closeout.batch}.pdf"),
        "summary": str(out / f"closeout-{closeout.batch}.pdf"),
    }
    assert "No. MO-77" in _pdf_text(Path(line["deposit_slip"]))
    assert Path(line["summary"]).read_bytes().startswith(b"%PDF")
    code, printed, err = _cli("--data-dir", str(data), "papers", "--date", "2001-01-01")
    assert (code, printed) == (1, "")
    assert (
        err
        == "cashier-desk: There is no closeout of 2001-01-01 at this workstation. (no_closeout)\n"
    )
    code, printed, err = _cli("--data-dir", str(data), "papers", "--date", "yesterday")
    assert (code, printed) == (1, "") and "'yesterday' is not a date" in err


def _pdf_pages(path: Path) -> list[bytes]:
    return [
        zlib.decompress(base64.a85decode(stream))
        for stream in re.findall(rb"stream\r?\n(.*?)~>\s*endstream", path.read_bytes(), re.S)
    ]


def _rows_and_rules(page: bytes) -> tuple[list[tuple[float, float, float, str]], list[float]]:
    """The text a page draws, as (x, baseline, font size, text), and the heights of its
    rules."""
    rows, rules, size = [], [], 0.0
    for line in page.decode("latin-1").splitlines():
        if found := re.search(r"/F\d+ ([\d.]+) Tf", line):
            size = float(found.group(1))
        if found := re.search(r"1 0 0 1 ([\d.]+) ([\d.]+) Tm \((.*)\) Tj", line):
            text = re.sub(r"\\(.)", r"\1", found.group(3))  # PDF escapes ( ) and \\
            rows.append((float(found.group(1)), float(found.group(2)), size, text))
        if found := re.search(r"([\d.]+) ([\d.]+) m ([\d.]+) \2 l S", line):
            rules.append(float(found.group(2)))
    return rows, rules


def test_table_rules_run_between_rows_never_through_one(app: App, tmp_path: Path) -> None:
    """Every rule of the papers is clear (by 2 points) of the letters of the rows around it:
    above a row's capitals and ascenders, below the descenders of the row before."""
    from reportlab.pdfbase.pdfmetrics import getAscentDescent

    closeout = _day(app)
    papers = _papers(app, closeout, tmp_path)
    checked = 0
    for pdf in papers.all():
        for page in _pdf_pages(pdf):
            rows, rules = _rows_and_rules(page)
            assert rows and rules
            for rule in rules:
                for _x, baseline, size, text in rows:
                    if not text.strip():
                        continue
                    ascent, descent = getAscentDescent("Helvetica", size)
                    assert not baseline + descent - 2 < rule < baseline + ascent + 2, (
                        f"{pdf.name}: the rule at {rule} touches {text!r} (baseline {baseline})"
                    )
                    checked += 1
    assert checked > 100


def test_papers_list_the_tenders_in_the_closeouts_order(app: App, tmp_path: Path) -> None:
    """Cash, check, money order, card — on the day and when `cashier-desk papers` makes the
    papers again from the batch as sent."""
    closeout = _day(app)
    order = ["cash", "check", "money_order", "card"]
    assert list(closeout.tenders) == order
    [again] = app.desk.day_closeouts(closeout.business_date)
    assert list(again.tenders) == order
    data = app.desk.ledger.path.parent
    app.close()
    code, printed, err = _cli("--data-dir", str(data), "papers", "--date",
                              closeout.business_date, "--out", str(tmp_path))  # fmt: skip
    assert (code, err) == (0, "")
    shown = _pdf_text(Path(json.loads(printed)["summary"])).splitlines()
    table = shown[shown.index("Over/short") + 1 :]
    assert [table[i] for i in range(0, 16, 4)] == ["Cash", "Check", "Money order", "Card"]


def test_the_closeout_summary_shows_the_journal_fund_by_fund(app: App, tmp_path: Path) -> None:
    closeout = _day(app)
    papers = _papers(app, closeout, tmp_path)
    lines: dict[tuple[int, float], list[str]] = {}
    for n, page in enumerate(_pdf_pages(papers.summary)):
        for x, baseline, _size, text in _rows_and_rules(page)[0]:
            # the journal's columns: account, memo (at 160), debit (to 456), credit (to 552)
            cells = lines.setdefault((n, -baseline), ["", "", "", ""])
            cells[0 if x < 160 else 1 if x < 300 else 2 if x < 456 else 3] = text
    shown = [cells for _, cells in sorted(lines.items())]

    def row(label: str) -> list[str]:
        [found] = [cells for cells in shown if cells[0] == label]
        return found

    # The water bill (fund 501) is settled with the treasury (fund 101).
    assert row("501-0000-44110") == ["501-0000-44110", "Revenue", "", "82.15"]
    assert row("501-0000-13900") == ["501-0000-13900", "Due from treasury fund 101", "82.15", ""]
    assert row("Fund 501 total") == ["Fund 501 total", "", "82.15", "82.15"]
    assert row("101-0000-20900")[1:] == ["Due to fund 501: its net receipts", "", "82.15"]
    # 454.90 deposit debited; 82.15 due to fund 501, 20.00 dog licence, 352.75 misc credited
    assert row("Fund 101 total") == ["Fund 101 total", "", "454.90", "454.90"]
    assert shown.index(row("Fund 101 (treasury)")) < shown.index(row("Fund 501"))


def test_a_funds_block_and_the_deposit_table_are_never_split_across_pages(
    app: App, tmp_path: Path
) -> None:
    """A batch touching 40 funds runs to several pages: each fund's name, lines and total stay
    on one page, and so do the deposit table and its total."""
    closeout = _day(app)
    moved = {(f"{300 + n}-0000-40000", "revenue"): m("1.00") for n in range(40)}
    rest = {k: v for k, v in closeout.sources.items() if k != ("101-0000-49100", "revenue")}
    misc = closeout.sources["101-0000-49100", "revenue"] - m("40.00")
    sources = {**rest, ("101-0000-49100", "revenue"): misc, **moved}
    many = replace(closeout, sources=sources)
    pages = [
        {text for _x, _y, _size, text in _rows_and_rules(page)[0]}
        for page in _pdf_pages(_papers(app, many, tmp_path).summary)
    ]
    assert len(pages) > 2
    for n in range(40):
        fund = str(300 + n)
        [page] = [p for p in pages if f"Fund {fund}" in p]
        assert {f"Fund {fund} total", f"{fund}-0000-40000", f"{fund}-0000-13900"} <= page
    [page] = [p for p in pages if "Total deposit" in p]
    assert {"Deposit", "Currency and coin", "Batch fingerprint (SHA-256)"} <= page
