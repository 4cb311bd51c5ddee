"""An app closed leaves nothing open: a process that opens one data folder after another (the
tests, a supervisor's scripts) must not run out of file descriptors — past 1,024 the serial
devices' select() fails ("filedescriptor out of range"), which the fresh-clone CI caught."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from cashier_desk.app import LOG_NAME, open_app
from tests.doubles import CountingDrawer, MemoryPrinter


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_closing_an_app_closes_its_log_file(template_dir: Path, tmp_path: Path) -> None:
    before = _open_fds()
    for n in range(12):
        folder = tmp_path / f"data{n}"
        shutil.copytree(template_dir, folder)
        app = open_app(folder, "W1", printer=MemoryPrinter(), cash_drawer=CountingDrawer())
        logging.getLogger("cashier_desk.test").warning("app %d opened", n)
        app.close()
        assert (folder / LOG_NAME).read_text(encoding="utf-8").count(f"app {n} opened") == 1
    assert _open_fds() <= before + 1  # not one file per app
    names = [getattr(h, "baseFilename", "") for h in logging.getLogger().handlers]
    assert not any(name.endswith(LOG_NAME) and str(tmp_path) in name for name in names)


def test_two_apps_on_one_folder_keep_logging_until_the_last_closes(
    template_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(template_dir, folder)
    first = open_app(folder, "W1", printer=MemoryPrinter(), cash_drawer=CountingDrawer())
    second = open_app(folder, "W1", printer=MemoryPrinter(), cash_drawer=CountingDrawer())
    first.close()
    logging.getLogger("cashier_desk.test").warning("still logged")
    second.close()
    assert "still logged" in (folder / LOG_NAME).read_text(encoding="utf-8")
