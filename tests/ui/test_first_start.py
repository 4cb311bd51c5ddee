"""A first start that cannot dead-end: no display said in one line (exit 2, no data dir made),
a config error in a dialog, the demo city offered only for an empty data dir and No unless the
person says Yes, and SIGTERM ending the window cleanly (a real process, a real signal)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk import cli
from cashier_desk.app import App, open_app
from cashier_desk.ledger.schema import print_jobs
from cashier_desk.ui import display
from cashier_desk.ui.app import ask_demo_city, offer_demo
from cashier_desk.ui.qt import QMessageBox
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import FakeClock, run_ok
from tests.ui.steps import when_modal


def _window(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cashier_desk.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _env(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "CASHIER_DESK_HOME"):
        env.pop(key, None)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


# -- no display ----------------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux's")
@pytest.mark.parametrize("platform", ["xcb", None], ids=["xcb", "default"])
def test_no_display_says_so_in_one_line_exits_2_and_makes_no_data_dir(
    tmp_path: Path, platform: str | None
) -> None:
    data = tmp_path / "never-made"
    proc = _window(["--data-dir", str(data)], _env(QT_QPA_PLATFORM=platform))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cashier-desk: cannot open the window: no display")
    assert "DISPLAY is not set" in lines[0] and "README" in lines[0]
    assert not data.exists()
    # the system libraries Qt's xcb plugin lacks here (asked of the loader apart) are named
    plugin = display.platform_plugin("xcb")
    assert plugin is not None
    ldd = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False)
    for lib in re.findall(r"(\S+) => not found", ldd.stdout):
        assert lib in lines[0]
        assert display.XCB_PACKAGES.get(lib, lib) in lines[0]  # and its package, when known


def test_the_missing_libraries_are_named_with_their_packages(monkeypatch: Any) -> None:
    monkeypatch.setattr(display, "missing_libraries", lambda _p: ["libxcb-icccm.so.4"])
    problem = display.display_problem({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"})
    assert problem is not None and "\n" not in problem
    assert "libxcb-icccm.so.4" in problem and "apt install libxcb-icccm4" in problem
    assert "DISPLAY" not in problem  # a display is set: only the libraries are missing
    assert display.display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_the_readme_lists_the_packages_of_qts_xcb_plugin() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for package in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"):
        assert package in readme


# -- a config error in a dialog ------------------------------------------------------------------


def _answer_dialog(name: str, seen: list[QMessageBox], button: Any) -> None:
    """When the modal dialog ``name`` is up, note it and press ``button`` (or Enter)."""

    def answer(box: Any) -> bool:
        if not (isinstance(box, QMessageBox) and box.objectName() == name):
            return False
        seen.append(box)
        if button is None:
            box.defaultButton().click()
        else:
            box.button(button).click()
        return True

    when_modal(answer)


def test_a_config_error_shows_in_a_dialog_as_well_as_on_stderr(
    tmp_path: Path, qapp: Any, capsys: Any
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text("[policy]\nidle_lock_minutes = 0\n", encoding="utf-8")
    seen: list[QMessageBox] = []
    _answer_dialog("startError", seen, QMessageBox.StandardButton.Close)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        assert cli.main(["--data-dir", str(data)]) == 1
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)  # the window's start notes them: give them back
    assert len(seen) == 1
    assert "idle_lock_minutes" in seen[0].text()
    assert "idle_lock_minutes" in capsys.readouterr().err
    assert not (data / "ledger.db").exists()


# -- the demo city: an empty data dir only, No by default ------------------------------------


def _app(path: Path) -> App:
    return open_app(
        path, "W1", clock=FakeClock(), printer=MemoryPrinter(), cash_drawer=CountingDrawer()
    )


def test_the_demo_city_is_offered_for_an_empty_data_dir_only(
    tmp_path: Path, template_dir: Path
) -> None:
    asked: list[bool] = []

    def yes() -> bool:
        asked.append(True)
        return True

    shutil.copytree(template_dir, tmp_path / "city")
    city = _app(tmp_path / "city")  # people and reference data: a real counter's ledger
    try:
        assert not offer_demo(city, yes) and asked == []
    finally:
        city.close()
    new = _app(tmp_path / "new")
    try:
        assert offer_demo(new, yes) and asked == [True]
        assert new.desk.has_users()
        assert not offer_demo(new, yes) and asked == [True]  # no longer empty
    finally:
        new.close()


def test_the_demo_offer_defaults_to_no(qapp: Any) -> None:
    seen: list[QMessageBox] = []
    _answer_dialog("demoOffer", seen, None)  # Enter: the default button
    assert ask_demo_city() is False
    assert seen and seen[0].defaultButton() is seen[0].button(QMessageBox.StandardButton.No)


# -- SIGTERM ------------------------------------------------------------------------------------


def _sigterm_once(proc: subprocess.Popen[str], ready: Callable[[], bool]) -> str:
    """Wait (a minute at most) until ``ready()``, send SIGTERM, and return the standard error
    of the process once it ended by itself (killed, and the test failed, if it does not)."""
    try:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        assert ready(), "the window never got there"
        proc.send_signal(signal.SIGTERM)
        return proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _up_and_printed(data: Path) -> bool:
    """The window says it is open, and it printed the receipt that waited."""
    log = (data / "cashier-desk.log").read_text(encoding="utf-8")
    engine = sa.create_engine(f"sqlite:///{data / 'ledger.db'}")
    try:
        with engine.connect() as conn:
            printed = conn.execute(
                sa.select(sa.func.count()).where(print_jobs.c.printed_at.is_not(None))
            ).scalar()
    finally:
        engine.dispose()
    return "the window is open" in log and printed == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_ends_the_window_cleanly_and_the_paper_roll_is_written(
    tmp_path: Path, template_dir: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(template_dir, data)
    printer = MemoryPrinter()
    printer.online = False  # the receipt waits: the window's printer prints it when it starts
    app = open_app(data, "W1", printer=printer, cash_drawer=CountingDrawer())
    try:
        run_ok(
            app,
            {"op": "login", "user": "amy", "pin": "4821"},
            {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
            {"op": "sale", "items": [{"code": "DOG-LIC"}],
             "tenders": [{"type": "cash", "amount": "20.00"}]},
        )  # fmt: skip
    finally:
        app.close()
    proc = _window(["--data-dir", str(data)], _env(QT_QPA_PLATFORM="offscreen"))
    err = _sigterm_once(proc, lambda: _up_and_printed(data))
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    paper = (data / "sim" / "printer.txt").read_text(encoding="utf-8")
    assert "W1-000001" in paper


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_while_the_demo_city_is_offered_ends_at_once_and_loads_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "new"
    log = data / "cashier-desk.log"

    def offered() -> bool:
        return log.exists() and "the demo city is offered" in log.read_text(encoding="utf-8")

    proc = _window(["--data-dir", str(data)], _env(QT_QPA_PLATFORM="offscreen"))
    err = _sigterm_once(proc, offered)
    assert proc.returncode == 0, err
    assert "the window is open" not in log.read_text(encoding="utf-8")
    app = open_app(data, "W1", printer=MemoryPrinter(), cash_drawer=CountingDrawer())
    try:
        assert app.is_empty()
    finally:
        app.close()
