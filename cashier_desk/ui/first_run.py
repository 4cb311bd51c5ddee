"""The first-run setup of a new counter, in the window: the station and city, the devices (with
the serial ports this machine has, and a test print), and the central database — written to
``config.toml`` instead of editing it by hand (operations.md, Installer: "First run").

Keyboard-first: Enter goes on (Next, then Finish), Alt+B goes back, Esc leaves the setup (the
counter then starts on the default settings and asks again next time, the folder still new).
Each page checks its answers as config.toml would and says what is wrong on the page.  The
first admin is made next, in the window's first-admin screen.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from cashier_desk import first_run
from cashier_desk.config import ConfigError
from cashier_desk.first_run import Setup
from cashier_desk.ui.qt import (
    QApplication,
    QComboBox,
    QFormLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

log = logging.getLogger(__name__)


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _problem_label(name: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet("color: #a40000; font-weight: bold;")
    return label


def _line(name: str, label: str, text: str = "", placeholder: str = "") -> QLineEdit:
    field = QLineEdit(text)
    field.setObjectName(name)
    field.setAccessibleName(label)
    field.setPlaceholderText(placeholder)
    return field


def _choice(name: str, label: str, options: list[str], current: str) -> QComboBox:
    """An editable list: the usual settings and this machine's serial ports, or a typed URL."""
    box = QComboBox()
    box.setObjectName(name)
    box.setAccessibleName(label)
    box.setEditable(True)
    box.addItems(options)
    box.setCurrentText(current)
    return box


class _Page(QWizardPage):
    """A page whose answers are checked as config.toml would check them before it is left."""

    def __init__(self, wizard: SetupWizard, title: str, intro: str) -> None:
        super().__init__()
        self.setup_wizard = wizard
        self.setTitle(title)
        self.form = QFormLayout()
        self.problem = _problem_label(f"{type(self).__name__}Problem")
        layout = QVBoxLayout(self)
        layout.addWidget(_note(intro))
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def validatePage(self) -> bool:  # Qt's name
        try:
            first_run.config_text(self.setup_wizard.answers())
        except ConfigError as exc:
            self.problem.setText(str(exc))
            log.info("first-run setup: %s", exc)
            return False
        self.problem.setText("")
        return True


class StationPage(_Page):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(
            wizard,
            "This counter",
            "The station id starts every receipt number of this counter (W1, W2, … — each "
            "counter of the city its own). The city's name and address print on every receipt.",
        )
        self.station = _line("setupStation", "Station id", "W1")
        self.city = _line("setupCity", "City", placeholder="City of Springfield")
        self.address = _line("setupAddress", "Address", placeholder="100 Main Street")
        self.timezone = _line("setupTimezone", "Time zone", placeholder="the machine's own")
        self.form.addRow("&Station id", self.station)
        self.form.addRow("&City", self.city)
        self.form.addRow("&Address", self.address)
        self.form.addRow("&Time zone", self.timezone)


class DevicesPage(_Page):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(
            wizard,
            "Printer, drawer, scanner and display",
            "Pick each device's setting, or type it (escpos+tcp://HOST:9100 for a network "
            "printer). 'sim' is the built-in simulator: try the counter without hardware. "
            "Test print (F5) prints a test page and opens the drawer.",
        )
        ports = first_run.serial_port_settings()
        d = Setup()
        self.printer = _choice("setupPrinter", "Printer",
                               [*first_run.PRINTERS, *ports["printer"]], d.printer)  # fmt: skip
        self.drawer = _choice("setupDrawer", "Drawer",
                              [*first_run.DRAWERS, *ports["drawer"]], d.drawer)  # fmt: skip
        self.scanner = _choice("setupScanner", "Scanner",
                               [*first_run.SCANNERS, *ports["scanner"]], d.scanner)  # fmt: skip
        self.display = _choice("setupDisplay", "Display",
                               [*first_run.DISPLAYS, *ports["display"]], d.display)  # fmt: skip
        self.columns = QComboBox()
        self.columns.setObjectName("setupColumns")
        self.columns.setAccessibleName("Receipt width")
        self.columns.addItems(["42", "48"])
        self.form.addRow("&Printer", self.printer)
        self.form.addRow("D&rawer", self.drawer)
        self.form.addRow("Scanne&r", self.scanner)
        self.form.addRow("Displa&y", self.display)
        self.form.addRow("Receipt &width (columns)", self.columns)
        self.test_button = QPushButton("Test print (F5)")
        self.test_button.setObjectName("setupTestPrint")
        self.test_button.clicked.connect(self.test_print)
        self.result = QLabel("")
        self.result.setObjectName("setupTestResult")
        self.result.setWordWrap(True)
        self.form.addRow(self.test_button, self.result)
        QShortcut(QKeySequence("F5"), self).activated.connect(self.test_print)

    def test_print(self) -> None:
        try:
            first_run.config_text(self.setup_wizard.answers())
        except ConfigError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.setText("")
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            wizard = self.setup_wizard
            results = first_run.print_test_page(wizard.answers(), wizard.data_dir)
        except (ConfigError, OSError) as exc:
            results = [{"check": "test page", "ok": False, "message": str(exc)}]
        finally:
            QApplication.restoreOverrideCursor()
        self.result.setText("; ".join(f"{r['check']}: {r['message']}" for r in results))
        log.info("first-run setup: test print %s", results)


class CentralPage(_Page):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(
            wizard,
            "The city's central database",
            "Where closed batches go: the URL the city's administrator gave for this counter "
            "(postgresql+psycopg://ROLE:PASSWORD@HOST/DATABASE, from `cashier-desk central "
            "workstation add`). Leave it empty to keep batches on this machine only "
            "(central.db in the data folder). Finish writes config.toml; the first admin is "
            "made next.",
        )
        self.url = _line("setupCentral", "Central URL", placeholder="this machine only")
        self.form.addRow("Central &URL", self.url)


class SetupWizard(QWizard):
    """The setup; ``answers()`` is what it holds, ``exec()`` true when the person finished."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.setObjectName("firstRunSetup")
        self.setWindowTitle("cashier_desk — set up this counter")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.station_page = StationPage(self)
        self.devices_page = DevicesPage(self)
        self.central_page = CentralPage(self)
        for page in (self.station_page, self.devices_page, self.central_page):
            self.addPage(page)
        self.resize(760, 520)

    def answers(self) -> Setup:
        s, d, c = self.station_page, self.devices_page, self.central_page
        return dataclasses.replace(
            Setup(),
            station=s.station.text().strip() or "W1",
            city=s.city.text(),
            address=s.address.text(),
            timezone=s.timezone.text(),
            printer=d.printer.currentText().strip(),
            drawer=d.drawer.currentText().strip(),
            scanner=d.scanner.currentText().strip(),
            display=d.display.currentText().strip(),
            columns=int(d.columns.currentText()),
            central_url=c.url.text(),
        )


def run_setup(data_dir: Path) -> bool:
    """Show the setup; on Finish write config.toml.  Whether it was written."""
    wizard = SetupWizard(data_dir)
    log.info("the first-run setup is shown")
    if wizard.exec() != QWizard.DialogCode.Accepted:
        log.info("the first-run setup was left; the default settings stay")
        return False
    config = first_run.write_config(data_dir, wizard.answers())
    log.info("the first-run setup wrote config.toml (station %s)", config.workstation)
    return True
