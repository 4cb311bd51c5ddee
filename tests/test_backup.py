"""`cashier-desk backup` and `restore` (operations.md "Backup and restore", issue 18 item 3).

A backup round-trips: the restored ledger answers every query as the one backed up did
(receipts, audit verify, the over/short report, every row of every table).  A damaged backup
(a byte flipped, cut short, a manifest whose hash or counts are wrong) is refused ``bad_backup``
naming the fault, and nothing is written; a folder that is not empty is refused
``not_empty``.  After every closeout a backup is written and the oldest beyond ``[backup]
keep`` removed; one that fails is told to the lead and never fails the closeout.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cashier_desk import cli
from cashier_desk.app import App
from cashier_desk.ledger.backup import MANIFEST, newest_backup
from cashier_desk.ledger.db import HEAD
from tests.helpers import run_ok, small_day


def run_cli(data: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--data-dir", str(data), *argv])
    return code, out.getvalue(), err.getvalue()


def every_row(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT * FROM "{n}"').fetchall() for n in names}


def answers(data: Path, day: str) -> list[str]:
    """What the reading commands print of a data folder (the report's file path left out)."""
    got = []
    for argv in (("receipts",), ("audit", "verify"), ("search", "UB")):
        code, out, err = run_cli(data, *argv)
        assert code == 0, err
        got.append(out)
    code, out, err = run_cli(data, "report", "over-short", "--from", day, "--to", day)
    assert code == 0, err
    report = json.loads(out)
    report.pop("file")
    got.append(json.dumps(report))
    return got


@pytest.fixture
def backed_up(app: App, tmp_path: Path) -> tuple[App, Path, dict[str, Any]]:
    small_day(app)
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"},
           {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
           {"op": "sale", "items": [{"code": "DOG-LIC"}],
            "tenders": [{"type": "cash", "amount": "20.00"}]})  # fmt: skip
    file = tmp_path / "ledger-backup.zip"
    code, out, err = run_cli(app.data_dir, "backup", str(file))
    assert code == 0, err
    return app, file, json.loads(out)


def test_backup_then_restore_answers_every_query_alike(
    backed_up: tuple[App, Path, dict[str, Any]], tmp_path: Path
) -> None:
    app, file, manifest = backed_up
    assert manifest["workstation"] == "W1" and manifest["schema_version"] == HEAD
    assert manifest["last_receipts"] == {"W1": "W1-000004"}
    assert manifest["row_counts"]["receipts"] == 4 and manifest["audit_head"]["seq"] > 0
    assert len(manifest["sha256"]) == 64
    day = app.desk.business_date()
    source = answers(app.data_dir, day)
    app.close()
    target = tmp_path / "restored"
    code, out, err = run_cli(target, "restore", str(file))
    assert code == 0, err
    assert json.loads(out)["manifest"] == manifest and json.loads(out)["ledger_loss"] is None
    assert answers(target, day) == source
    assert every_row(target / "ledger.db") == every_row(app.data_dir / "ledger.db")
    assert 'id = "W1"' in (target / "config.toml").read_text(encoding="utf-8")


def test_a_restored_folder_keeps_the_backup_it_equals_as_its_newest(
    backed_up: tuple[App, Path, dict[str, Any]], tmp_path: Path
) -> None:
    """After a restore the folder's newest backup is the file its ledger now equals, under
    the automatic name of its own time: `doctor` tells its true age instead of failing "no
    backup though closeouts were made" (an outside trial's doubt)."""
    app, file, manifest = backed_up
    app.close()
    target = tmp_path / "restored"
    code, _, err = run_cli(target, "restore", str(file))
    assert code == 0, err
    newest = newest_backup(target / "backups")
    assert newest is not None
    kept, at = newest
    assert kept.read_bytes() == file.read_bytes()
    created = datetime.fromisoformat(manifest["created"]).replace(microsecond=0)
    assert at == created and kept.name.startswith("cashier-desk-W1-")
    # Restored again from that very copy (the ledger moved out first): no second copy.
    (target / "ledger.db").unlink()
    for extra in ("ledger.db-wal", "ledger.db-shm", "ledger.mark"):
        (target / extra).unlink(missing_ok=True)
    code, _, err = run_cli(target, "restore", str(kept))
    assert code == 0, err
    assert [p.name for p in (target / "backups").iterdir()] == [kept.name]


def _rezip(file: Path, out: Path, change: Callable[[dict[str, Any]], None]) -> None:
    with zipfile.ZipFile(file) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        ledger = zf.read("ledger.db")
    change(manifest)
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(MANIFEST, json.dumps(manifest))
        zf.writestr("ledger.db", ledger)


def _flip(file: Path, out: Path) -> None:
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x40  # inside the compressed ledger
    out.write_bytes(bytes(data))


def _truncate(file: Path, out: Path) -> None:
    out.write_bytes(file.read_bytes()[: file.stat().st_size // 2])


def _wrong_hash(file: Path, out: Path) -> None:
    _rezip(file, out, lambda m: m.update(sha256="0" * 64))


def _wrong_count(file: Path, out: Path) -> None:
    _rezip(file, out, lambda m: m["row_counts"].update(receipts=3))


def _damaged_page(file: Path, out: Path) -> None:
    """A ledger with a damaged page, and a manifest whose hash matches it (as a backup of a
    damaged file would have, were it not refused when taken)."""
    with zipfile.ZipFile(file) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        ledger = bytearray(zf.read("ledger.db"))
    ledger[4096 * 5 : 4096 * 6] = b"\xa5" * 4096
    import hashlib

    manifest["sha256"] = hashlib.sha256(ledger).hexdigest()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(MANIFEST, json.dumps(manifest))
        zf.writestr("ledger.db", bytes(ledger))


def _not_a_backup(file: Path, out: Path) -> None:
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("notes.txt", "hello")


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (_flip, "damaged"),
        (_truncate, "not a whole zip archive"),
        (_wrong_hash, "does not have the manifest's SHA-256"),
        (_wrong_count, "row counts are not the manifest's (receipts: 4 in the file, 3"),
        (_damaged_page, "integrity_check"),
        (_not_a_backup, "not a cashier-desk backup"),
    ],
)
def test_a_damaged_backup_is_refused_naming_the_fault(
    backed_up: tuple[App, Path, dict[str, Any]],
    tmp_path: Path,
    damage: Callable[[Path, Path], None],
    named: str,
) -> None:
    _app, file, _manifest = backed_up
    bad = tmp_path / "bad.zip"
    damage(file, bad)
    target = tmp_path / "restored"
    code, out, err = run_cli(target, "restore", str(bad))
    assert (code, out) == (1, "")
    assert "(bad_backup)" in err and named in err, err
    assert "Traceback" not in err
    assert not target.exists()  # nothing was written, not even the folder


def test_a_broken_audit_chain_in_a_backup_is_refused(
    backed_up: tuple[App, Path, dict[str, Any]], tmp_path: Path
) -> None:
    _app, file, _manifest = backed_up
    with zipfile.ZipFile(file) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        (tmp_path / "l.db").write_bytes(zf.read("ledger.db"))
    with sqlite3.connect(tmp_path / "l.db", isolation_level=None) as db:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    import hashlib

    manifest["sha256"] = hashlib.sha256((tmp_path / "l.db").read_bytes()).hexdigest()
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr(MANIFEST, json.dumps(manifest))
        zf.write(tmp_path / "l.db", "ledger.db")
    code, _out, err = run_cli(tmp_path / "restored", "restore", str(bad))
    assert code == 1 and "(bad_backup)" in err
    assert "audit chain is broken at record 3" in err


def test_restore_into_a_folder_with_people_or_receipts_is_refused(
    backed_up: tuple[App, Path, dict[str, Any]],
) -> None:
    app, file, _manifest = backed_up
    before = every_row(app.data_dir / "ledger.db")
    code, out, err = run_cli(app.data_dir, "restore", str(file))
    assert (code, out) == (1, "") and "(not_empty)" in err
    assert every_row(app.data_dir / "ledger.db") == before


def test_restore_replaces_an_empty_ledger(
    backed_up: tuple[App, Path, dict[str, Any]], tmp_path: Path
) -> None:
    _app, file, manifest = backed_up
    empty = tmp_path / "empty"
    code, _out, err = run_cli(empty, "import", "revenue-codes", str(_codes(tmp_path)))
    assert code == 0, err  # reference data only: still empty
    code, _out, err = run_cli(empty, "restore", str(file))
    assert code == 0, err
    code, out, err = run_cli(empty, "receipts")
    assert code == 0, err
    assert [json.loads(line)["receipt"] for line in out.splitlines()][-1] == "W1-000004"
    code, out, err = run_cli(empty, "audit", "verify")
    assert json.loads(out) == {"ok": True, "records": manifest["audit_head"]["seq"]}


def _codes(tmp_path: Path) -> Path:
    path = tmp_path / "codes.csv"
    path.write_text(
        "code,description,program,gl,fee_type,amount,partial_allowed\n"
        "X-1,Thing,misc,101-0000-41100,fixed,1.00,no\n",
        encoding="utf-8",
    )
    return path


def test_a_wal_left_behind_is_refused_before_restoring(
    backed_up: tuple[App, Path, dict[str, Any]], tmp_path: Path
) -> None:
    _app, file, _manifest = backed_up
    folder = tmp_path / "moved"
    folder.mkdir()
    (folder / "ledger.db-wal").write_bytes(b"x" * 100)
    code, _out, err = run_cli(folder, "restore", str(file))
    assert code == 1 and "(not_empty)" in err and "ledger.db-wal" in err
    assert not (folder / "ledger.db").exists()


def test_backup_of_a_folder_with_no_ledger_creates_nothing(tmp_path: Path) -> None:
    code, _out, err = run_cli(tmp_path / "none", "backup", str(tmp_path / "b.zip"))
    assert code == 1 and "(no_ledger)" in err
    assert not (tmp_path / "none").exists() and not (tmp_path / "b.zip").exists()


def test_restore_into_a_new_folder_warns_of_the_missing_pepper(
    backed_up: tuple[App, Path, dict[str, Any]], tmp_path: Path
) -> None:
    app, file, _manifest = backed_up
    pepper = app.data_dir / "pepper.key"
    assert pepper.exists()  # the fixture's PINs were made with it
    bare = tmp_path / "bare"
    code, _out, err = run_cli(bare, "restore", str(file))
    assert code == 0, err
    assert f"there is no {bare / 'pepper.key'}" in err and "pepper_missing" in err
    ready = tmp_path / "ready"
    ready.mkdir()
    shutil.copy(pepper, ready / "pepper.key")
    code, _out, err = run_cli(ready, "restore", str(file))
    assert code == 0, err
    assert "pepper" not in err
