"""A wheel that runs, and imports without side effects.

The wheel is built and installed (not editable) into a fresh virtual environment, and the
installed ``cashier-desk`` runs the demo day and opens the window from a folder outside the
checkout: every file it reads at run time must be inside the package.  And importing every
module of the package creates no file or folder, changes no environment variable, configures
no logging and loads no python-escpos (whose import writes its profile cache): that happens
only when a device is opened.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
              ".hypothesis", "tests", "benchmarks", "docs")  # fmt: skip


_NOT_INHERITED = ("PYTHONPATH", "VIRTUAL_ENV", "CASHIER_DESK_HOME",
                  "ESCPOS_CAPABILITIES_PICKLE_DIR", "PYSIDE6_OPTION_PYTHON_ENUM")  # fmt: skip


def _clean_env(tmp: Path) -> dict[str, str]:
    """This process's environment with every folder a program could write to moved into
    ``tmp`` (each one empty), and nothing that points at the checkout."""
    env = {
        k: v for k, v in os.environ.items() if k not in _NOT_INHERITED and not k.startswith("XDG_")
    }
    for name in ("HOME", "TMPDIR", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
                 "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):  # fmt: skip
        folder = tmp / name.lower()
        folder.mkdir(mode=0o700)
        env[name] = str(folder)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


IMPORT_ALL = textwrap.dedent(
    """
    import importlib, json, logging, os, pkgutil, sys

    import PySide6  # Qt's binding sets PYSIDE6_OPTION_PYTHON_ENUM as it loads: not ours
    before = dict(os.environ)
    import cashier_desk

    modules = []
    for info in pkgutil.walk_packages(cashier_desk.__path__, "cashier_desk."):
        if info.name.endswith(".migrations.env"):
            continue  # an Alembic environment script: it runs only inside Alembic
        importlib.import_module(info.name)
        modules.append(info.name)
    imported = {
        "modules": modules,
        "env": sorted(k for k in set(before) | set(os.environ)
                      if before.get(k) != os.environ.get(k)),
        "escpos": sorted(m for m in sys.modules if m.split(".")[0] == "escpos"),
        "log_handlers": len(logging.getLogger().handlers),
    }
    print(json.dumps(imported), flush=True)

    from cashier_desk.devices import escpos_lib
    escpos_lib.load()  # what opening a printer does
    print(json.dumps({
        "env": sorted(k for k in set(before) | set(os.environ)
                      if before.get(k) != os.environ.get(k)),
        "escpos": "escpos.capabilities" in sys.modules,
        "log_handlers": len(logging.getLogger().handlers),
    }))
    """
)


def test_importing_every_module_has_no_side_effect(tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    imported, opened = (json.loads(line) for line in done.stdout.splitlines())
    assert "cashier_desk.devices.printer" in imported["modules"]
    assert "cashier_desk.ui.app" in imported["modules"]
    assert len(imported["modules"]) > 60
    assert imported["env"] == []
    assert imported["escpos"] == []  # python-escpos (and its profile cache) not touched
    assert imported["log_handlers"] == 0  # no logging.basicConfig()
    assert opened == {"env": [], "escpos": True, "log_handlers": 0}
    assert done.stderr == ""
    # Nothing was written anywhere but python-escpos's cache, and that only once loaded.
    for name in ("home", "tmpdir", "xdg_data_home", "xdg_config_home", "xdg_state_home",
                 "xdg_runtime_dir", "cwd"):  # fmt: skip
        assert _files_under(tmp_path / name) == [], name
    cache = _files_under(tmp_path / "xdg_cache_home")
    assert cache[:2] == ["cashier-desk", "cashier-desk/escpos"]
    [pickle, scratch] = cache[2:]
    assert pickle.endswith(".capabilities.pickle") and scratch == "cashier-desk/escpos/tmp"


@pytest.mark.slow
def test_a_plain_wheel_install_runs_the_demo_and_the_window(tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    env["PIP_CACHE_DIR"] = os.environ.get("PIP_CACHE_DIR") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip"
    )  # pip may use the machine's own cache of downloads
    source = tmp_path / "source"  # pip builds in the tree it is given: not in the checkout
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    [wheel] = wheels.glob("cashier_desk-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), cwd=outside, env=env, capture_output=True, text=True, timeout=300
        )

    where = run("python", "-c", "import cashier_desk; print(cashier_desk.__file__)")
    assert str(venv) in where.stdout and str(REPO) not in where.stdout, where
    data = tmp_path / "X"
    demo = run("cashier-desk", "--data-dir", str(data), "demo")
    assert demo.returncode == 0, demo.stderr
    closeout = json.loads(demo.stdout.splitlines()[-1])
    assert closeout["op"] == "closeout" and closeout["ok"] is True
    assert "Traceback" not in demo.stderr
    window = run("python", "-c", OPEN_WINDOW, str(data))
    assert window.returncode == 0, window.stderr
    assert window.stdout.split() == ["shown", "styled", "login"]
    shots = run(
        "cashier-desk", "--data-dir", str(tmp_path / "Y"), "screenshots", str(tmp_path / "png")
    )
    # The installed window renders every screen, each whole (exit 1 lists what was clipped).
    assert shots.returncode == 0, (shots.stdout[-2000:], shots.stderr[-2000:])
    assert "Traceback" not in shots.stderr
    assert len(list((tmp_path / "png").glob("*.png"))) >= 10


# The installed window on the demo data dir: shown, with the packaged style sheet, at login.
OPEN_WINDOW = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from cashier_desk.app import open_app
    from cashier_desk.ui.app import build_window, qt_app

    qapp = qt_app()
    app = open_app(Path(sys.argv[1]), peripherals=True)
    win = build_window(app)
    win.window.show()
    qapp.processEvents()
    print("shown" if win.window.isVisible() else "hidden")
    print("styled" if qapp.styleSheet() else "unstyled")
    print(win.window.current_screen().name)
    win.close()
    app.close()
    """
)
