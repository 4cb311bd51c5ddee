"""A ledger that lost committed work is detected (issue 12, item 2).

Each way a ledger loses work is done for real: the WAL deleted after the process was killed,
an old copy put back, the file emptied, another SQLite file put in its place.  The ledger
refuses to take money (``ledger_rolled_back``, naming the last receipt it knew) until a
supervisor accepts the loss; numbering then continues after that receipt, so no printed number
is ever issued twice.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.devices.base import NoPrinter
from cashier_desk.devices.setup import NoDrawer
from cashier_desk.errors import Refusal
from cashier_desk.ledger.db import LedgerError
from cashier_desk.runner import run_op
from tests.faults.fuzzing import DEMO
from tests.faults.test_rollback_cli import cli

ROOT = Path(__file__).resolve().parents[2]
SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC"}],
    "tenders": [{"type": "cash", "amount": "20.00"}],
}


def _open(data: Path) -> App:
    return open_app(data, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())


def _ok(app: App, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    results = [run_op(app.desk, op) for op in ops]
    for r in results:
        assert r["ok"], r
    return results


def _counter(app: App) -> None:
    _ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
    )


def _receipts(app: App) -> list[str]:
    return [r.receipt_no for r in app.desk.receipts()]


@pytest.fixture
def data(slim_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(slim_template, target)
    return target


def _refuses_money(app: App, last_known: str) -> None:
    result = run_op(app.desk, SALE)
    assert (result["ok"], result["error"]) == (False, "ledger_rolled_back"), result
    assert last_known in result["message"]
    with pytest.raises(Refusal) as refused:
        app.desk.open_drawer("D2", {})
    assert refused.value.code == "ledger_rolled_back"


def _accept_and_go_on(app: App, last_known: str, next_no: str) -> None:
    with pytest.raises(Refusal) as wrong:
        app.desk.accept_ledger_loss("lee", "1111")  # a lead may not
    assert wrong.value.code == "not_authorized"
    assert app.desk.accept_ledger_loss("sam", "3333") == last_known
    if app.desk.logged_in() is None or app.desk.current_session() is None:
        _counter(app)
    result = run_op(app.desk, SALE)
    assert result["ok"], result
    assert result["receipt"] == next_no
    assert app.desk.verify_audit().ok
    with app.ledger.read() as conn:
        accepted = conn.exec_driver_sql(
            "SELECT actor, target FROM audit_log WHERE action = 'ledger_loss_accepted'"
        ).all()
    assert [tuple(r) for r in accepted] == [("sam", last_known)]


def test_a_wal_deleted_after_a_kill_is_caught_before_a_receipt_number_is_reused(
    data: Path,
) -> None:
    child = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from cashier_desk.app import open_app
        from cashier_desk.devices.base import NoPrinter
        from cashier_desk.devices.setup import NoDrawer
        from cashier_desk.runner import run_op
        app = open_app(Path({str(data)!r}), "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
        for op in (
            {{"op": "login", "user": "amy", "pin": "4821"}},
            {{"op": "open_drawer", "drawer": "D1", "opening": {{"20.00": 5}}}},
            {SALE!r}, {SALE!r}, {SALE!r},
        ):
            assert run_op(app.desk, op)["ok"]
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", child], cwd=ROOT, check=False, timeout=120)
    assert done.returncode == -signal.SIGKILL
    wal = data / "ledger.db-wal"
    assert wal.stat().st_size > 0  # the receipts are only in the WAL
    wal.unlink()
    (data / "ledger.db-shm").unlink(missing_ok=True)
    app = _open(data)
    try:
        assert app.ledger.loss is not None
        assert "W1-000003" in app.desk.ledger_loss_message()
        _ok(app, {"op": "login", "user": "amy", "pin": "4821"})
        _refuses_money(app, "W1-000003")
        _accept_and_go_on(app, "W1-000003", "W1-000004")
    finally:
        app.close()


def test_an_old_copy_put_back_is_caught(data: Path, tmp_path: Path) -> None:
    app = _open(data)
    _counter(app)
    _ok(app, SALE)
    app.close()
    backup = tmp_path / "old-ledger.db"
    shutil.copy(data / "ledger.db", backup)
    app = _open(data)
    _ok(app, {"op": "login", "user": "amy", "pin": "4821"}, SALE, SALE)
    app.close()
    shutil.copy(backup, data / "ledger.db")
    app = _open(data)
    try:
        assert _receipts(app) == ["W1-000001"]
        assert "W1-000001" in str(app.ledger.loss) and "W1-000003" in str(app.ledger.loss)
        _ok(app, {"op": "login", "user": "amy", "pin": "4821"})
        _refuses_money(app, "W1-000003")
        _accept_and_go_on(app, "W1-000003", "W1-000004")
        assert _receipts(app) == ["W1-000001", "W1-000004"]
    finally:
        app.close()
    app = _open(data)  # accepted: the next start is a normal one
    try:
        assert app.ledger.loss is None
    finally:
        app.close()


def test_an_emptied_ledger_is_refused_until_a_person_moves_it_away(
    data: Path, tmp_path: Path
) -> None:
    app = _open(data)
    _counter(app)
    _ok(app, SALE, SALE)
    app.close()
    (data / "ledger.db").write_bytes(b"")
    for _ in range(2):  # refused, and refused again: never made anew behind anyone's back
        with pytest.raises(LedgerError) as refused:
            _open(data)
        assert refused.value.code == "ledger_damaged"
        assert "empty (0 bytes)" in str(refused.value) and "W1-000002" in str(refused.value)
        assert (data / "ledger.db").read_bytes() == b""
        assert not (data / "ledger.db-wal").exists()
    # A person moves the empty file away on purpose: a new ledger, which refuses money
    # until a supervisor accepts the loss (after the people are imported again).
    (data / "ledger.db").rename(tmp_path / "emptied-ledger.db")
    app = _open(data)
    try:
        assert app.ledger.loss is not None
        with pytest.raises(Refusal) as nobody:
            app.desk.accept_ledger_loss("sam", "3333")
        assert nobody.value.code == "not_authorized" and "import" in nobody.value.message
        users = tmp_path / "users.csv"
        users.write_text(
            "login,name,role,pin\nsam,Sam,supervisor,3333\nlee,Lee,lead,1111\namy,Amy,cashier,4821\n"
        )
        app.desk.import_file("users", users)
        app.desk.import_file("revenue-codes", DEMO / "revenue_codes.csv", login="sam", pin="3333")
        _ok(app, {"op": "login", "user": "amy", "pin": "4821"})
        _refuses_money(app, "W1-000002")
        _accept_and_go_on(app, "W1-000002", "W1-000003")
    finally:
        app.close()


def test_another_sqlite_file_in_its_place_is_refused_and_left_as_it_is(data: Path) -> None:
    app = _open(data)
    _counter(app)
    _ok(app, SALE)
    app.close()
    (data / "ledger.db").unlink()
    with sqlite3.connect(data / "ledger.db") as foreign:
        foreign.execute("CREATE TABLE notes (x TEXT)")
    before = (data / "ledger.db").read_bytes()
    with pytest.raises(LedgerError) as refused:
        _open(data)
    assert refused.value.code == "ledger_damaged"
    assert "another program's database" in str(refused.value)
    assert "W1-000001" in str(refused.value)
    assert (data / "ledger.db").read_bytes() == before


def test_the_command_line_says_so_and_a_script_is_refused(data: Path, tmp_path: Path) -> None:
    app = _open(data)
    _counter(app)
    _ok(app, SALE)
    app.close()
    old = tmp_path / "old-ledger.db"
    shutil.copy(data / "ledger.db", old)
    app = _open(data)
    _ok(app, {"op": "login", "user": "amy", "pin": "4821"}, SALE)
    app.close()
    shutil.copy(old, data / "ledger.db")  # an old copy put back: W1-000002 is lost
    listed = cli(data, "receipts")
    assert listed.returncode == 0  # reading still works, and says so
    assert "(ledger_rolled_back)" in listed.stderr and "W1-000002" in listed.stderr
    script = tmp_path / "day.jsonl"
    script.write_text(
        '{"op":"login","user":"amy","pin":"4821"}\n'
        '{"op":"sale","items":[{"code":"DOG-LIC"}],"tenders":[{"type":"cash","amount":"20.00"}]}\n',
        encoding="utf-8",
    )
    done = cli(data, "run", str(script))
    assert done.returncode == 1
    refused = json.loads(done.stdout.splitlines()[-1])
    assert refused["error"] == "ledger_rolled_back" and "W1-000002" in refused["message"]
    assert "Traceback" not in done.stderr
    app = _open(data)
    try:
        assert _receipts(app) == ["W1-000001"]  # nothing was taken
    finally:
        app.close()


def test_ordinary_days_never_raise_a_false_alarm(data: Path) -> None:
    for day in range(3):
        app = _open(data)
        try:
            assert app.ledger.loss is None
            if day == 0:
                _counter(app)
            else:
                _ok(app, {"op": "login", "user": "amy", "pin": "4821"})
            _ok(app, SALE)
            _ok(app, {"op": "reprint", "receipt": _receipts(app)[-1]})
        finally:
            app.close()
