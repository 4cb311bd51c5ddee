"""`retention purge` (operations.md "Retention (F11)", issue 18 item 4): an admin removes old
batches central acknowledged, with the council resolution recorded in a checkpoint audit
record; the purged ledger still verifies and still catches tampering in what remains;
nothing un-synced, inside the retention period or still counted elsewhere is removed; bad
input is refused with a clear message, changing nothing."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cashier_desk import cli
from cashier_desk.app import App
from cashier_desk.config import ConfigError, parse_config
from cashier_desk.demo import DEMO_DIR
from cashier_desk.desk import retention
from cashier_desk.errors import Refusal
from cashier_desk.ledger.schema import APPEND_ONLY
from tests.helpers import ADMIN, SUPERVISOR, FakeClock, dump_tables, run_ok, small_day

RESOLUTION = "Res. 2026-14; City Attorney consent 2026-03-02"
A = "W1-20190304-001"  # small_day, synced
B = "W1-20190305-002"  # a quiet day, not synced
C = "W1-20230601-003"  # a quiet day inside the period, newest


def run_cli(data: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--data-dir", str(data), *argv])
    return code, out.getvalue(), err.getvalue()


def quiet_day(app: App, clock: FakeClock, when: datetime) -> None:
    clock.now = when
    run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"code": "MISC", "amount": "12.00"}],
         "tenders": [{"type": "cash", "amount": "12.00"}]},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "10.00": 1, "1.00": 2}}},
        {"op": "closeout", "date": app.desk.business_date(), "approver": "pat",
         "approver_pin": "2222"},
        {"op": "logout"},
    )  # fmt: skip


def reimport_items(app: App) -> None:
    """The billing system's new balances: what was paid here before is in them."""
    app.desk.import_file("open-items", DEMO_DIR / "open_items.csv", **SUPERVISOR)


@pytest.fixture
def years(make_app: Callable[..., App]) -> tuple[App, FakeClock]:
    """A (2019-03-04, every table, synced), B (the next day, not synced), C (2023, newest)."""
    clock = FakeClock(datetime(2019, 3, 4, 15, 0, tzinfo=UTC))
    app = make_app(clock=clock)
    small_day(app)
    run_ok(app, {"op": "logout"}, {"op": "sync"})
    quiet_day(app, clock, datetime(2019, 3, 5, 15, 0, tzinfo=UTC))
    quiet_day(app, clock, datetime(2023, 6, 1, 15, 0, tzinfo=UTC))
    reimport_items(app)
    clock.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    return app, clock


def purge(app: App, before: str = "2025-01-01", **kw: Any) -> dict[str, Any]:
    resolution = kw.pop("resolution", RESOLUTION)
    return app.desk.retention_purge(before, resolution, **{**ADMIN, **kw}).as_json()


def rows_of(app: App, batch: str) -> dict[str, int]:
    with sqlite3.connect(app.ledger.path) as db:
        sessions = "SELECT session_id FROM batch_sessions WHERE batch_id = ?"
        return {
            "batches": db.execute("SELECT count(*) FROM batches WHERE id = ?", (batch,)).fetchone()[
                0
            ],
            "sessions": db.execute(f"SELECT count(*) FROM ({sessions})", (batch,)).fetchone()[0],
            "receipts": db.execute(
                f"SELECT count(*) FROM receipts WHERE session_id IN ({sessions})", (batch,)
            ).fetchone()[0],
        }


