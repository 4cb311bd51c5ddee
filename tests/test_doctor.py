"""`cashier-desk doctor` (operations.md "Health", issue 18 item 5): every check passes on a
healthy workstation, and each fails on the fault it names (a test per check)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from cashier_desk.app import App, open_app
from cashier_desk.desk import doctor
from cashier_desk.devices.base import NoPrinter
from cashier_desk.devices.setup import NoDrawer
from cashier_desk.ledger.db import HEAD
from cashier_desk.ledger.schema import outbox
from tests.helpers import FakeClock, run_ok, small_day
from tests.test_backup import run_cli

LOGIN = {"op": "login", "user": "amy", "pin": "4821"}
OPEN = {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}}
SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC"}],
    "tenders": [{"type": "cash", "amount": "20.00"}],
}


def checks(app: App, clock: FakeClock | None = None, **kw: object) -> dict[str, doctor.Check]:
    now = clock() if clock is not None else app.desk.now()
    found = doctor.run_checks(
        app.ledger,
        now=now,
        business_date=app.desk.business_date(),
        backups=app.data_dir / "backups",
        devices=lambda: [],
        **kw,  # type: ignore[arg-type]
    )
    return {c.name: c for c in found}


def failing(found: dict[str, doctor.Check]) -> list[str]:
    return [name for name, c in found.items() if not c.ok]


def test_a_healthy_workstation_passes_every_check(app: App, tmp_path: Path) -> None:
    small_day(app)
    found = checks(app)
    assert failing(found) == [], found
    assert list(found) == [
        "integrity", "lost work", "audit chain", "schema", "printing", "sync",
        "refused batches", "devices", "disk", "backup", "clock",
    ]  # fmt: skip

    data = tmp_path / "demo"  # the demo day, on the real clock
    code, out, err = run_cli(data, "demo")
    assert code == 0, err
    code, out, err = run_cli(data, "doctor")
    assert code == 0, out + err
    assert len(out.splitlines()) == 11 and all(line.startswith("ok") for line in out.splitlines())
    code, out, err = run_cli(data, "doctor", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    assert len(json.loads(out)["checks"]) == 11


def test_damaged_pages_fail_integrity(app: App) -> None:
    data = app.data_dir
    app.close()
    db = data / "ledger.db"
    with sqlite3.connect(db) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            r[0]
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'ix_open_items_search_key' "
                "AND pagetype = 'leaf' ORDER BY pageno"
            )
        ]
    with db.open("r+b") as fh:
        fh.seek((pages[len(pages) // 2] - 1) * page_size)
        fh.write(b"\xa5" * page_size)
    code, out, _err = run_cli(data, "doctor", "--json")
    assert code == 1
    result = {c["check"]: c for c in json.loads(out)["checks"]}
    assert result["integrity"]["ok"] is False
    assert "integrity_check found" in result["integrity"]["detail"]


def test_a_connection_without_durable_pragmas_fails_integrity(app: App) -> None:
    with app.ledger.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA synchronous=OFF")
        try:
            found = doctor.check_integrity(conn)
        finally:
            conn.rollback()
            raw.execute("PRAGMA synchronous=FULL")
    assert not found.ok and "synchronous" in found.detail


def test_a_ledger_that_lost_work_fails(app: App, tmp_path: Path) -> None:
    run_ok(app, LOGIN, OPEN, SALE)
    data = app.data_dir
    app.close()
    old = tmp_path / "old.db"
    shutil.copy(data / "ledger.db", old)
    again = open_app(data, "W1", printer=NoPrinter(), cash_drawer=NoDrawer())
    run_ok(again, LOGIN, SALE)
    again.close()
    shutil.copy(old, data / "ledger.db")
    code, out, _err = run_cli(data, "doctor")
    assert code == 1
    assert any(
        line.startswith("FAIL  lost work") and "W1-000002" in line for line in out.splitlines()
    )


def test_an_altered_audit_record_fails(app: App) -> None:
    run_ok(app, LOGIN)
    data = app.data_dir
    app.close()
    db = sqlite3.connect(data / "ledger.db", isolation_level=None)
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
    db.close()
    code, out, _err = run_cli(data, "doctor")
    assert code == 1
    assert "FAIL  audit chain: record 1 is bad" in out


def test_another_schema_version_fails(app: App) -> None:
    newer = f"{int(HEAD) + 1:04d}"  # a ledger from a newer program than this one
    with app.ledger.engine.connect() as conn:
        conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{newer}'")
        found = doctor.check_schema(conn)
        conn.rollback()
    assert not found.ok and newer in found.detail


def test_a_receipt_waiting_to_print_too_long_fails(template_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(template_dir, tmp_path / "data")
    clock = FakeClock()
    app = open_app(
        tmp_path / "data", "W1", clock=clock, printer=NoPrinter(), cash_drawer=NoDrawer()
    )
    try:
        run_ok(app, LOGIN, OPEN, SALE)
        assert checks(app, clock)["printing"].ok  # just made: it may still print
        clock.advance(minutes=11)
        found = checks(app, clock)["printing"]
        assert not found.ok and "1 waiting to print" in found.detail
    finally:
        app.close()


def test_a_batch_waiting_for_central_too_long_fails(make_app: object) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)  # type: ignore[operator]
    small_day(app)
    assert checks(app, clock)["sync"].ok
    clock.advance(hours=25)
    found = checks(app, clock)["sync"]
    assert not found.ok and "1 batch(es) waiting" in found.detail


def test_a_batch_central_refused_fails(app: App) -> None:
    batch = small_day(app)["batch"]
    with app.ledger.write() as conn:
        conn.execute(sa.update(outbox).values(outcome="damaged", last_error="conflict"))
    found = checks(app)["refused batches"]
    assert not found.ok and batch in found.detail
    for outcome, ok in (("quarantined", False), ("rejected", False), ("accepted", True)):
        with app.ledger.write() as conn:
            conn.execute(sa.update(outbox).values(outcome=outcome))
        assert checks(app)["refused batches"].ok is ok, outcome  # accepted: in central's books


def test_an_offline_device_fails(app: App) -> None:
    data = app.data_dir
    app.close()
    config = data / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('printer = "sim" ', 'printer = "escpos+tcp://127.0.0.1:9" ', 1),
        encoding="utf-8",
    )
    code, out, _err = run_cli(data, "doctor")
    assert code == 1
    assert "FAIL  devices: printer (escpos+tcp://127.0.0.1:9)" in out


def test_too_little_free_disk_fails(app: App) -> None:
    found = doctor.check_disk(app.data_dir, 0, minimum=1 << 62)
    assert not found.ok and "MiB free" in found.detail
    assert doctor.check_disk(app.data_dir, 0).ok


def test_no_backup_after_a_closeout_or_an_old_one_fails(make_app: object) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)  # type: ignore[operator]
    assert checks(app, clock)["backup"].ok  # no closeout yet: no backup expected
    small_day(app)
    assert checks(app, clock)["backup"].ok
    clock.advance(days=9)
    old = checks(app, clock)["backup"]
    assert not old.ok and "9 days old" in old.detail
    shutil.rmtree(app.data_dir / "backups")
    none = checks(app, clock)["backup"]
    assert not none.ok and "no backup" in none.detail


def test_a_clock_that_went_back_fails(make_app: object) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)  # type: ignore[operator]
    run_ok(app, LOGIN, OPEN, SALE)
    assert checks(app, clock)["clock"].ok
    clock.advance(days=-1)
    found = checks(app, clock)["clock"]
    assert not found.ok and "the clock went back" in found.detail


def test_a_ledger_that_cannot_be_opened_still_gets_a_line_per_check(app: App) -> None:
    """A full disk or a damaged file stops the ledger opening: doctor still answers one line
    per check it can make (operations.md), the first naming why, as text and as JSON."""
    run_ok(app, LOGIN, OPEN, SALE)
    data = app.data_dir
    app.close()
    for side in ("ledger.db-wal", "ledger.db-shm"):
        (data / side).unlink(missing_ok=True)
    with (data / "ledger.db").open("r+b") as fh:
        fh.write(b"not a ledger at all" * 5)  # the file's header is gone
    code, out, err = run_cli(data, "doctor")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("FAIL  integrity: the ledger cannot be opened") and (
        "(ledger_damaged)" in lines[0]
    )
    assert lines[1].startswith("ok    disk:") and len(lines) == 2
    assert "Traceback" not in err
    code, out, _err = run_cli(data, "doctor", "--json")
    shown = json.loads(out)
    assert code == 1 and shown["ok"] is False
    assert [c["check"] for c in shown["checks"]] == ["integrity", "disk"]
