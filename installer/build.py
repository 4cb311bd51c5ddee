"""Build the self-contained application folder ``dist/cashier-desk/`` with PyInstaller.

    python installer/build.py [--dist DIR] [--work DIR]

The program is ``dist/cashier-desk/cashier-desk`` (``cashier-desk.exe`` on Windows): the
command line and the window, with Qt's plugins, the demo city, both migration trees and
python-escpos's capabilities inside, for the OS this runs on.  It needs PyInstaller
(``pip install -e ".[test]"`` brings it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec; returns the built program's path."""
    import PyInstaller.__main__

    PyInstaller.__main__.run(
        [
            str(HERE / "cashier-desk.spec"),
            "--noconfirm",
            "--log-level=WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
        ]
    )
    name = "cashier-desk.exe" if sys.platform == "win32" else "cashier-desk"
    program = dist / "cashier-desk" / name
    if not program.is_file():
        raise SystemExit(f"the build made no {program}")
    return program


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the folder goes")
    p.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller's work folder")
    args = p.parse_args(argv)
    program = build(args.dist.resolve(), args.work.resolve())
    print(program)
    return 0


if __name__ == "__main__":
    sys.exit(main())