def test_a_purge_removes_only_old_acknowledged_batches_and_records_a_checkpoint(
    years: tuple[App, FakeClock],
) -> None:
    app, _ = years
    before = dump_tables(app)
    dry = purge(app, dry_run=True)
    assert dump_tables(app) == before  # a dry run writes nothing
    done = purge(app)
    assert {k: v for k, v in dry.items() if k not in ("dry_run", "checkpoint")} == {
        k: v for k, v in done.items() if k not in ("dry_run", "checkpoint")
    }
    assert done["cutoff"] == "2021-11-23" and done["retention_limit"] == "2021-11-23"
    # operations.md: "anything else is kept and listed" — C, inside the period, too
    assert done["kept"] == [
        {"batch": B, "business_date": "2019-03-05", "why": "central has not acknowledged it"},
        {"batch": C, "business_date": "2023-06-01",
         "why": "of a business date on or after the cutoff; central has not acknowledged it"},
    ]  # fmt: skip
    assert done["removed"]["batches"] == [A]
    assert done["removed"]["sessions"] == ["W1-S000001"]
    counts = done["removed"]["counts"]
    assert counts["receipts"] == 3 and counts["voids"] == 1 and counts["batches"] == 1
    assert counts["drawer_closes"] == 2 and counts["close_rejections"] == 1
    sums = done["removed"]["sums"]
    assert sums["receipts"] == "134.15" and sums["voided"] == "40.00"  # 40.00 + 82.15 + 12.00
    assert sums["movements"] == {"drop": "50.00", "paid_out": "2.50"}
    assert done["kept"] == dry["kept"]
    assert rows_of(app, A) == {"batches": 0, "sessions": 0, "receipts": 0}
    assert rows_of(app, B) == {"batches": 1, "sessions": 1, "receipts": 1}
    assert rows_of(app, C) == {"batches": 1, "sessions": 1, "receipts": 1}
    with sqlite3.connect(app.ledger.path) as db:
        (actor, target, details), = db.execute(
            "SELECT actor, target, details FROM audit_log WHERE action = 'retention_checkpoint'"
        ).fetchall()  # fmt: skip
        triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert actor == "ada" and target == "2021-11-23"
    record = json.loads(details)
    assert record["resolution"] == RESOLUTION and record["sessions"] == ["W1-S000001"]
    assert record["batches"] == [A] and record["head"]["seq"] == done["checkpoint"]["cut_at"]
    assert record["counts"] == counts and record["sums"] == done["removed"]["sums"]
    assert {f"{t}_no_delete" for t in APPEND_ONLY} <= triggers  # made again
    assert app.desk.verify_audit().ok
    again = purge(app)  # nothing more may go: nothing written
    assert again["removed"]["batches"] == [] and again["checkpoint"] is None


def test_the_counter_goes_on_after_a_purge_and_central_takes_its_batches(
    years: tuple[App, FakeClock],
) -> None:
    app, clock = years
    assert purge(app)["removed"]["batches"] == [A]
    quiet_day(app, clock, datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    synced = run_ok(app, {"op": "sync"})[0]
    assert synced["sent"] == 3 and synced["quarantined"] == 0, synced  # B, C and today's
    assert "flagged" not in json.dumps(synced)
    assert app.desk.verify_audit().ok
    assert [r.receipt_no for r in app.desk.receipts("2026-11-23")] == ["W1-000006"]


def test_nothing_inside_the_retention_period_is_removed_whatever_before_says(
    years: tuple[App, FakeClock],
) -> None:
    app, clock = years
    run_ok(app, {"op": "sync"})  # everything acknowledged now
    clock.now = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)  # A is exactly 5 years old: inside
    before = dump_tables(app)
    done = purge(app, before="2030-01-01")
    assert done["cutoff"] == "2019-03-04" and done["removed"]["batches"] == []
    assert dump_tables(app) == before
    clock.now = datetime(2024, 3, 5, 15, 0, tzinfo=UTC)  # A is older; B is not yet
    assert purge(app, before="2030-01-01")["removed"]["batches"] == [A]
    assert rows_of(app, B)["receipts"] == 1
    clock.now = datetime(2029, 1, 1, 15, 0, tzinfo=UTC)  # everything old, but --before says
    assert purge(app, before="2019-03-05")["removed"]["batches"] == []
    # C is the newest batch: the next closeout continues from it
    done = purge(app, before="2029-01-01")
    assert done["removed"]["batches"] == [B]
    assert done["kept"] == [
        {"batch": C, "business_date": "2023-06-01",
         "why": "its workstation's newest batch: the next closeout continues from it"}
    ]  # fmt: skip
    assert app.desk.verify_audit().ok


