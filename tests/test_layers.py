"""The shape of the code: only cashier_desk/ui imports Qt, and no float touches money."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cashier_desk"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_ui_package_imports_qt() -> None:
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if "ui" not in p.relative_to(PACKAGE).parts[:1]
        and any(n.split(".")[0] in ("PySide6", "shiboken6") for n in _imports(p))
    ]
    assert offenders == []


#: Where money is handled: not even a float literal belongs there (device timeouts elsewhere do).
MONEY_PLACES = ("money.py", "runner.py", "demo.py", "ledger", "desk", "programs", "sync", "reports")


def test_the_core_never_calls_float() -> None:
    offenders = []
    for p in _modules():
        where = p.relative_to(PACKAGE).parts
        if where[0] == "ui":
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "float":
                offenders.append(f"{p.relative_to(PACKAGE)}:{node.lineno}")
            if (
                where[0] in MONEY_PLACES
                and isinstance(node, ast.Constant)
                and isinstance(node.value, float)
            ):
                offenders.append(f"{p.relative_to(PACKAGE)}:{node.lineno} (float literal)")
    assert offenders == []


def test_the_layer_check_would_notice_a_qt_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\n")
    assert "PySide6.QtCore" in _imports(bad)
