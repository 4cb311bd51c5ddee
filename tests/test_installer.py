"""The installer: ``python installer/build.py`` makes a self-contained application folder
whose program runs ``--version``, the demo day and the window offscreen, in an environment
with no Python on its path and nothing pointing at the checkout (issue 18, operations.md
"Installer").  Slow: about a minute and a half of PyInstaller on two cores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest

from tests.test_packaging import REPO, _clean_env

pytestmark = pytest.mark.slow


def _pyinstaller_or_skip() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail('CI=true but PyInstaller is missing: pip install -e ".[test]"')
        pytest.skip('PyInstaller is not installed (pip install -e ".[test]")')


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built program, ``dist/cashier-desk/cashier-desk`` in a temporary folder."""
    _pyinstaller_or_skip()
    out = tmp_path_factory.mktemp("installer")
    done = subprocess.run(
        [sys.executable, str(REPO / "installer" / "build.py"),
         "--dist", str(out / "dist"), "--work", str(out / "work")],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    built = Path(done.stdout.strip().splitlines()[-1])
    assert built == out / "dist" / "cashier-desk" / "cashier-desk" and built.is_file()
    return built


def _bare_env(tmp: Path) -> dict[str, str]:
    """A clean environment whose PATH holds no Python: the program must bring its own."""
    env = _clean_env(tmp)
    env["PATH"] = str(tmp / "nothing-here")
    return env


def test_the_built_folder_holds_what_the_program_reads_as_files(program: Path) -> None:
    inside = program.parent / "_internal"
    for path in (
        "cashier_desk/ledger/migrations/env.py",
        "cashier_desk/sync/migrations/env.py",
        "cashier_desk/resources/style.qss",
        "cashier_desk/resources/demo/revenue_codes.csv",
        "escpos/capabilities.json",
    ):
        assert (inside / path).is_file(), path
    ledger_versions = list((inside / "cashier_desk/ledger/migrations/versions").glob("0*.py"))
    central_versions = list((inside / "cashier_desk/sync/migrations/versions").glob("c0*.py"))
    source = REPO / "cashier_desk"
    assert len(ledger_versions) == len(list((source / "ledger/migrations/versions").glob("0*.py")))
    assert len(central_versions) == len(list((source / "sync/migrations/versions").glob("c0*.py")))
    assert list(inside.rglob("libqoffscreen.so")), "Qt's offscreen platform plugin is missing"


def test_the_built_program_runs_version_demo_and_the_window(program: Path, tmp_path: Path) -> None:
    env = _bare_env(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(program), *args], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip

    version = run("--version")
    assert version.returncode == 0, version.stderr
    assert metadata.version("cashier-desk") in version.stdout
    data = tmp_path / "counter"
    demo = run("--data-dir", str(data), "demo")
    assert demo.returncode == 0, demo.stderr[-3000:]
    closeout = json.loads(demo.stdout.splitlines()[-1])
    assert closeout["op"] == "closeout" and closeout["ok"] is True
    assert "Traceback" not in demo.stderr
    assert run("--data-dir", str(data), "audit", "verify").returncode == 0
    # The simulated devices speak over real sockets and pseudo-terminals: every URL handler
    # and protocol the program opens by name at run time must be inside the build.
    devices = run("--data-dir", str(data), "devices", "list")
    assert devices.returncode == 0, devices.stderr[-2000:]
    states = [json.loads(line) for line in devices.stdout.splitlines()]
    used = {d["device"]: d["status"] for d in states if "device" in d and d["setting"] != "none"}
    assert used and set(used.values()) == {"online"}, states
    shots = run("--data-dir", str(tmp_path / "shots-data"), "screenshots", str(tmp_path / "png"))
    assert shots.returncode == 0, (shots.stdout[-2000:], shots.stderr[-2000:])
    assert len(list((tmp_path / "png").glob("*.png"))) >= 10
    # The window itself, offscreen, on the demo day: up and still running after a few seconds.
    window = subprocess.Popen(
        [str(program), "--data-dir", str(data)], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(8)
        assert window.poll() is None, window.communicate()[1][-3000:]
    finally:
        window.terminate()
        _, err = window.communicate(timeout=30)
    assert "Traceback" not in err