def test_an_open_session_and_a_payment_still_counted_are_kept(
    make_app: Callable[..., App],
) -> None:
    clock = FakeClock(datetime(2019, 3, 4, 15, 0, tzinfo=UTC))
    app = make_app(clock=clock)
    small_day(app)  # pays UB-100234: its imported balance counts the payment
    run_ok(app, {"op": "logout"})
    quiet_day(app, clock, datetime(2019, 3, 6, 15, 0, tzinfo=UTC))
    clock.now = datetime(2019, 3, 7, 15, 0, tzinfo=UTC)
    run_ok(app, {"op": "login", "user": "bob", "pin": "2468"},
           {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}},
           {"op": "logout"}, {"op": "sync"})  # fmt: skip
    clock.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    due = app.desk.search_open_items("UB-100234", 1)[0].still_due
    done = purge(app)
    assert done["removed"]["batches"] == []
    assert done["kept"] == [
        {"batch": A, "business_date": "2019-03-04",
         "why": "it pays an open item whose balance here still counts the payment"},
        {"batch": "W1-20190306-002", "business_date": "2019-03-06",
         "why": "its workstation's newest batch: the next closeout continues from it"},
        {"session": "W1-S000003", "business_date": "2019-03-07",
         "why": "not closed out (in no batch)"},
    ]  # fmt: skip
    assert app.desk.search_open_items("UB-100234", 1)[0].still_due == due
    reimport_items(app)
    assert purge(app)["removed"]["batches"] == [A]
    assert app.desk.verify_audit().ok


def test_the_newest_row_of_a_table_is_never_removed(make_app: Callable[..., App]) -> None:
    """SQLite gives the next row the biggest key left plus one: a later batch with no receipts
    must not let the purge hand out receipt line numbers again."""
    clock = FakeClock(datetime(2019, 3, 4, 15, 0, tzinfo=UTC))
    app = make_app(clock=clock)
    quiet_day(app, clock, datetime(2019, 3, 4, 15, 0, tzinfo=UTC))
    clock.now = datetime(2019, 3, 5, 15, 0, tzinfo=UTC)
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"},
           {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
           {"op": "close_drawer", "counted": {"cash": {"20.00": 5}}},
           {"op": "closeout", "date": "2019-03-05", "approver": "pat", "approver_pin": "2222"},
           {"op": "logout"})  # fmt: skip
    clock.now = datetime(2019, 3, 6, 15, 0, tzinfo=UTC)
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"},
           {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
           {"op": "close_drawer", "counted": {"cash": {"20.00": 5}}},
           {"op": "closeout", "date": "2019-03-06", "approver": "pat", "approver_pin": "2222"},
           {"op": "logout"}, {"op": "sync"})  # fmt: skip
    clock.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    done = purge(app)
    assert done["removed"]["batches"] == ["W1-20190305-002"]
    assert done["kept"][0]["batch"] == "W1-20190304-001"
    assert "newest row of" in done["kept"][0]["why"]


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"before": "2021-13-01"}, "bad_date", "is not a date like"),
    ({"before": ""}, "bad_date", "is not a date like"),
    ({"resolution": "  "}, "bad_text", "--resolution is required"),
    ({"resolution": "x" * 401}, "bad_text", "longer than 400"),
    ({"resolution": "card 4111 1111 1111 1111"}, "bad_text", "card number"),
    ({"login": "sam", "pin": "3333"}, "not_authorized", "needs an admin"),
    ({"login": "ada", "pin": "0000"}, "not_authorized", "needs an admin"),
    ({"login": "", "pin": ""}, "not_authorized", "needs an admin"),
]


