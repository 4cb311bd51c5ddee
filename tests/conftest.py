"""Shared fixtures: a migrated ledger with the demo city loaded, copied fresh for each test."""

from __future__ import annotations

import gc
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cashier_desk import demo
from cashier_desk.app import App, open_app
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import FakeClock

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The window's collector never makes a full collection in the test session (it collects
# everything itself between tests): a full one of the session's heap, fired by the window's
# timer during a timing test, held the event loop 536 ms (tests/ui/test_watchdog.py).
os.environ.setdefault("CASHIER_DESK_FULL_COLLECT_TICKS", "0")
# argon2 at its lowest cost: every test that hashes or checks a PIN (and every command-line run
# a test starts, which inherits this) would otherwise spend about 100 ms on each.
os.environ.setdefault("CASHIER_DESK_ARGON2_COST", "1,8")


@pytest.fixture(autouse=True, scope="session")
def _cycles_collected_on_the_main_thread_only() -> Iterator[None]:
    """As the window does (cashier_desk/ui/collector.py): a widget left in a reference cycle
    by one test must never be freed by the collector on a later test's spooler or device
    thread, where Qt deadlocks. Automatic collection is off; each test ends with a collection
    on this (the GUI) thread."""
    gc.disable()
    yield
    gc.enable()


_tests_run = [0]
_exit_status = [0]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status[0] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """After everything is reported: a run that loaded Qt ends without the interpreter's last
    clean-up, as ``cashier-desk`` does (cli.entry): PySide6 6.12 gives up a reference to
    ``True`` as the interpreter tears its modules down, which aborts the process (exit -6)
    after every test passed. The exit status stays pytest's own."""
    if "PySide6.QtCore" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[0])


@pytest.fixture(autouse=True)
def _collect_after_each_test(_cycles_collected_on_the_main_thread_only: None) -> Iterator[None]:
    """The young generations after every test (cheap); everything every 25th test (a full
    collection of a long session's objects takes a good part of a second)."""
    yield
    _tests_run[0] += 1
    gc.collect(2 if _tests_run[0] % 25 == 0 else 1)


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the schema migrated and the demo reference data imported."""
    path = tmp_path_factory.mktemp("template")
    app = open_app(path, "W1", printer=MemoryPrinter(), cash_drawer=CountingDrawer())
    demo.load_reference_data(app.desk)
    app.close()
    return path


@pytest.fixture
def make_app(template_dir: Path, tmp_path: Path) -> Iterator[Callable[..., App]]:
    opened: list[App] = []

    def make(name: str = "data", workstation: str = "W1", clock: Any = None) -> App:
        target = tmp_path / name
        if not target.exists():
            shutil.copytree(template_dir, target)
        app = open_app(
            target,
            workstation,
            clock=clock or FakeClock(),
            printer=MemoryPrinter(),
            cash_drawer=CountingDrawer(),
        )
        opened.append(app)
        return app

    yield make
    for app in opened:
        app.close()


@pytest.fixture
def app(make_app: Callable[..., App]) -> App:
    return make_app()
