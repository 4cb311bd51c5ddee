"""The shape of the code: only cashier_desk/ui imports Qt, no float touches money, start-up
loads only what it needs, and every refusal code is documented."""

from __future__ import annotations

import ast
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

from cashier_desk.app import App

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


def test_starting_the_window_loads_nothing_it_does_not_need_yet(tmp_path: Path) -> None:
    """Cold start: Alembic (only to upgrade a ledger), reportlab (only to draw a PDF) and
    SQLAlchemy's PostgreSQL dialect (only to pull from central) wait until they are needed;
    the unknown-user argon2 hash is made beside the start-up, not in its way, and is ready
    soon after (so the first unknown login takes no longer than any)."""
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from cashier_desk.app import open_app\n"
        "import cashier_desk.ui.app\n"
        "from cashier_desk.ledger import pins\n"
        "open_app(Path(sys.argv[1]), 'W1').close()\n"
        "late = ('alembic', 'reportlab', 'sqlalchemy.dialects.postgresql')\n"
        "print(sorted(m for m in late if m in sys.modules))\n"
        "import time\n"
        "for _ in range(100):\n"
        "    if pins._dummy_hash.cache_info().currsize:\n"
        "        break\n"
        "    time.sleep(0.05)\n"
        "print(pins._dummy_hash.cache_info().currsize)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    def start() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", probe, str(tmp_path / "data")],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    first = start()  # a new ledger: Alembic creates it (and loads every dialect it knows)
    assert first[0].startswith("['alembic'") and first[1] == "1"
    assert start() == ["[]", "1"]  # an up-to-date one: nothing but what the window needs


#: Loaded at their first use, not at start: the lead's screens, the program forms and
#: dialogs of the sale screen, and central's modules (the relay's thread loads them).
LATER = (
    "cashier_desk.ui.screens.reports",
    "cashier_desk.ui.screens.reports_chart",
    "cashier_desk.ui.screens.reports_model",
    "cashier_desk.ui.screens.corrections",
    "cashier_desk.ui.program_form",
    "cashier_desk.ui.dialogs_programs",
    "cashier_desk.ui.dialogs_licences",
    "cashier_desk.ui.dialogs_permits",
    "cashier_desk.sync.central",
    "cashier_desk.sync.access",
    "cashier_desk.sync.schema",
    "cashier_desk.sync.schema_programs",
    "cashier_desk.sync.schema_corrections",
)