@pytest.mark.parametrize(("bad", "code", "words"), BAD)
def test_bad_input_is_refused_changing_nothing_but_the_audit_of_who_tried(
    years: tuple[App, FakeClock], bad: dict[str, Any], code: str, words: str
) -> None:
    app, _ = years
    before = dump_tables(app)
    with pytest.raises(Refusal) as refused:
        purge(app, **bad)
    assert refused.value.code == code and words in refused.value.message
    after = dump_tables(app)
    if code == "not_authorized":  # audited with who tried (and a wrong PIN counted)
        assert after["audit_log"][-1][4] == "command_refused"
        for changed in (after, before):
            changed["audit_log"] = changed["login_state"] = []
            changed["counters"] = [c for c in changed["counters"] if c[0] != "*"]
    assert after == before


def test_a_ledger_that_fails_audit_verify_is_not_purged(years: tuple[App, FakeClock]) -> None:
    app, _ = years
    db = sqlite3.connect(app.ledger.path, isolation_level=None)
    db.execute("DROP TRIGGER receipts_no_update")
    db.execute("UPDATE receipts SET total_cents = 1 WHERE receipt_no = 'W1-000003'")
    db.close()
    before = dump_tables(app)
    with pytest.raises(Refusal) as refused:
        purge(app)
    assert refused.value.code == "audit_failed" and "nothing was purged" in refused.value.message
    assert dump_tables(app) == before


def _verify(data: Path) -> dict[str, Any]:
    code, out, _ = run_cli(data, "audit", "verify")
    found = json.loads(out)
    assert (code == 0) == found["ok"]
    return dict(found)


#: Tampering with what remains after a purge: (SQL, words a problem names).
AFTER_PURGE = {
    "receipt total": (
        "UPDATE receipts SET total_cents = total_cents + 100 WHERE receipt_no = 'W1-000004'",
        "receipts W1-000004",
    ),
    "receipt deleted": (
        "DELETE FROM receipts WHERE receipt_no = 'W1-000005'",
        "receipts W1-000005",
    ),
    "batch deleted": (f"DELETE FROM batches WHERE id = '{B}'", f"batches {B}"),
    "receipt put into a purged session": (
        "INSERT INTO receipts (receipt_no, workstation, seq, session_id, cashier, payer, "
        "created_at, business_date, total_cents, change_cents) SELECT 'W1-000099', "
        "workstation, 99, 'W1-S000001', cashier, '', created_at, business_date, 1000, 0 "
        "FROM receipts WHERE receipt_no = 'W1-000004'",
        "receipts W1-S000001",
    ),
    "void of a purged receipt": (
        "INSERT INTO voids (receipt_id, approver, reason, voided_at) "
        "VALUES (1, 'lee', 'x', '2019-03-04T16:00:00+00:00')",
        "voids receipt id 1",
    ),
    "session deleted": (
        "DELETE FROM drawer_sessions WHERE id = 'W1-S000002'",
        "drawer_sessions W1-S000002",
    ),
}


