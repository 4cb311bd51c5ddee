"""Start the window: Qt application, style sheet, the Desk's context, the screens.

``build_window`` is what the tests and ``cashier-desk screenshots`` use; ``run_gui`` is what
``cashier-desk`` with no command runs: the offer of the demo city (an empty data folder only,
No unless the person says Yes), the window, and its end — Quit, the close button, or SIGTERM
(the person logged out, the devices closed by the caller).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cashier_desk import demo, resources
from cashier_desk.app import App
from cashier_desk.events import DocumentPrinted, PrintFinished
from cashier_desk.text import mask_card_numbers
from cashier_desk.ui import ledger_loss
from cashier_desk.ui.bridge import DeskBridge
from cashier_desk.ui.collector import collect_on_gui_thread
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.dialogs import install_dialogs
from cashier_desk.ui.main_window import MainWindow
from cashier_desk.ui.ops import DeskRunner
from cashier_desk.ui.qt import (
    QApplication,
    QFontMetrics,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QSocketNotifier,
    QSplitter,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from cashier_desk.ui.screens import Screen
from cashier_desk.ui.screens.closeout import CloseoutScreen
from cashier_desk.ui.screens.drawer import CloseDrawerScreen, OpenDrawerScreen
from cashier_desk.ui.screens.lazy import LazyScreen
from cashier_desk.ui.screens.login import LoginScreen
from cashier_desk.ui.screens.login_first import FirstAdminScreen
from cashier_desk.ui.screens.receipts import ReceiptSearchScreen
from cashier_desk.ui.screens.sale import SaleScreen

log = logging.getLogger(__name__)
STYLE = resources.path("style.qss")
#: The lead's Reports and Corrections are built (and their modules imported) on first use.
SCREENS: list[type[Screen] | LazyScreen] = [
    LoginScreen,
    FirstAdminScreen,
    OpenDrawerScreen,
    SaleScreen,
    CloseDrawerScreen,
    CloseoutScreen,
    ReceiptSearchScreen,
    LazyScreen("reports", "cashier_desk.ui.screens.reports", "ReportsScreen"),
    LazyScreen("corrections", "cashier_desk.ui.screens.corrections", "CorrectionsScreen"),
]


def qt_app() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    collect_on_gui_thread(app)
    if STYLE.exists() and not app.property("cashierDeskStyled"):
        app.setStyleSheet(STYLE.read_text(encoding="utf-8"))
        app.setProperty("cashierDeskStyled", True)
    return app


class PaperPanel(QWidget):
    """The simulated printer's paper, beside the counter (only with the printer simulator)."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("paperPanel")
        self.setAccessibleName("Simulated receipt printer paper")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(QLabel("Printer (simulated)"))
        self.paper = QPlainTextEdit()
        self.paper.setObjectName("printerPaper")
        self.paper.setReadOnly(True)
        self.paper.setAccessibleName("Printed receipts")
        self.paper.setStyleSheet("font-family: monospace; font-size: 13px;")
        self.paper.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.paper.ensurePolished()
        # as wide as a line of the roll, and not wider: the counter keeps the rest
        line = QFontMetrics(self.paper.font()).horizontalAdvance("0" * ctx.desk.receipt_columns())
        bar = self.paper.verticalScrollBar().sizeHint().width()
        self.paper.setMinimumWidth(line + bar + 2 * self.paper.frameWidth() + 12)
        layout.addWidget(self.paper)
        ctx.bridge.on(PrintFinished, lambda _event: self.refresh())
        ctx.bridge.on(DocumentPrinted, lambda _event: self.refresh())  # slips too
        self.refresh()

    def refresh(self) -> None:
        sim = self.ctx.devices.printer_sim if self.ctx.devices else None
        if sim is None:
            return
        receipts = sim.receipts[-5:]
        self.paper.setPlainText("\n".join(r.text + "\n" + "- " * 21 for r in receipts))
        bar = self.paper.verticalScrollBar()
        bar.setValue(bar.maximum())


@dataclass
class Window:
    ctx: UiContext
    window: MainWindow
    splitter: QSplitter | None = None

    def close(self) -> None:
        self.window.stop_timers()
        self.ctx.runner.wait()
        QApplication.processEvents()  # deliver what the worker finished before the widgets go
        self.ctx.bridge.detach()
        self.window.close()


def build_window(app: App, idle_lock_minutes: float | None = None) -> Window:
    bridge = DeskBridge(app.desk.events)
    ctx = UiContext(app.desk, app.config, DeskRunner(), bridge, app.devices)
    minutes = app.config.idle_lock_minutes if idle_lock_minutes is None else idle_lock_minutes
    window = MainWindow(ctx, SCREENS, idle_lock_minutes=minutes)
    install_dialogs(window, ctx)
    window.statusBar().setSizeGripEnabled(False)  # a counter window fills its screen
    window.resize(1280, 768)
    configured = {
        "printer": app.config.printer,
        "drawer": app.config.drawer,
        "scanner": app.config.scanner,
        "display": app.config.display,
    }
    for kind, setting in configured.items():
        if setting == "none":
            window.device_labels[kind].setText(f"{kind}: none")
        elif setting == "wedge":
            window.device_labels[kind].setText(f"{kind}: keyboard")
    if app.devices is not None:
        for device in app.devices.all():
            window.device_status(device.name, device.kind, device.status)
    if app.devices is not None and app.devices.printer_sim is not None:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        central = window.takeCentralWidget()
        if central is not None:
            splitter.addWidget(central)
        panel = PaperPanel(ctx)
        splitter.addWidget(panel)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        paper = panel.minimumSizeHint().width()
        splitter.setSizes([window.width() - paper, paper])
        window.setCentralWidget(splitter)
        return Window(ctx, window, splitter)
    return Window(ctx, window)


