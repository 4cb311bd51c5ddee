"""The schema modules import in any order: each one first in a fresh interpreter (a module
that a cycle left half-built raises ImportError only when it is the first one imported)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import cashier_desk

PACKAGE = Path(cashier_desk.__file__).parent
MODULES = sorted(
    f"cashier_desk.{p.parent.name}.{p.stem}"
    for folder in ("ledger", "sync")
    for p in (PACKAGE / folder).glob("*.py")
    if p.stem.startswith(("schema", "record_columns", "meta"))
)


def test_the_schema_modules_are_found() -> None:
    assert "cashier_desk.ledger.schema_programs" in MODULES
    assert "cashier_desk.sync.schema_corrections" in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_a_schema_module_imports_first(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
