"""A ledger file that is not a ledger, or whose pages are damaged (issue 12, item 2).

In a data folder that was used (it has ``ledger.mark`` or ``config.toml``), an emptied
``ledger.db``, a file that is not SQLite, or another program's SQLite database is refused
(``ledger_damaged``, exit 1) and left as it is, byte for byte — never made anew.  A first
start that was cut short (an empty file or an empty SQLite shell, nothing else in the folder)
still becomes a ledger.  Pages damaged by garbage written into the file are found by
``PRAGMA quick_check`` when the ledger opens to take money (``ledger_corrupt``) and by
``PRAGMA integrity_check`` in ``audit verify`` (exit 1).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cashier_desk.app import open_app
from cashier_desk.config import ConfigError
from cashier_desk.devices.base import NoPrinter
from cashier_desk.devices.setup import NoDrawer
from cashier_desk.ledger.db import LedgerError
from cashier_desk.runner import run_op
from tests.faults.test_rollback_cli import LOGIN, SALE, cli
from tests.helpers import run_ok


def _used(data: Path) -> None:
    """Amy sells W1-000001 in ``data`` (a used folder, with its mark and config)."""
    app = open_app(data, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    run_ok(app, LOGIN, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}}, SALE)
    app.close()


def _foreign_sqlite(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE alembic_version (version_num TEXT)")
        db.execute("CREATE TABLE photos (name TEXT, data BLOB)")
        db.execute("INSERT INTO photos VALUES ('cat', x'00ff')")


REPLACEMENTS = {
    "emptied": (lambda p: p.write_bytes(b""), "empty (0 bytes)"),
    "not SQLite": (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(5000)), "not a SQLite database"),
    "another program's SQLite": (_foreign_sqlite, "another program's database"),
}


@pytest.mark.parametrize("how", sorted(REPLACEMENTS))
@pytest.mark.parametrize("evidence", ["ledger.mark", "config.toml"])
def test_a_ledger_file_that_is_not_one_is_refused_and_left_as_it_is(
    data_dir: Path, how: str, evidence: str
) -> None:
    _used(data_dir)
    replace, words = REPLACEMENTS[how]
    replace(data_dir / "ledger.db")
    other = {"ledger.mark": "config.toml", "config.toml": "ledger.mark"}[evidence]
    (data_dir / other).unlink()  # either one says the folder was used
    before = (data_dir / "ledger.db").read_bytes()
    with pytest.raises(LedgerError) as refused:
        open_app(data_dir, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    assert refused.value.code == "ledger_damaged"
    assert words in str(refused.value)
    if evidence == "ledger.mark":
        assert "W1-000001" in str(refused.value)  # the last receipt it knew
    for argv in (["receipts"], ["import", "users", str(data_dir / "none.csv")]):
        done = cli(data_dir, *argv)
        assert done.returncode == 1, done.stderr
        assert "(ledger_damaged)" in done.stderr and words in done.stderr
        assert "Traceback" not in done.stderr
    assert (data_dir / "ledger.db").read_bytes() == before
    assert not (data_dir / "ledger.db-wal").exists()


@pytest.mark.parametrize("shell", ["empty file", "empty SQLite database"])
def test_a_first_start_cut_short_still_becomes_a_ledger(tmp_path: Path, shell: str) -> None:
    data = tmp_path / "new"
    data.mkdir()
    if shell == "empty file":
        (data / "ledger.db").write_bytes(b"")
    else:
        with sqlite3.connect(data / "ledger.db") as db:
            db.execute("PRAGMA journal_mode=WAL")
    app = open_app(data, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    try:
        assert app.ledger.loss is None and app.ledger.corrupt is None
        assert app.is_empty()
    finally:
        app.close()
    assert (data / "config.toml").is_file() and (data / "ledger.mark").is_file()


def test_a_config_error_on_first_start_leaves_no_config_and_no_ledger(tmp_path: Path) -> None:
    data = tmp_path / "new"
    with pytest.raises(ConfigError):
        open_app(data, "bad id!", printer=NoPrinter(), cash_drawer=NoDrawer())
    assert not (data / "ledger.db").exists() and not (data / "config.toml").exists()


def _damage_an_index(db: Path) -> None:
    """Write garbage over a leaf page of the open items' search index (not the header)."""
    with sqlite3.connect(db) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            r[0]
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'ix_open_items_search_key' "
                "AND pagetype = 'leaf' ORDER BY pageno"
            )
        ]
    assert len(pages) > 3, pages  # the demo city's open items fill several pages
    with db.open("r+b") as fh:
        fh.seek((pages[len(pages) // 2] - 1) * page_size)
        fh.write(b"\xa5" * page_size)


def test_damaged_pages_refuse_money_and_fail_audit_verify(data_dir: Path, tmp_path: Path) -> None:
    _used(data_dir)
    _damage_an_index(data_dir / "ledger.db")
    app = open_app(data_dir, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    try:
        assert app.ledger.corrupt is not None
        assert run_op(app.desk, LOGIN)["ok"]  # reading and logging in still work
        refused = run_op(app.desk, SALE)
        assert (refused["ok"], refused["error"]) == (False, "ledger_corrupt")
        assert "restore the ledger from a backup" in refused["message"]
        assert [r.receipt_no for r in app.desk.receipts()] == ["W1-000001"]
    finally:
        app.close()
    script = tmp_path / "sale.jsonl"
    script.write_text(json.dumps(LOGIN) + "\n" + json.dumps(SALE) + "\n", encoding="utf-8")
    ran = cli(data_dir, "run", str(script))
    assert ran.returncode == 1 and "(ledger_corrupt)" in ran.stderr
    assert json.loads(ran.stdout.splitlines()[-1])["error"] == "ledger_corrupt"
    verify = cli(data_dir, "audit", "verify")
    assert verify.returncode == 1, verify.stdout
    assert json.loads(verify.stdout.splitlines()[0])["ok"] is False
    assert "is damaged" in verify.stderr and "Traceback" not in verify.stderr


def test_a_whole_ledger_passes_both_checks(data_dir: Path) -> None:
    _used(data_dir)
    app = open_app(data_dir, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    try:
        assert app.ledger.corrupt is None
    finally:
        app.close()
    verify = cli(data_dir, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert json.loads(verify.stdout)["ok"] is True


CHILD_OPENS_AND_CLOSES = (
    "import sqlite3, sys\n"
    "db = sqlite3.connect(sys.argv[1])\n"
    "db.execute('SELECT count(*) FROM receipts').fetchall()\n"
    "db.close()\n"
)


def test_a_second_open_in_one_process_keeps_the_first_ones_locks(data_dir: Path) -> None:
    """Opening the ledger a second time in a process never drops the first open's locks.

    Checking the file before it is opened must not open it outside SQLite: closing any other
    descriptor of it drops every POSIX lock the process holds on it, and another process
    closing its own connection then thinks it is the last one, checkpoints and deletes the
    WAL under the first open's connection — the next reader here finds the ledger "malformed"
    (found by two ``sync`` runs at once beside a test process holding the ledger)."""
    data = data_dir
    _used(data)
    first = open_app(data, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    second = open_app(data, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    wal = data / "ledger.db-wal"
    try:
        assert wal.exists()
        subprocess.run(
            [sys.executable, "-c", CHILD_OPENS_AND_CLOSES, str(data / "ledger.db")], check=True
        )
        assert wal.exists(), "another process took this one's ledger for closed"
        run_ok(first, LOGIN, SALE)
        run_ok(second, LOGIN, SALE)
    finally:
        second.close()
        first.close()
    app = open_app(data, "W1", printer=NoPrinter(), cash_drawer=NoDrawer(), quick_check=True)
    try:
        assert app.ledger.corrupt is None
    finally:
        app.close()
