"""Cold start to the login screen, in a fresh Python process (offscreen Qt).

The child is ``python -c`` that imports the app, opens it on a data folder with the demo city
as the window does (``open_app(peripherals=True, background_sync=True)``: the simulated
printer, drawer and scanner behind their real ports, the sync relay), builds the window and
shows it until the login screen is on screen (visible and exposed).  The time runs from just
before the process is spawned until it says so.

The limit is the same for a bare Qt window: ``python -c`` that imports PySide6, makes the
QApplication and shows a main window with one label.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import Context, Figure

TARGET = "value<=1.5"  # seconds

_WAIT_SHOWN = """
deadline = time.monotonic() + 30
while True:
    qapp.processEvents()
    handle = window.windowHandle()
    if shown() and handle is not None and handle.isExposed():
        break
    if time.monotonic() > deadline:
        raise SystemExit("the window never showed")
mark("shown")
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print("RSS", int(line.split()[1]) / 1024, flush=True)
print("READY", flush=True)
"""

APP_CHILD = (
    """
import sys, time
T0 = float(sys.argv[2])
def mark(name):
    print("PHASE", name, round(time.monotonic() - T0, 4), flush=True)
mark("python")
import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from pathlib import Path
from cashier_desk.app import open_app
from cashier_desk.ui.app import build_window, qt_app
mark("imports")
app = open_app(Path(sys.argv[1]), peripherals=True, background_sync=True)
mark("open_app")
qapp = qt_app()
win = build_window(app)
window = win.window
mark("build_window")
window.show()
def shown():
    screen = window.current_screen()
    return window.isVisible() and screen.name == "login" and screen.isVisible()
"""
    + _WAIT_SHOWN
    + """
win.close()
app.close()
"""
)

BARE_CHILD = (
    """
import sys, time
T0 = float(sys.argv[2])
def mark(name):
    print("PHASE", name, round(time.monotonic() - T0, 4), flush=True)
import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
mark("imports")
qapp = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("Log in"))
window.resize(1280, 800)
window.show()
def shown():
    return window.isVisible()
"""
    + _WAIT_SHOWN
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def start_once(
    code: str, data_dir: Path, flags: Sequence[str] = ()
) -> tuple[dict[str, float], str]:
    """Seconds from spawning the child to its READY, with the child's phase marks (and its
    standard error when ``flags`` are given, for ``-X importtime``)."""
    t0 = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, *flags, "-c", code, str(data_dir), repr(t0)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if flags else subprocess.DEVNULL,
        text=True,
        env=_env(),
        cwd=data_dir,
    )
    out: dict[str, float] = {}
    err = ""
    assert child.stdout is not None
    try:
        for line in child.stdout:
            parts = line.split()
            if parts[:1] == ["READY"]:
                out["total"] = time.monotonic() - t0
                break
            if parts[:1] == ["PHASE"]:
                out[parts[1]] = float(parts[2])
            elif parts[:1] == ["RSS"]:  # VmHWM: ru_maxrss since exec, not the parent's
                out["rss_mb"] = float(parts[1])
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if "total" not in out:
        raise RuntimeError(f"the cold-start child never showed its window: {err[-2000:]}")
    return out, err or ""


def import_profile(data_dir: Path, top: int = 25) -> str:
    """The slowest imports of the app's cold start (``python -X importtime``), cumulative."""
    _, err = start_once(APP_CHILD, data_dir, ("-X", "importtime"))
    rows: list[tuple[int, int, str]] = []
    for line in err.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative_us, name = (x.strip() for x in line[12:].split("|"))
        rows.append((int(cumulative_us), int(self_us), name))
    rows.sort(reverse=True)
    lines = [f"{'cumulative ms':>14} {'self ms':>8}  module"]
    lines += [f"{c / 1000:14.1f} {s / 1000:8.1f}  {n}" for c, s, n in rows[:top]]
    return "\n".join(lines) + "\n"


def run(ctx: Context) -> list[Figure]:
    data_dir = ctx.fresh_data_dir("startup")
    n = ctx.size.cold_starts
    if n > 1:  # one untimed start: the file cache, as after the first start of the day
        start_once(APP_CHILD, data_dir)
        start_once(BARE_CHILD, data_dir)
    app_runs = [start_once(APP_CHILD, data_dir)[0] for _ in range(n)]
    bare_runs = [start_once(BARE_CHILD, data_dir)[0] for _ in range(n)]
    app_s = statistics.median(r["total"] for r in app_runs)
    bare_s = statistics.median(r["total"] for r in bare_runs)
    phases = {
        k: statistics.median(r[k] for r in app_runs)
        for k in ("python", "imports", "open_app", "build_window", "shown")
    }
    if ctx.profile_dir is not None:
        ctx.profile_dir.mkdir(parents=True, exist_ok=True)
        (ctx.profile_dir / "startup-imports.txt").write_text(
            import_profile(data_dir), encoding="utf-8"
        )
    steps = ", ".join(f"{k} {v:.2f}" for k, v in phases.items())
    return [
        Figure(
            "startup.seconds",
            "Cold start to the login screen",
            app_s,
            "s",
            bare_s,
            "bare Qt window, fresh process",
            TARGET,
            f"median of {n}; seconds from spawn at the end of each step: {steps}; "
            f"peak memory then {statistics.median(r.get('rss_mb', 0) for r in app_runs):.0f} MB",
            {"app": app_runs, "bare": bare_runs, "phases": phases},
        )
    ]
