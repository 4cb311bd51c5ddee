"""The first-run setup of a new counter (operations.md, Installer: "First run"): station, city,
devices with a test print, and central, written to config.toml through the keyboard; a value
config.toml would refuse is said on its page and nothing is written; a folder already in use
or a config.toml someone edited is never set up again; after the setup the counter opens on
the new settings, at the first admin."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from cashier_desk import first_run
from cashier_desk.app import App, open_app
from cashier_desk.config import DEFAULT_TEXT, EARLIER_DEFAULT_TEXTS, ConfigError, parse_config
from cashier_desk.first_run import Setup
from cashier_desk.ui.app import build_window, first_run_setup
from cashier_desk.ui.first_run import SetupWizard
from cashier_desk.ui.qt import QApplication, Qt, QWizard
from tests.ui.steps import when_modal


def _type(qtbot: Any, text: str) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    widget.selectAll() if hasattr(widget, "selectAll") else None
    qtbot.keyClicks(widget, text)


def _key(qtbot: Any, key: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key, modifier)
    QApplication.processEvents()


def _tab_to(qtbot: Any, name: str) -> None:
    for _ in range(12):
        widget = QApplication.focusWidget()
        if widget is not None and widget.objectName() == name:
            return
        _key(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {name}")


def _drive(qtbot: Any, wizard: SetupWizard, paper: Path) -> None:
    """The whole setup through the keyboard: station W7 of the City of Oakdale, a test print
    on the simulated printer, 48 columns, a central URL, Finish."""
    assert wizard.currentPage() is wizard.station_page
    _type(qtbot, "W7")
    _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "City of Oakdale")
    _key(qtbot, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.devices_page
    _key(qtbot, Qt.Key.Key_F5)
    assert wizard.devices_page.result.text() == "test page: printed; drawer: pulsed open"
    assert "City of Oakdale" in paper.read_text(encoding="utf-8")
    _tab_to(qtbot, "setupColumns")
    _key(qtbot, Qt.Key.Key_Down)
    assert wizard.devices_page.columns.currentText() == "48"
    _key(qtbot, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.central_page
    _type(qtbot, "sqlite:///central.db")
    _key(qtbot, Qt.Key.Key_Return)  # Finish


def test_the_setup_through_the_keyboard_writes_config_toml(qtbot: Any, tmp_path: Path) -> None:
    data = tmp_path / "new"
    wizard = SetupWizard(data)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    wizard.station_page.station.setFocus()
    done: list[int] = []
    wizard.finished.connect(done.append)
    _drive(qtbot, wizard, data / "sim" / "printer.txt")
    assert done == [QWizard.DialogCode.Accepted]
    config = first_run.write_config(data, wizard.answers())
    written = tomllib.loads((data / "config.toml").read_text(encoding="utf-8"))
    assert written["station"] == {"id": "W7", "city": "City of Oakdale"}
    assert written["devices"]["columns"] == 48 and written["devices"]["printer"] == "sim"
    assert written["central"] == {"url": "sqlite:///central.db"}
    assert (config.workstation, config.columns) == ("W7", 48)


def test_a_value_config_toml_would_refuse_is_said_on_its_page(qtbot: Any, tmp_path: Path) -> None:
    wizard = SetupWizard(tmp_path / "new")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    wizard.station_page.station.setFocus()
    _type(qtbot, "W 7")
    _key(qtbot, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.station_page  # not left
    assert "workstation id 'W 7'" in wizard.station_page.problem.text()
    wizard.station_page.station.setText("W7")
    wizard.station_page.city.setFocus()
    _key(qtbot, Qt.Key.Key_Return)
    assert "city" in wizard.station_page.problem.text()  # a receipt needs the city's name
    _type(qtbot, "Oakdale")
    _key(qtbot, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.devices_page
    wizard.devices_page.printer.setCurrentText("lp0")
    wizard.devices_page.printer.setFocus()
    _key(qtbot, Qt.Key.Key_F5)
    assert "[devices] printer = 'lp0'" in wizard.devices_page.problem.text()
    assert not (tmp_path / "new" / "config.toml").exists()


@pytest.mark.parametrize(
    ("setup", "named"),
    [
        (Setup(city=""), "[station] city"),
        (Setup(city="X", station="W-1"), "workstation id"),
        (Setup(city="X", timezone="Mars/Olympus"), "[station] timezone"),
        (Setup(city="X", scanner="usb"), "[devices] scanner"),
        (Setup(city="X", drawer="serial:///dev/ttyS0"), "[devices] drawer"),
        (Setup(city="X", central_url="central"), "[central] url"),
    ],
)
def test_each_refused_answer_names_its_key_and_writes_nothing(
    tmp_path: Path, setup: Setup, named: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        first_run.write_config(tmp_path, setup)
    assert named in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_the_written_file_keeps_the_defaults_comments_and_reads_back_exactly(
    tmp_path: Path,
) -> None:
    setup = Setup(station="W12", city='Town of "Quotes" \\ Back', address="1 Main St",
                  timezone="America/Denver", printer="escpos+tcp://10.0.0.5:9100",
                  drawer="printer", scanner="wedge", display="sim", columns=48,
                  central_url="postgresql+psycopg://ws12:pw@db/cashier")  # fmt: skip
    config = first_run.write_config(tmp_path, setup)
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert parse_config(text) == config
    assert (config.workstation, config.city, config.address, config.timezone) == (
        "W12", 'Town of "Quotes" \\ Back', "1 Main St", "America/Denver")  # fmt: skip
    assert (config.printer, config.scanner, config.display, config.columns) == (
        "escpos+tcp://10.0.0.5:9100", "wedge", "sim", 48)  # fmt: skip
    assert config.central_url == "postgresql+psycopg://ws12:pw@db/cashier"
    # Everything the setup does not ask stays as the default file says, comments and all.
    policy = DEFAULT_TEXT[DEFAULT_TEXT.index("[policy]") : DEFAULT_TEXT.index("[devices]")]
    assert policy in text and "# timezone" not in text and "# url" not in text
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary file left


def test_only_a_new_folder_with_an_untouched_config_is_set_up(tmp_path: Path) -> None:
    assert first_run.needs_setup(tmp_path, ledger_empty=True)  # no config.toml yet
    (tmp_path / "config.toml").write_text(DEFAULT_TEXT, encoding="utf-8")
    assert first_run.needs_setup(tmp_path, ledger_empty=True)
    assert not first_run.needs_setup(tmp_path, ledger_empty=False)  # a counter in use
    (tmp_path / "config.toml").write_text(EARLIER_DEFAULT_TEXTS[0], encoding="utf-8")
    assert first_run.needs_setup(tmp_path, ledger_empty=True)  # written by an earlier version
    (tmp_path / "config.toml").write_text(DEFAULT_TEXT + "\n# edited\n", encoding="utf-8")
    assert not first_run.needs_setup(tmp_path, ledger_empty=True)  # someone prepared it


def test_after_the_setup_the_counter_opens_on_it_at_the_first_admin(
    qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "new"
    app = open_app(data, peripherals=True)
    assert app.desk.workstation == "W1" and app.is_empty()

    def drive(box: Any) -> bool:
        if not isinstance(box, SetupWizard):
            return False
        box.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is box)
        box.station_page.station.setFocus()
        _drive(qtbot, box, data / "sim" / "printer.txt")
        return True

    when_modal(drive)
    opened: list[App] = []

    def reopen() -> App:
        opened.append(open_app(data, peripherals=True))
        return opened[-1]

    again = first_run_setup(app, reopen)
    try:
        assert opened == [again] and again is not app
        assert again.desk.workstation == "W7" and again.config.city == "City of Oakdale"
        assert again.config.columns == 48
        win = build_window(again)
        win.window.show()
        QApplication.processEvents()
        assert win.window.current_screen().name == "first_admin"
        win.close()
        # A second start of the same folder asks nothing: its config.toml is the setup's.
        assert first_run_setup(again, reopen) is again and len(opened) == 1
    finally:
        again.close()
        app.close()
