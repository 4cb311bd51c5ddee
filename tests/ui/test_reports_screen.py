"""The Reports screen (issue 17, items 3 and 4), by the keyboard only: a lead opens it with
Ctrl+Shift+R, shows statistics, the daily reconciliation and the delinquents, saves the PDF and
the CSV the command line writes, prints (the PDF opened in the viewer), and cancels a long
report from its progress dialog (Esc) with nothing changed and the window never frozen.  The
README's picture comes from here: ``CASHIER_DESK_SHOTS=docs/screenshots pytest
tests/ui/test_reports_screen.py`` (1366×768; whole at 1280×700 too)."""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.reports import stats as stats_report
from cashier_desk.ui.fit import clipped
from cashier_desk.ui.qt import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QSize,
    Qt,
    QTableWidget,
    QTimer,
    QWidget,
)
from cashier_desk.ui.screens.reports import ReportsScreen
from tests.helpers import dump_tables, run_ok, small_day
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press, wait_focus

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier
SCREENS = (QSize(1366, 768), QSize(1280, 700))


def lead_at_reports(c: Counter) -> ReportsScreen:
    """A day of sales closed out (``small_day``); Lee, a lead, logs in at the window and
    presses Ctrl+Shift+R."""
    small_day(c.app)
    run_ok(c.app, {"op": "logout"})
    c.login("lee", "1111")
    press(c, Key.Key_R, CTRL_SHIFT)
    assert c.screen() == "reports"
    screen = c.window.screens["reports"]
    assert isinstance(screen, ReportsScreen)
    wait_focus(c, "reportKind")
    c.qtbot.waitUntil(lambda: screen.date_from.text() != "")  # the business date came back
    return screen


def squeezed(c: Counter) -> list[str]:
    """The choices, buttons and dates shown lower than they need (the column squeezed)."""
    box = c.find(QWidget, "reportChoices")
    return [
        f"{w.objectName()}: {w.height()} < {w.sizeHint().height()}"
        for w in box.findChildren(QWidget)
        if isinstance(w, (QComboBox, QLineEdit, QPushButton))
        and w.isVisible()
        and w.height() < w.sizeHint().height()
    ]


def fits(c: Counter) -> None:
    """Whole on each counter screen, the banner and the files saved shown too."""
    for size in (*SCREENS[1:], SCREENS[0]):
        c.window.resize(size)
        c.qtbot.wait(50)
        assert clipped(c.window, size) == [], size
        assert squeezed(c) == [], size


