"""`cashier-desk devices list` and `devices test`, against the simulators and absent devices."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template_dir, target)
    return target


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), "devices", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _rows(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_list_shows_the_simulated_devices_online(data_dir: Path) -> None:
    done = _cli(data_dir, "list")
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    by_device = {r["device"]: r for r in rows if "device" in r}
    assert by_device["printer"]["status"] == "online"
    assert by_device["printer"]["detail"] == "ready"
    assert by_device["drawer"]["status"] == "online"
    assert by_device["scanner"]["status"] == "online"
    assert by_device["display"]["status"] == "none"
    assert isinstance(rows[-1]["serial_ports"], list)


def test_test_prints_a_page_pulses_the_drawer_and_reads_a_scan(data_dir: Path) -> None:
    done = _cli(data_dir, "test", "--scan-wait", "5")
    assert done.returncode == 0, done.stderr
    results = {r["check"]: r for r in _rows(done.stdout)}
    assert results["test page"]["ok"] and results["drawer"]["ok"]
    assert results["scan"] == {"check": "scan", "ok": True, "message": "scanned TEST-SCAN-0001"}
    roll = (data_dir / "sim" / "printer.txt").read_text()
    assert "PRINTER TEST" in roll


def test_absent_devices_are_reported_plainly(data_dir: Path) -> None:
    (data_dir / "config.toml").write_text(
        "[devices]\n"
        'printer = "escpos+serial:///dev/ttyNOPE0?baudrate=19200"\n'
        'drawer = "drawer+serial:///dev/ttyNOPE1"\n'
        'scanner = "scanner+serial:///dev/ttyNOPE2"\n'
    )
    listed = _cli(data_dir, "list")
    assert listed.returncode == 0, listed.stderr
    rows = {r["device"]: r for r in _rows(listed.stdout) if "device" in r}
    assert rows["printer"]["status"] == "offline"
    assert "there is no port /dev/ttyNOPE0 (is it plugged in?)" in str(rows["printer"]["detail"])
    assert "/dev/ttyNOPE2" in str(rows["scanner"]["detail"])
    tested = _cli(data_dir, "test", "--scan-wait", "0.5")
    assert tested.returncode == 1
    assert "test page: not printed: not connected" in tested.stderr
    assert "drawer: could not be reached" in tested.stderr
    assert "Traceback" not in tested.stderr


def test_a_bad_printer_setting_is_a_clear_config_error(data_dir: Path) -> None:
    (data_dir / "config.toml").write_text('[devices]\nprinter = "laser://x"\n')
    done = _cli(data_dir, "list")
    assert done.returncode == 1
    assert "[devices] printer" in done.stderr and "Traceback" not in done.stderr