def test_the_window_shown_has_not_loaded_the_screens_nobody_opened(tmp_path: Path) -> None:
    """Cold start to the login screen (as ``benchmarks/startup.py``, without the relay's
    thread): the Reports and Corrections screens, the program forms and central's schema are
    neither imported nor built; the shortcuts build them on first use (tests/ui)."""
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from cashier_desk.app import open_app\n"
        "from cashier_desk.ui.app import build_window, qt_app\n"
        "app = open_app(Path(sys.argv[1]), 'W1', peripherals=True)\n"
        "qapp = qt_app()\n"
        "win = build_window(app)\n"
        "win.window.show()\n"
        "for _ in range(20):\n"
        "    qapp.processEvents()\n"
        "assert win.window.isVisible()\n"
        f"print(sorted(m for m in {LATER!r} if m in sys.modules))\n"
        "print(sorted(n for n in ('reports', 'corrections') if dict.get(win.window.screens, n)))\n"
        "win.close()\n"
        "app.close()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for _ in range(2):  # a new ledger, then an up-to-date one
        done = subprocess.run(
            [sys.executable, "-c", probe, str(tmp_path / "data")],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[:2] == ["[]", "[]"]


def test_every_refusal_code_is_documented() -> None:
    """The error codes are a contract: each code the program can refuse with is listed in
    docs/decisions.md "Stable error codes" (and nothing listed is unused)."""
    used: set[str] = set()
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Refusal"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                used.add(str(node.args[0].value))
            if (  # a ledger that cannot be used at all: LedgerError(message, code)
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "LedgerError"
                and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant)
            ):
                used.add(str(node.args[1].value))
    decisions = (PACKAGE.parent / "docs" / "decisions.md").read_text(encoding="utf-8")
    section = decisions.split("## Stable error codes", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z_]+)`", section))
    # Refused by the runner itself (script lines), not through Refusal(...).
    runner_only = {"bad_json", "bad_row", "drawer_open", "approval_pending", "nothing_to_close"}
    assert used - listed == set()
    assert listed - used <= runner_only, listed - used - runner_only


#: The packages' layers, top to bottom (issue 13): each imports only from layers below it,
#: and the packages of one layer from each other except reports into devices.  Top-level
#: modules: the composition root and the command line sit above everything; the base modules
#: (money, config, paper, text, ids, errors, events) at the bottom.
LAYERS = {
    "ui": 0,
    "desk": 1,
    **dict.fromkeys(("ledger", "programs", "devices", "sync", "reports"), 2),
    **dict.fromkeys(("money", "config", "paper", "text", "ids", "errors", "events", "words"), 3),
}
NOT_SIDEWAYS = {("reports", "devices")}


def _unit(parts: tuple[str, ...]) -> str:
    """The package (or top-level module) a module belongs to."""
    return parts[0].removesuffix(".py")


def import_problems(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if "migrations" in parts:
            continue
        me = _unit(parts)
        for name in _imports(path):
            bits = name.split(".")
            if bits[0] != "cashier_desk" or len(bits) < 2:
                continue
            other = bits[1]
            if other == me or me not in LAYERS or other not in LAYERS:
                continue
            if LAYERS[other] < LAYERS[me] or (me, other) in NOT_SIDEWAYS:
                found.append(f"{'/'.join(parts)} imports {name}")
    return found


def test_imports_go_down_the_layers_only() -> None:
    assert import_problems(PACKAGE) == []


def test_the_import_check_would_notice_an_upward_import(tmp_path: Path) -> None:
    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "bad.py").write_text("from cashier_desk.desk import base\n")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "slip.py").write_text("import cashier_desk.devices.receipt\n")
    (tmp_path / "money.py").write_text("from cashier_desk.ledger import schema\n")
    assert import_problems(tmp_path) == [
        "ledger/bad.py imports cashier_desk.desk",
        "money.py imports cashier_desk.ledger",
        "reports/slip.py imports cashier_desk.devices.receipt",
    ]


def test_no_module_passes_500_lines() -> None:
    """Files of one reason and a readable size; migrations aside."""
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if "migrations" not in p.parts
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}


#: What the Desk holds to do its work; its callers ask it through methods instead.
DESK_INSIDES = {"ledger", "printer", "cash_drawer", "relay", "pins", "clock", "station", "spooler"}


def _reaches_into_the_desk(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if owner_name == "desk" and (node.attr in DESK_INSIDES or node.attr.startswith("_")):
            found.append(f"{path.name}:{node.lineno} desk.{node.attr}")
    return found


def test_the_window_the_command_line_and_the_runner_reach_only_desk_methods() -> None:
    """Issue 13, item 1: callers use the Desk's methods, never what it holds (its ledger,
    printer, drawer, relay, PIN hasher, clock) nor its private methods."""
    callers = [*(PACKAGE / "ui").rglob("*.py"), *PACKAGE.glob("cli*.py"), PACKAGE / "runner.py"]
    offenders = [hit for path in callers for hit in _reaches_into_the_desk(path)]
    assert offenders == []


def test_the_desk_reach_check_would_notice_a_reach(tmp_path: Path) -> None:
    caller = tmp_path / "screen.py"
    caller.write_text("def f(ctx):\n    return ctx.desk.printer.columns, desk._now()\n")
    assert _reaches_into_the_desk(caller) == ["screen.py:2 desk.printer", "screen.py:2 desk._now"]


def _asserts(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.name}:{n.lineno}" for n in ast.walk(tree) if isinstance(n, ast.Assert)]


def test_the_program_checks_its_state_without_assert() -> None:
    """Issue 13, item 7: ``python -O`` drops asserts, so the program never relies on one;
    a state that cannot be is raised as an error that says what it is."""
    found = [hit for path in _modules() if "migrations" not in path.parts for hit in _asserts(path)]
    assert found == []


def test_the_assert_check_would_notice_one(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f(x):\n    assert x\n    return x\n")
    assert _asserts(module) == ["m.py:2"]


SQL_CALLS = {"select", "insert", "update", "delete", "execute", "exec_driver_sql"}
#: The health checks ask the ledger directly what they check (pragma, schema version).
SQL_ALLOWED_IN_DESK = {"doctor.py"}


def _sql_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("sa", "conn")
        ):
            found.append(f"{path.name}:{node.lineno} {node.func.value.id}.{node.func.attr}")
    return found


def test_the_desks_use_cases_hold_no_sql() -> None:
    """Issue 13, item 1: all SQL lives in ledger/ (and sync/ for central); desk/ decides."""
    desk = [p for p in (PACKAGE / "desk").glob("*.py") if p.name not in SQL_ALLOWED_IN_DESK]
    assert [hit for path in desk for hit in _sql_calls(path)] == []


def test_the_sql_check_would_notice_a_query(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f(conn, t):\n    return conn.execute(sa.select(t))\n")
    assert _sql_calls(module) == ["m.py:2 conn.execute", "m.py:2 sa.select"]


def test_the_desk_is_composed_of_services_not_mixins(app: App) -> None:
    """Issue 13, item 1: each service stands alone (no base but ``object``), shares only the
    station, and the Desk lends their methods; nothing of the Desk comes by inheritance."""
    from cashier_desk import desk as desk_package
    from cashier_desk.desk import Desk, Station

    services = [
        c
        for _, module in inspect.getmembers(desk_package, inspect.ismodule)
        for _, c in inspect.getmembers(module, inspect.isclass)
        if c.__module__ == module.__name__ and "station" in inspect.signature(c).parameters
    ]
    assert len(services) >= 10, services
    assert [c for c in services if c.__bases__ != (object,)] == []
    assert Desk.__bases__ == (object,) and Station.__bases__ == (object,)
    owners = {
        type(method.__self__).__name__
        for method in vars(app.desk).values()
        if inspect.ismethod(method)
    }
    assert {"People", "Records", "Spooler", "Pricing", "Counter", "Cash", "Closing"} <= owners


def test_no_object_or_any_at_the_service_boundary(app: App) -> None:
    """Issue 13, item 2: every method the Desk lends takes and returns typed values (ids,
    Money, dataclasses, text), never ``object`` or ``Any``; what a script sends is still
    checked inside, but the types say what each method expects."""
    loose = {
        f"{name}({arg}: {hint})"
        for name, method in vars(app.desk).items()
        if inspect.ismethod(method)
        for arg, hint in method.__annotations__.items()
        if re.search(r"\b(object|Any)\b", str(hint))
    }
    assert loose == set()
    assert len([m for m in vars(app.desk).values() if inspect.ismethod(m)]) >= 60