def table_rows(c: Counter) -> list[tuple[str, ...]]:
    table = c.find(QTableWidget, "reportTable")
    return [
        tuple(table.item(r, col).text() for col in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


def shown_once(c: Counter, title: str) -> None:
    heading = c.find(QLabel, "reportTitle")
    try:
        c.qtbot.waitUntil(lambda: heading.text().startswith(title))
    except Exception:
        raise AssertionError(
            f"{heading.text()!r}; the banner: {c.window.banner.text()!r}"
        ) from None
    c.idle()
    c.qtbot.wait(100)
    w = QApplication.focusWidget()
    assert w is not None and w.objectName() == "reportTable", (w, c.window.banner.text())


def test_a_lead_shows_saves_and_prints_each_report_by_the_keyboard(
    make_counter: Callable[..., Counter], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = Path(os.environ.get("CASHIER_DESK_SHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    opened: list[Path] = []
    monkeypatch.setattr(ReportsScreen, "opener", lambda path: opened.append(path) or True)
    c = make_counter(sims=True)
    screen = lead_at_reports(c)
    today = c.desk.business_date()
    start = today[:8] + "01"
    assert (screen.date_from.text(), screen.date_to.text()) == (start, today)  # this month

    # Statistics by revenue code for this month: Enter in the report's list.
    press(c, Key.Key_Return)
    shown_once(c, "Statistics by revenue code")
    want = stats_report.as_json(c.desk.stats_report(start, today, "code"))
    rows = [(r["key"], str(r["count"]), r["amount"]) for r in want["rows"]]
    assert table_rows(c) == [*rows, ("Total", str(want["total"]["count"]), want["total"]["amount"])]
    assert screen.chart.bars and [b[0] for b in screen.chart.bars] == [r[0] for r in rows]
    window = c.window
    fits(c)
    c.window.clear_message()
    c.qtbot.wait(50)
    assert window.grab().save(str(out / "14-reports-stats.png"))

    # By program, last quarter: Esc back to the choices, Tab to "By", Down, Tab to the period.
    press(c, Key.Key_Escape)
    wait_focus(c, "reportKind")
    press(c, Key.Key_Tab)
    wait_focus(c, "reportBy")
    press(c, Key.Key_Down)
    press(c, Key.Key_Tab)
    wait_focus(c, "reportPeriod")
    press(c, Key.Key_Down)  # last month
    press(c, Key.Key_Down)  # this quarter
    press(c, Key.Key_Down)  # last quarter
    quarter = (screen.date_from.text(), screen.date_to.text())
    assert quarter[0] < start and quarter[1] < start
    # ... then types a range instead: the month so far
    press(c, Key.Key_Tab)
    wait_focus(c, "reportFrom")
    c.qtbot.keyClicks(focused(), start)
    assert screen.period.currentText().startswith("A range")
    press(c, Key.Key_Tab)
    wait_focus(c, "reportTo")
    focused().selectAll()
    c.qtbot.keyClicks(focused(), today)
    press(c, Key.Key_Return)
    shown_once(c, "Statistics by program")

    # Ctrl+S: the very files `cashier-desk report stats --by program` writes.
    press(c, Key.Key_S, CTRL)
    folder = c.desk.data_dir() / "reports"
    stem = f"stats-program-{start}-{today}"
    c.qtbot.waitUntil(lambda: (folder / f"{stem}.csv").exists())
    found = c.desk.stats_report(start, today, "program")
    with (folder / f"{stem}.csv").open(encoding="utf-8", newline="") as fh:
        assert [tuple(r) for r in csv.reader(fh)][1:] == stats_report.csv_rows(found)
    assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    assert "Saved" in c.find(QLabel, "reportFiles").text()

    # Ctrl+Shift+P: the saved PDF is opened to print.
    press(c, Key.Key_P, CTRL_SHIFT)
    c.qtbot.waitUntil(lambda: opened == [folder / f"{stem}.pdf"])
    assert "print it from there" in c.window.banner.text()
    fits(c)

    # The daily reconciliation of today: Down in the list, Tab to the date, Enter.
    press(c, Key.Key_Escape)
    wait_focus(c, "reportKind")
    press(c, Key.Key_Down)
    press(c, Key.Key_Tab)
    wait_focus(c, "reportDate")
    assert focused().text() == today
    press(c, Key.Key_Return)
    shown_once(c, "Daily reconciliation")
    assert clipped(window, SCREENS[0]) == []
    sections = {row[0] for row in table_rows(c)}
    assert {"Batch", "Tenders", "Revenue code", "GL account", "Deposit", "Voided"} <= sections
    # Print without saving first: saved, then opened.
    press(c, Key.Key_P, CTRL_SHIFT)
    daily_pdf = folder / f"daily-{c.desk.workstation}-{today}.pdf"
    c.qtbot.waitUntil(lambda: opened[-1:] == [daily_pdf])
    assert daily_pdf.exists() and daily_pdf.with_suffix(".csv").exists()

    # The delinquents on a date a year on: every open item of the demo city is late then.
    press(c, Key.Key_Escape)
    press(c, Key.Key_Down)
    press(c, Key.Key_Tab)
    focused().selectAll()
    later = f"{int(today[:4]) + 1}{today[4:]}"
    c.qtbot.keyClicks(focused(), later)
    press(c, Key.Key_Return)
    shown_once(c, f"Delinquents on {later}")
    late = c.desk.delinquent_report(later)
    assert late.items and len(table_rows(c)) == len(late.items) + 1
    assert table_rows(c)[-1][3] == str(late.total)
    fits(c)
    c.window.clear_message()
    c.qtbot.wait(50)
    assert window.grab().save(str(out / "15-reports-delinquent.png"))
    # Tab from the table reaches the chart; Esc there goes back to the choices.
    press(c, Key.Key_Tab)
    wait_focus(c, "reportChart")
    press(c, Key.Key_Escape)
    wait_focus(c, "reportKind")


def test_a_cashier_has_no_reports(counter: Counter) -> None:
    counter.login("amy", "4821")
    action, role = counter.window.menu_actions["reports"]
    assert role == "lead" and not action.isEnabled()
    before = counter.screen()
    press(counter, Key.Key_R, CTRL_SHIFT)
    assert counter.screen() == before != "reports"


def test_cancelling_a_long_report_stops_it_and_changes_nothing(
    make_counter: Callable[..., Counter], monkeypatch: pytest.MonkeyPatch
) -> None:
    c = make_counter()
    screen = lead_at_reports(c)
    press(c, Key.Key_Return)  # a first report, shown
    shown_once(c, "Statistics by revenue code")
    before_rows, before_tables = table_rows(c), dump_tables(c.app)
    told: list[int] = []
    real = c.desk.stats_report

    def long_report(*args: Any, progress: Any = None, **kw: Any) -> Any:
        for n in range(400):  # 8 s unless cancelled
            progress(n, 400)
            told.append(n)
            time.sleep(0.02)
        return real(*args, progress=progress, **kw)

    monkeypatch.setattr(c.desk, "stats_report", long_report)
    ticks: list[int] = []
    beat = QTimer()
    beat.timeout.connect(lambda: ticks.append(1))
    beat.start(20)
    press(c, Key.Key_Escape)
    wait_focus(c, "reportKind")
    c.qtbot.keyClick(focused(), Key.Key_Return)
    dialog = c.window.findChild(QProgressDialog, "reportProgress")
    assert dialog is not None
    c.qtbot.waitUntil(lambda: dialog.isVisible() and dialog.value() > 10, timeout=5000)
    assert QApplication.activeModalWidget() is dialog
    assert len(ticks) > 10  # the event loop ran all along
    c.qtbot.keyClick(QApplication.focusWidget() or dialog, Key.Key_Return)  # not a cancel
    c.qtbot.wait(100)
    assert dialog.isVisible() and screen.run is not None
    c.qtbot.keyClick(dialog, Key.Key_Escape)
    c.idle()
    beat.stop()
    assert len(told) < 400  # stopped where it was
    assert "cancelled" in c.window.banner.text()
    assert table_rows(c) == before_rows
    assert screen.saved == () and not list((c.desk.data_dir() / "reports").glob("stats-*"))
    assert dump_tables(c.app) == before_tables
    c.qtbot.wait(200)
    wait_focus(c, "reportKind")


def test_a_bad_date_is_refused_and_a_fault_frees_the_screen(
    make_counter: Callable[..., Counter], monkeypatch: pytest.MonkeyPatch
) -> None:
    c = make_counter()
    screen = lead_at_reports(c)
    press(c, Key.Key_Tab)
    press(c, Key.Key_Tab)
    press(c, Key.Key_Tab)
    wait_focus(c, "reportFrom")
    focused().selectAll()
    c.qtbot.keyClicks(focused(), "2026-13-01")
    press(c, Key.Key_Return)
    c.qtbot.waitUntil(lambda: "is not a date" in c.window.banner.text())
    wait_focus(c, "reportKind")
    assert screen.found is None and screen.run is None

    def broken(*args: Any, **kw: Any) -> Any:
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr(c.desk, "delinquent_report", broken)
    press(c, Key.Key_Down)
    press(c, Key.Key_Down)  # the delinquents
    press(c, Key.Key_Return)
    c.qtbot.waitUntil(lambda: "Something went wrong" in c.window.banner.text())
    assert screen.run is None  # Enter works again
    monkeypatch.undo()
    press(c, Key.Key_Return)
    shown_once(c, "Delinquents on")


def test_locking_the_counter_cancels_a_report_running(
    make_counter: Callable[..., Counter], monkeypatch: pytest.MonkeyPatch
) -> None:
    c = make_counter()
    lead_at_reports(c)
    told: list[int] = []

    def long_report(*args: Any, progress: Any = None, **kw: Any) -> Any:
        for n in range(400):
            progress(n, 400)
            told.append(n)
            time.sleep(0.02)
        raise AssertionError("the report was not stopped")

    monkeypatch.setattr(c.desk, "stats_report", long_report)
    c.qtbot.keyClick(focused(), Key.Key_Return)
    dialog = c.window.findChild(QProgressDialog, "reportProgress")
    assert dialog is not None
    c.qtbot.waitUntil(lambda: dialog.isVisible(), timeout=5000)
    c.qtbot.keyClick(dialog, Key.Key_F12)  # the lock works over any dialog
    c.idle()
    assert c.screen() == "login" and len(told) < 400
    assert not c.window.banner.isVisible()  # nothing of the counter on its cover
    assert c.window.screens["reports"].run is None  # type: ignore[attr-defined]
