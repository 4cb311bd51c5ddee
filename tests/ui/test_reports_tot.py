"""The TOT report on the Reports screen (issue 17's leftover): a lead, by the keyboard only,
shows ``report tot`` for the quarter whose returns were filed, sees the very figures of
``cashier-desk report tot``'s JSON (the Desk's ``tot_report`` laid out by ``reports/tot.py``),
to the cent, saves the PDF and the CSV the command line writes, and a bad period is refused
with nothing shown or saved.  ``CASHIER_DESK_SHOTS=DIR`` keeps the screen's picture."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path

from cashier_desk.reports import tot as tot_report
from cashier_desk.ui.fit import clipped
from cashier_desk.ui.qt import QLabel, Qt, QTableWidget
from cashier_desk.ui.screens.reports import ReportsScreen
from cashier_desk.ui.screens.reports_model import tot_period_of
from tests.documents.test_report_tot import tot
from tests.helpers import dump_tables, run_ok
from tests.programs.counter_city import on_day, sale, set_up, void
from tests.reports_pdf import pdf_text
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press, wait_focus
from tests.ui.test_reports_screen import CTRL, CTRL_SHIFT, SCREENS, fits, shown_once, table_rows

Key = Qt.Key


def returns_filed(c: Counter, folder: Path) -> None:
    """On 2026-11-10 Harbor Inn files its Q3 return late, Motel Six Palms files and its
    receipt is voided; Harbor Inn's Q2 return too (another period)."""
    set_up(c.app, folder)
    on_day(c.app, "2026-11-10")
    for items in ([tot("TOT-0042", "2026-Q3", "50000.00", "5000.00")],
                  [tot("TOT-0042", "2026-Q2", "10000.00", "0.00")],
                  [tot("TOT-0043", "2026-Q3", "9000.00", "0.00")]):  # fmt: skip
        assert sale(c.app, items)["ok"]
    assert void(c.app, "W1-000003")["ok"]  # Motel Six Palms keyed wrong: filed again
    assert sale(c.app, [tot("TOT-0043", "2026-Q3", "8000.00", "0.00")])["ok"]
    run_ok(c.app, {"op": "logout"})


def lead_at_tot(c: Counter) -> ReportsScreen:
    c.login("lee", "1111")
    press(c, Key.Key_R, CTRL_SHIFT)
    assert c.screen() == "reports"
    screen = c.window.screens["reports"]
    assert isinstance(screen, ReportsScreen)
    wait_focus(c, "reportKind")
    c.qtbot.waitUntil(lambda: screen.tot_period.text() != "")
    for _ in range(3):  # statistics, daily, delinquent, TOT
        press(c, Key.Key_Down)
    assert screen.report_kind() == "tot"
    press(c, Key.Key_Tab)  # the rows of the other reports are hidden: Tab skips them
    wait_focus(c, "reportTotPeriod")
    return screen


def test_a_lead_shows_and_saves_the_tot_report_with_the_command_lines_figures(
    make_counter: Callable[..., Counter], tmp_path: Path
) -> None:
    c = make_counter(sims=True)  # the simulated printer's paper beside the screens
    returns_filed(c, tmp_path)
    screen = lead_at_tot(c)
    assert screen.today is not None and tot_period_of(screen.today) == "2026-Q3"
    assert focused().text() == "2026-Q3"  # the quarter before the business date's
    press(c, Key.Key_Return)
    shown_once(c, "TOT returns for 2026-Q3")

    want = tot_report.as_json(c.desk.tot_report("2026-Q3"))  # the CLI's stdout
    assert [r["status"] for r in want["rows"]] == ["filed", "filed"]
    assert want["total"]["paid"] != "0.00"
    figures = ("tax", "tax_paid", "penalty", "interest", "paid")
    rows = [
        (f"{r['account']} {r['name']}", f"{r['status'].capitalize()}\n{r['receipt']}",
         *(r[k] for k in figures))
        for r in want["rows"]
    ]  # fmt: skip
    total = want["total"]
    assert table_rows(c) == [
        *rows,
        (f"Total: {total['operators']} operators", f"{total['filed']} filed", "",
         total["tax_paid"], total["penalty"], total["interest"], total["paid"]),
    ]  # fmt: skip
    assert table_rows(c)[0][2:7] == ("4500.00", "4500.00", "450.00", "22.50", "4972.50")
    table = c.find(QTableWidget, "reportTable")
    assert not table.horizontalScrollBar().isVisible()  # beside the printer's paper
    assert not table.verticalScrollBar().isVisible()
    paid_cents = sum(int(r["paid"].replace(".", "")) for r in want["rows"])
    assert sum(cents for _, cents in screen.chart.bars) == paid_cents
    assert [b[0] for b in screen.chart.bars] == ["TOT-0042", "TOT-0043"]
    fits(c)
    c.window.resize(SCREENS[0])
    c.window.clear_message()
    c.qtbot.wait(50)
    shots = os.environ.get("CASHIER_DESK_SHOTS")
    if shots:
        assert c.window.grab().save(str(Path(shots) / "reports-tot.png"))

    # Ctrl+S: the very files `cashier-desk report tot --period 2026-Q3` writes.
    press(c, Key.Key_S, CTRL)
    folder = c.desk.data_dir() / "reports"
    pdf, sheet = folder / "tot-2026-Q3.pdf", folder / "tot-2026-Q3.csv"
    c.qtbot.waitUntil(lambda: sheet.exists() and pdf.exists())
    c.idle()
    found = c.desk.tot_report("2026-Q3")
    with sheet.open(encoding="utf-8", newline="") as fh:
        assert [tuple(r) for r in csv.reader(fh)][1:] == tot_report.csv_rows(found)
    text = pdf_text(pdf)
    assert "Transient occupancy tax returns, 2026-Q3" in text
    for r in want["rows"]:
        assert " ".join([r["account"], r["name"][:24], r["status"]]) in text
        assert r["paid"] in text
    assert f"Total 2 filed 0 missing {total['tax_paid']} {total['penalty']}" in text
    assert "Saved" in c.find(QLabel, "reportFiles").text()
    assert clipped(c.window, SCREENS[0]) == []


def test_a_bad_period_is_refused_and_nothing_is_shown_or_saved(
    make_counter: Callable[..., Counter], tmp_path: Path
) -> None:
    c = make_counter()
    returns_filed(c, tmp_path)
    screen = lead_at_tot(c)
    before = dump_tables(c.app)
    focused().selectAll()
    c.qtbot.keyClicks(focused(), "2026-Q5")
    press(c, Key.Key_Return)
    c.qtbot.waitUntil(lambda: "2026-Q5" in c.window.banner.text())
    wait_focus(c, "reportKind")
    assert screen.found is None and screen.run is None
    press(c, Key.Key_S, CTRL)
    c.idle()
    assert "Show a report first" in c.window.banner.text()
    assert not list((c.desk.data_dir() / "reports").glob("tot-*"))
    assert dump_tables(c.app) == before
