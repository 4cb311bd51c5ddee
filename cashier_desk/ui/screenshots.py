"""``cashier-desk screenshots OUTDIR``: each main screen, rendered offscreen with the demo city.

A fresh data folder gets the demo data and a short day is played through the screens the way a
cashier would (keys typed into the same widgets), pausing to save a PNG of each: login, open
drawer, a sale with lines, change due, the void approval, the blind close, the over/short
result, the closeout, a printer fault alert and receipt research.  The README shows them.

The window is as big as a common counter screen, 1366×768 at 100% scaling; each screen is
checked to show everything whole at that size (``ui/fit.py``), and the tests play the same day
on a 1280×1024 screen too.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cashier_desk import demo
from cashier_desk.app import open_app
from cashier_desk.ui.app import Window, build_window, qt_app
from cashier_desk.ui.fit import clipped
from cashier_desk.ui.qt import (
    QApplication,
    QDialog,
    QEvent,
    QKeyEvent,
    QLineEdit,
    QSize,
    Qt,
    QWidget,
)

#: The screen the pictures are taken on: the most common counter screen.
SCREEN = (1366, 768)

SHOTS = (
    "01-login",
    "02-open-drawer",
    "03-sale-lines",
    "04-change-due",
    "05-void-approval",
    "06-blind-close",
    "07-over-short",
    "08-closeout",
    "09-printer-fault",
    "10-receipt-search",
)


class Player:
    def __init__(self, win: Window, out: Path, screen: tuple[int, int]) -> None:
        self.win = win
        self.window = win.window
        self.out = out
        self.screen = QSize(*screen)
        self.saved: list[Path] = []
        self.clipped: list[str] = []
        self.needed = QSize(0, 0)  # the most any screen of the day needed (its minimum size)

    def settle(self, condition: Callable[[], bool] | None = None, timeout: float = 15) -> None:
        """Let the window catch up: Desk calls back, signals delivered, repainted."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            QApplication.processEvents()
            idle = self.win.ctx.runner.running == 0
            if idle and (condition is None or condition()):
                break
            time.sleep(0.01)
        for _ in range(5):
            QApplication.processEvents()

    def field(self, name: str) -> QLineEdit:
        widget = self.window.findChild(QLineEdit, name)
        if widget is None:
            raise LookupError(f"the window has no field {name!r}")
        return widget

    def dialog(self, name: str) -> QDialog:
        """The dialog ``name`` once it is open (a window system may take a moment to map it)."""

        def open_dialog() -> QDialog | None:
            dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog)]
            return next((d for d in dialogs if d.isVisible() and d.objectName() == name), None)

        self.settle(lambda: open_dialog() is not None, timeout=5)
        found = open_dialog() or self.window.findChild(QDialog, name)
        if found is None:
            raise LookupError(f"no dialog {name!r} is open")
        return found

    @staticmethod
    def child(dialog: QWidget, name: str) -> QLineEdit:
        widget = dialog.findChild(QLineEdit, name)
        if widget is None:
            raise LookupError(f"the dialog has no field {name!r}")
        return widget

    def type(self, widget: QWidget, text: str, enter: bool = True) -> None:
        widget.setFocus()
        if isinstance(widget, QLineEdit):
            widget.selectAll()
        for ch in text:
            press(widget, Qt.Key(ord(ch.upper())), text=ch)
            time.sleep(0.04)  # a person's pace: the wedge detector must not take it for a scan
        if enter:
            press(widget, Qt.Key.Key_Return)
        self.settle()

    def key(self, key: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
        target = QApplication.focusWidget() or self.window
        press(target, key, modifier)
        self.settle()

    def shot(self, name: str, widget: QWidget | None = None) -> None:
        self.settle()
        self.needed = self.needed.expandedTo(self.window.minimumSizeHint())
        for seen in (self.window, widget):
            if seen is not None:
                self.clipped += [f"{name}: {what}" for what in clipped(seen, self.screen)]
        path = self.out / f"{name}.png"
        (widget or self.window).grab().save(str(path))
        self.saved.append(path)


def press(
    widget: QWidget,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    text: str = "",
) -> None:
    """A key pressed and released on ``widget``, as the keyboard would send it (the program
    needs no test library to play its own screens)."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, modifier, text))
    QApplication.processEvents()


def take_screenshots(out: Path) -> list[Path]:
    """Play the demo day and save the screens into ``out``; returns the files written."""
    return play_screens(out).saved


def play_screens(out: Path, screen: tuple[int, int] = SCREEN) -> Player:
    """Play the demo day on a window the size of ``screen``, saving each screen into ``out``;
    the player returned holds the files written and what did not show whole (``clipped``)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out.mkdir(parents=True, exist_ok=True)
    qt_app()
    with tempfile.TemporaryDirectory(prefix="cashier-desk-shots-") as tmp:
        data = Path(tmp)
        (data / "config.toml").write_text(
            '[station]\ncity = "City of Springfield - Revenue Counter"\n'
            '[devices]\ndisplay = "sim"\n',
            encoding="utf-8",
        )
        app = open_app(data, "W1", peripherals=True)
        demo.load_reference_data(app.desk)
        win = build_window(app)
        win.window.show()
        win.window.resize(*screen)
        p = Player(win, out, screen)
        try:
            _play(p, app)
        finally:
            win.close()
            app.close()
    return p


def _play(p: Player, app: Any) -> None:
    w = p.window
    p.settle()
    p.field("loginUser").setText("amy")
    p.field("loginPin").setFocus()
    p.shot("01-login")
    p.type(p.field("loginPin"), "4821")
    p.settle(lambda: w.current_screen().name == "open_drawer")
    for cents, count in ((2000, "5"), (1000, "5"), (500, "6"), (100, "20"), (25, "40")):
        p.type(p.field(f"openCount_{cents}"), count)
    p.shot("02-open-drawer")
    p.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    p.settle(lambda: w.current_screen().name == "sale")
    sale: Any = w.screens["sale"]
    for code in ("UB-100234", "DOG-LIC", "COPIES*12"):
        p.type(sale.input, code)
    p.settle(lambda: sale.table.rowCount() == 3)
    p.shot("03-sale-lines")
    p.key(Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)  # cash: the next $100
    p.key(Qt.Key.Key_F10)
    p.settle(lambda: bool(app.desk.receipts()))
    p.shot("04-change-due")
    p.key(Qt.Key.Key_Return)  # next customer: a licence paid exact (F9), then voided
    p.type(sale.input, "DOG-LIC")
    p.key(Qt.Key.Key_F9)
    p.key(Qt.Key.Key_F10)
    p.settle(lambda: len(app.desk.receipts()) == 2)
    w.trigger("void")
    p.settle()
    p.type(p.field("voidReceipt"), "")
    approver = p.dialog("approverDialog")
    p.child(approver, "approverLogin").setText("lee")
    p.child(approver, "approverPin").setText("1111")
    p.child(approver, "approverReason").setText("rang up the wrong licence")
    p.shot("05-void-approval", approver)
    press(p.child(approver, "approverReason"), Qt.Key.Key_Return)
    p.settle(lambda: any(r.voided for r in app.desk.receipts()))
    w.trigger("close_drawer")
    p.settle(lambda: w.current_screen().name == "close_drawer")
    for cents, count in ((2000, "10"), (1000, "5"), (500, "6"), (100, "20"), (25, "40")):
        p.type(p.field(f"closeCount_{cents}"), count)
    p.shot("06-blind-close")
    p.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    p.settle(lambda: not app.desk.current_session())
    p.shot("07-over-short")
    waiting = [s for s in app.desk.day_sessions() if s.state == "awaiting_approval"]
    if waiting:
        app.desk.approve_close(waiting[0].id, "lee", "1111", "recounted with the cashier")
    app.desk.logout()
    w.refresh_role()
    login: Any = w.screens["login"]
    login.lock_for(None)
    w.show_screen("login")
    p.type(p.field("loginUser"), "pat")
    p.type(p.field("loginPin"), "2222")
    p.settle(lambda: w.current_screen().name == "closeout")
    p.key(Qt.Key.Key_F10)
    closing = p.dialog("approverDialog")
    p.type(p.child(closing, "approverPin"), "2222")
    p.settle(lambda: any(s.state == "batched" for s in app.desk.day_sessions()))
    p.shot("08-closeout")
    if app.devices is not None and app.devices.printer_sim is not None:
        app.devices.printer_sim.set_paper_out(True)
        p.settle(lambda: "paper" in w.banner.text(), timeout=10)
    p.shot("09-printer-fault")
    if app.devices is not None and app.devices.printer_sim is not None:
        app.devices.printer_sim.set_paper_out(False)
    w.trigger("receipts")
    p.settle(lambda: w.current_screen().name == "receipts")
    p.field("searchNumber").clear()
    p.type(p.field("searchPayer"), "oyel")  # found by the payer the sale screen recorded
    p.key(Qt.Key.Key_Return)  # the receipt as printed, beside the results
    p.shot("10-receipt-search")
