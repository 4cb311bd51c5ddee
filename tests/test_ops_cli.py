"""`cashier-desk --version` and the log file's rotation (operations.md "Health")."""

from __future__ import annotations

import logging
import logging.handlers
import subprocess
import sys
from pathlib import Path

from cashier_desk import __version__
from cashier_desk import app as app_module


def test_version_prints_the_installed_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"cashier-desk {__version__}"


def test_the_log_file_rotates_by_size_keeping_a_few(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    app_module._log_to(tmp_path / "cashier-desk.log")
    added = [h for h in root.handlers if h not in before]
    try:
        assert len(added) == 1 and isinstance(added[0], logging.handlers.RotatingFileHandler)
        handler = added[0]
        handler.maxBytes = 2000  # the real size (LOG_BYTES) would take long to fill
        log = logging.getLogger("cashier_desk.test_rotation")
        for i in range(400):
            log.warning("line %d %s", i, "x" * 60)
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == ["cashier-desk.log"] + [
            f"cashier-desk.log.{n}" for n in range(1, app_module.LOG_KEEP + 1)
        ]
        assert all(p.stat().st_size <= 2200 for p in tmp_path.iterdir())
        assert app_module.LOG_BYTES == 5 * 1024 * 1024 and app_module.LOG_KEEP == 4
    finally:
        for h in added:
            root.removeHandler(h)
            h.close()