@pytest.mark.parametrize("attack", sorted(AFTER_PURGE))
def test_a_purged_ledger_verifies_and_still_catches_tampering(
    years: tuple[App, FakeClock], attack: str
) -> None:
    """Through the command line, as a person runs it (the real clock: 2019 is long past)."""
    app, _ = years
    app.close()
    data = app.data_dir
    admin = ("--user", "ada", "--pin", "9999", "retention", "purge", "--resolution", RESOLUTION)
    code, out, err = run_cli(data, *admin, "--before", "2030-01-01", "--dry-run")
    assert code == 0, err
    dry = json.loads(out)
    assert dry["dry_run"] and dry["removed"]["batches"] == [A] and dry["checkpoint"] is None
    assert dry["cutoff"] == dry["retention_limit"] < "2030-01-01"
    assert "--before 2030-01-01 is inside the retention period" in err
    assert "would remove 1 batch(es)" in err
    code, out, err = run_cli(data, *admin, "--before", "2021-01-01")
    assert code == 0, err
    done = json.loads(out)
    assert done["ok"] and done["removed"]["batches"] == [A] and done["checkpoint"]["seq"]
    assert done["removed"] == dry["removed"] and done["kept"] == dry["kept"]
    assert "removed 1 batch(es), 1 session(s), 3 receipt(s) before 2021-01-01" in err
    assert _verify(data)["ok"]
    sql, named = AFTER_PURGE[attack]
    db = sqlite3.connect(data / "ledger.db", isolation_level=None)
    db.execute("PRAGMA foreign_keys=OFF")
    for table in APPEND_ONLY:
        for op in ("update", "delete"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
    assert db.execute(sql).rowcount >= 1
    db.close()
    found = _verify(data)
    assert not found["ok"]
    assert any(named in p for p in found["problems"]), found["problems"]


def test_the_command_line_refuses_without_an_admin_and_without_a_ledger(
    years: tuple[App, FakeClock], tmp_path: Path
) -> None:
    app, _ = years
    app.close()
    argv = ("retention", "purge", "--before", "2022-01-01", "--resolution", RESOLUTION)
    code, out, err = run_cli(app.data_dir, *argv)
    assert code == 1 and out == "" and "(not_authorized)" in err and "an admin" in err
    code, out, err = run_cli(app.data_dir, "--user", "ada", "--pin", "9999", *argv[:3],
                             "2022-02-30", *argv[4:])  # fmt: skip
    assert code == 1 and "(bad_date)" in err
    code, out, err = run_cli(tmp_path / "none", "--user", "ada", "--pin", "9999", *argv)
    assert code == 1 and "(no_ledger)" in err and not (tmp_path / "none").exists()


def central_rows(data: Path) -> dict[str, int]:
    with sqlite3.connect(data / "central.db") as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def test_central_is_untouched_and_a_backup_of_a_purged_ledger_restores(
    years: tuple[App, FakeClock], tmp_path: Path
) -> None:
    app, _ = years
    at_central = central_rows(app.data_dir)
    assert at_central["batches"] == 1
    assert purge(app)["removed"]["batches"] == [A]
    assert central_rows(app.data_dir) == at_central  # central keeps everything
    app.close()
    file = tmp_path / "after-purge.zip"
    code, _, err = run_cli(app.data_dir, "backup", str(file))
    assert code == 0, err
    code, _, err = run_cli(tmp_path / "restored", "restore", str(file))
    assert code == 0, err
    assert _verify(tmp_path / "restored") == _verify(app.data_dir)
    assert _verify(app.data_dir)["ok"]


@pytest.mark.parametrize("bad", ["1", "101", '"5"', "5.0"])
def test_a_retention_period_config_toml_cannot_hold_is_refused_naming_its_key(bad: str) -> None:
    assert parse_config("").retention_years == 5
    assert parse_config("[retention]\nyears = 7\n").retention_years == 7
    with pytest.raises(ConfigError, match=r"\[retention\] years must be a whole number from 2"):
        parse_config(f"[retention]\nyears = {bad}\n")


def test_the_retention_limit_is_today_less_the_years() -> None:
    assert retention.retention_limit("2026-11-23", 5) == "2021-11-23"
    assert retention.retention_limit("2024-02-29", 5) == "2019-02-28"


def test_every_table_that_points_at_what_a_purge_removes_is_purged_with_it() -> None:
    """A table added later with a foreign key to a receipt, a session or a batch (a licence, a
    return) must be purged with them, or the purge would break the key (or leave orphans)."""
    from cashier_desk.ledger import retention as sql
    from cashier_desk.ledger.schema import metadata

    purged = [table for table, _ in sql._WHERE]
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name in purged:
                assert table.name in purged, f"{table.name} points at {fk.column.table.name}"
                assert purged.index(table.name) < purged.index(fk.column.table.name)
