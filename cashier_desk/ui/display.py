"""Whether the window can open here, asked before Qt is started and before the data folder is
touched.

Qt cannot start without a display it can use: it prints a screenful of plugin talk and aborts
(core dump, exit 134).  :func:`display_problem` asks first and says what is wrong in one line:
no display, or the system libraries Qt's xcb plugin needs and does not find (named, with the
Debian/Ubuntu packages that hold them).  Nothing here imports Qt.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

#: The libraries Qt's xcb plugin loads that a desktop may lack, and their Debian/Ubuntu
#: packages (the README lists the same packages).
XCB_PACKAGES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
HINT = (
    "Open it in a desktop session (the README lists what the window needs); every counter "
    "task also runs without a window: cashier-desk --help"
)
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)
_CANNOT_OPEN = re.compile(r"(\S+\.so[.\d]*): cannot open shared object file")


def display_problem(env: Mapping[str, str] | None = None) -> str | None:
    """What keeps the window from opening, in one line; None when it can open."""
    if not sys.platform.startswith("linux"):
        return None  # Windows and macOS always have their own display
    env = os.environ if env is None else env
    wanted = [p.split(":")[0].strip() for p in env.get("QT_QPA_PLATFORM", "").split(";")]
    wanted = [p for p in wanted if p]
    if not wanted:  # Qt's own choice
        wanted = ["wayland", "xcb"] if env.get("XDG_SESSION_TYPE") == "wayland" else ["xcb"]
    problems: list[str] = []
    for platform in wanted:
        if platform == "xcb":
            problem = _xcb_problem(env)
        elif platform.startswith("wayland"):
            problem = _wayland_problem(env)
        else:
            problem = None  # offscreen, vnc, eglfs ...: asked for by name, Qt's to judge
        if problem is None:
            return None
        problems.append(problem)
    return f"cannot open the window: {'; '.join(problems)}. {HINT}"


def _wayland_problem(env: Mapping[str, str]) -> str | None:
    runtime = env.get("XDG_RUNTIME_DIR", "")
    socket = env.get("WAYLAND_DISPLAY") or "wayland-0"
    if (runtime and (Path(runtime) / socket).exists()) or Path(socket).is_absolute():
        return None
    return "no Wayland display (WAYLAND_DISPLAY names none)"


def _xcb_problem(env: Mapping[str, str]) -> str | None:
    plugin = platform_plugin("xcb")
    missing = missing_libraries(plugin) if plugin is not None else []
    display = env.get("DISPLAY", "")
    parts: list[str] = []
    if not display:
        parts.append("no display (DISPLAY is not set)")
    elif not missing and not _x_reachable(display):
        parts.append(f"the display {display} cannot be reached")
    if missing:
        packages = [XCB_PACKAGES[lib] for lib in missing if lib in XCB_PACKAGES]
        parts.append(
            f"Qt's xcb plugin needs the system libraries {', '.join(missing)}"
            + (f" (Debian/Ubuntu: apt install {' '.join(packages)})" if packages else "")
        )
    return "; ".join(parts) or None


def platform_plugin(name: str) -> Path | None:
    """Where Qt's platform plugin ``name`` is (found without importing Qt)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "Qt" / "plugins" / "platforms" / f"libq{name}.so"
        if path.exists():
            return path
    return None


def missing_libraries(library: Path) -> list[str]:
    """The shared libraries ``library`` needs that the system does not have, in order."""
    try:
        out = subprocess.run(
            ["ldd", str(library)], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):  # no ldd: the loader names the first one
        try:
            ctypes.CDLL(str(library))
        except OSError as exc:
            found = _CANNOT_OPEN.search(str(exc))
            return [found.group(1)] if found else []
        return []
    return list(dict.fromkeys(_NOT_FOUND.findall(out)))


def _x_reachable(display: str) -> bool:
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return connection is not None and xcb.xcb_connection_has_error(connection) == 0
    finally:
        if connection is not None:
            xcb.xcb_disconnect(connection)


def window_cannot_open() -> bool:
    """No usable display: say so in one line (the command line exits 2), before the data
    folder is touched.  Otherwise the window starts: from now on SIGTERM ends it cleanly."""
    problem = display_problem()
    if problem is not None:
        print(f"cashier-desk: {problem}", file=sys.stderr)
        return True
    from cashier_desk.ui.app import note_signals

    note_signals()
    return False
