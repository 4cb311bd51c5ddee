"""The sale screen with a late citation, the contest dialog and the payment plan dialog (issue
14, item 5) show whole on a 1366×768 counter screen and on the strictest one (1280×700 left to
a window), with the simulated printer's paper beside them. The README's pictures of them come
from here: ``CASHIER_DESK_SHOTS=docs/screenshots pytest tests/ui/test_program_screens.py``
writes them (else they go to a temporary folder)."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path

from cashier_desk.money import Money
from cashier_desk.ui.fit import clipped
from cashier_desk.ui.qt import QApplication, QDialog, QLabel, QSize, Qt, QTableWidget, QWidget
from cashier_desk.ui.screens.sale import SaleScreen
from tests.helpers import FakeClock, import_city
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press, wait_focus
from tests.ui.steps import at_sale

Key = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
SCREENS = (QSize(1366, 768), QSize(1280, 700))
STATE = "250-0000-22010=3.00;250-0000-22020=4.50;250-0000-22030=5.00;101-0000-41300"
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    f'PKG-CIT,Parking citation,PARKING,"{STATE}",open,,no,citation\n'
    "COPY-CERT,Certified copy,CLERK,101-0000-41300,fixed,10.02,no,\n"
)
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status,issued,notice\n"
    "PC-1001,PARKING,7ABC123,Ann Lee,1 Main St,50.00,2026-11-30,PKG-CIT,open,2026-11-09,\n"
    "PC-1002,PARKING,7ABC124,Bo Ray,2 Main St,50.00,2026-11-30,PKG-CIT,open,2026-10-01,\n"
)


def keys(c: Counter, text: str, *, enter: bool = True) -> None:
    c.qtbot.keyClicks(focused(), text)
    if enter:
        press(c, Key.Key_Return)


def open_dialog(name: str) -> QDialog:
    found = [w for w in QApplication.topLevelWidgets() if w.objectName() == name]
    assert found and isinstance(found[0], QDialog), name
    return found[0]


def overlapping(dialog: QWidget) -> list[tuple[str, str]]:
    """The dialog's own widgets shown over one another (a layout squeezed below its need)."""
    shown = [
        w for w in dialog.findChildren(QWidget) if w.parentWidget() is dialog and w.isVisible()
    ]
    return [
        (a.objectName() or type(a).__name__, b.objectName() or type(b).__name__)
        for n, a in enumerate(shown)
        for b in shown[n + 1 :]
        if a.geometry().intersects(b.geometry())
    ]


def shot(c: Counter, out: Path, name: str, widget: QWidget) -> None:
    """Whole on each counter screen (the window, and the dialog within it), then saved."""
    for screen in SCREENS:
        c.window.resize(screen)
        c.idle()
        c.qtbot.wait(50)
        assert clipped(c.window, screen) == [], (name, screen)
        if widget is not c.window:
            assert clipped(widget, screen) == [], (name, screen)
            size = widget.frameGeometry().size()
            assert size.width() <= screen.width() and size.height() <= screen.height()
            assert overlapping(widget) == [], name
    c.window.resize(SCREENS[0])
    c.idle()
    c.qtbot.wait(50)
    assert widget.grab().save(str(out / f"{name}.png"))


def test_citations_contests_and_plans_show_whole(make_counter: object, tmp_path: Path) -> None:
    out = Path(os.environ.get("CASHIER_DESK_SHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    clock = FakeClock(datetime(2026, 12, 10, 18, 0, tzinfo=UTC))
    c: Counter = make_counter(clock=clock, sims=True)  # type: ignore[operator]
    import_city(c.app, tmp_path, CODES, ITEMS)
    at_sale(c)
    sale = c.window.screens["sale"]
    assert isinstance(sale, SaleScreen)
    config = dataclasses.replace(c.desk.config, cash_rounding=Money.parse("0.05"))
    c.desk.config = sale.ctx.config = config
    c.window.resize(SCREENS[0])

    # A late citation (its fine and penalty) and a fee paid in cash, rounded by the Desk.
    keys(c, "PC-1001")
    c.qtbot.waitUntil(lambda: len(sale.lines) == 1)
    keys(c, "COPY-CERT")
    c.qtbot.waitUntil(lambda: len(sale.lines) == 2)
    c.qtbot.waitUntil(lambda: c.find(QLabel, "saleCashTotal").isVisible())
    press(c, Key.Key_F9)
    press(c, Key.Key_Up)  # the citation's line: its status under the lines
    label = c.find(QLabel, "saleItemStatus")
    c.qtbot.waitUntil(lambda: label.isVisible() and "PC-1001" in label.text())
    table = c.find(QTableWidget, "saleLines")
    assert table.item(2, 0).text() == "Cash rounding"
    shot(c, out, "11-citation-sale", c.window)

    # The contest: late, so the lead's login and PIN are asked.
    press(c, Key.Key_T, ALT)
    wait_focus(c, "contestLevel")
    press(c, Key.Key_Return)
    keys(c, "The meter was broken; photo shown at the counter")
    keys(c, "ann.lee@example.org")
    press(c, Key.Key_Return)
    wait_focus(c, "contestLead")
    keys(c, "lee")
    c.qtbot.keyClicks(focused(), "1111")
    shot(c, out, "12-contest", open_dialog("contestDialog"))
    press(c, Key.Key_Return)
    c.qtbot.waitUntil(lambda: c.desk.lookup("PC-1001").status == "appeal")
    wait_focus(c, "saleInput")

    # A plan for the other citation, typed in the input: the schedule after.
    keys(c, "PC-1002", enter=False)
    press(c, Key.Key_N, ALT)
    wait_focus(c, "planMonthly")
    keys(c, "7.00")  # eight instalments: the table scrolls after six
    keys(c, "2027-01-10")
    press(c, Key.Key_Space)
    press(c, Key.Key_Return)
    keys(c, "lee")
    keys(c, "1111")
    schedule = c.find(QTableWidget, "planSchedule")
    c.qtbot.waitUntil(lambda: schedule.isVisible() and schedule.rowCount() > 0)
    shot(c, out, "13-plan-schedule", open_dialog("planDialog"))
    press(c, Key.Key_Return)
    assert c.desk.lookup("PC-1002").status == "plan"