def ask_demo_city() -> bool:
    """Ask whether to load the demo city; No is the default (Enter, Esc)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "cashier_desk",
        "This data folder is empty. Load the demo city — made-up revenue codes, people and "
        "open items — to try the counter?\n\nSay No for a real counter: its first admin is "
        "made next, and the city's own data is imported.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    box.setObjectName("demoOffer")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    log.info("the demo city is offered")
    return box.exec() == QMessageBox.StandardButton.Yes


def offer_demo(app: App, ask: Callable[[], bool] = ask_demo_city) -> bool:
    """Offer the demo city for an empty data folder only (headless.md's "empty"); whether it
    was loaded."""
    if not app.is_empty() or not ask():
        return False
    demo.load_city(app.desk)
    return True


def show_start_error(message: str) -> None:
    """Why the window cannot start (a bad config.toml, a ledger it cannot use), in a dialog:
    the person who double-clicked the program sees no terminal."""
    qt_app()
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "cashier_desk cannot start",
        f"{mask_card_numbers(message)}\n\nFix it and start cashier_desk again.",
        QMessageBox.StandardButton.Close,
    )
    box.setObjectName("startError")
    undo = end_on_signals()
    try:
        box.exec()
    finally:
        undo()


_ENDS = (signal.SIGTERM, signal.SIGINT)
_asked_to_end: list[int] = []


def _note(signum: int, _frame: Any) -> None:
    _asked_to_end.append(signum)


def note_signals() -> None:
    """From the first moment of the window's start: SIGTERM and SIGINT are noted, not fatal,
    so the start finishes what it opened and the window then ends at once, cleanly."""
    for sig in _ENDS:
        signal.signal(sig, _note)


def end_on_signals() -> Callable[[], None]:
    """While Qt runs: SIGTERM (and Ctrl+C in a terminal) end every event loop at once — a
    question on screen, the window — woken through a socket the signal writes to.  Returns
    what undoes this."""
    qapp = QApplication.instance()
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def drain() -> None:
        with contextlib.suppress(OSError):
            reader.recv(64)

    def end(signum: int, frame: Any) -> None:
        _note(signum, frame)
        log.info("signal %d: the window ends", signum)
        if qapp is not None:
            qapp.exit(0)  # every loop ends; the close is not asked: the machine is going down

    notifier.activated.connect(drain)
    # A signal that came while no loop ran (between two) ends the next one as it starts.
    watch = QTimer()
    watch.timeout.connect(lambda: qapp.exit(0) if qapp is not None and _asked_to_end else None)
    watch.start(200)
    before_fd = signal.set_wakeup_fd(writer.fileno())
    before = {sig: signal.signal(sig, end) for sig in _ENDS}

    def undo() -> None:
        for sig, handler in before.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(before_fd)
        watch.stop()
        notifier.setEnabled(False)
        reader.close()
        writer.close()

    return undo


def first_run_setup(app: App, reopen: Callable[[], App] | None) -> App:
    """A new counter that said No to the demo city: the setup (station, devices, central)
    writes its config.toml, and the counter opens again on it.  The app to go on with."""
    from cashier_desk import first_run
    from cashier_desk.ui.first_run import run_setup

    if reopen is None or not first_run.needs_setup(app.data_dir, app.is_empty()):
        return app
    if not run_setup(app.data_dir) or _asked_to_end:
        return app
    app.close()  # its devices and ledger were opened on the default settings
    return reopen()


def run_gui(app: App, reopen: Callable[[], App] | None = None) -> int:
    """The window, after the start's questions (the demo city, then — for a real counter —
    the first-run setup, which opens the counter again through ``reopen``)."""
    qapp = qt_app()
    undo = end_on_signals()
    first = app
    try:
        if not _asked_to_end and not offer_demo(app):
            app = first_run_setup(app, reopen)
        if not _asked_to_end:
            ledger_loss.warn_if_damaged(app)
            ledger_loss.offer_acceptance(app)
        if _asked_to_end:
            return 0  # ended while it was starting
        win = build_window(app)
        win.window.showMaximized()  # the counter's screen is the window's (1366×768 fits whole)
        log.info("the window is open")
        try:
            return int(qapp.exec())
        finally:
            win.close()
            if app.desk.user is not None:  # ended by a signal: the person's session ends too
                try:
                    app.desk.logout()
                except Exception:
                    log.exception("logging out at the end failed")
    finally:
        undo()
        if app is not first:
            app.close()  # the one opened again after the setup (the caller closes the first)
