"""Start the window: Qt application, style sheet, the Desk's context, the screens.

``build_window`` is what the tests and ``cashier-desk screenshots`` use; ``run_gui`` is what
``cashier-desk`` with no command runs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from cashier_desk import demo
from cashier_desk.app import App
from cashier_desk.ui.bridge import DeskBridge
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
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)
from cashier_desk.ui.screens import Screen
from cashier_desk.ui.screens.closeout import CloseoutScreen
from cashier_desk.ui.screens.drawer import CloseDrawerScreen, OpenDrawerScreen
from cashier_desk.ui.screens.login import LoginScreen
from cashier_desk.ui.screens.receipts import ReceiptSearchScreen
from cashier_desk.ui.screens.sale import SaleScreen

STYLE = Path(__file__).resolve().parent.parent.parent / "resources" / "style.qss"
SCREENS: list[type[Screen]] = [
    LoginScreen,
    OpenDrawerScreen,
    SaleScreen,
    CloseDrawerScreen,
    CloseoutScreen,
    ReceiptSearchScreen,
]


def qt_app() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
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
        line = QFontMetrics(self.paper.font()).horizontalAdvance("0" * ctx.desk.printer.columns)
        bar = self.paper.verticalScrollBar().sizeHint().width()
        self.paper.setMinimumWidth(line + bar + 2 * self.paper.frameWidth() + 12)
        layout.addWidget(self.paper)
        ctx.bridge.printJob.connect(lambda _job, _ok: self.refresh())
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


def run_gui(app: App) -> int:
    qapp = qt_app()
    if app.new:
        answer = QMessageBox.question(
            None,
            "cashier_desk",
            "This is a new data folder. Load the demo city (revenue codes, people, open items)?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer == QMessageBox.StandardButton.Yes:
            demo.load_reference_data(app.desk)
    win = build_window(app)
    win.window.showMaximized()  # the counter's screen is the window's (1366×768 fits whole)
    try:
        return int(qapp.exec())
    finally:
        win.close()
