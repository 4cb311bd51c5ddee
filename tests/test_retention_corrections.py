"""`retention purge` and the corrections after the closeout (issue 18's leftover): a purge past
the batch that carried a returned check, a refund and a transfer removes them with their rows
(takes, item adjustments, GL postings, the split of the item the returned check made), counted
exactly; it keeps the batch while a correction of it still counts in an open item; `audit
verify` is clean afterwards."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cashier_desk.app import App
from tests.helpers import SUPERVISOR, FakeClock, run_ok
from tests.programs.test_corrections_day import AMY, ITEMS, LEE, city, refund, transfer
from tests.test_retention import _verify, purge

__all__ = ["city"]  # the fixture

TABLES = ("corrections", "correction_takes", "item_adjustments", "correction_postings",
          "item_splits")  # fmt: skip


def rows_of(app: App, numbers: list[str]) -> dict[str, int]:
    """The rows of each corrections table that belong to these corrections (read apart)."""
    ids = f"SELECT id FROM corrections WHERE number IN ({','.join('?' * len(numbers))})"
    where = {
        "corrections": f"id IN ({ids})",
        "item_splits": "ref IN (SELECT s.ref FROM item_splits s, corrections c WHERE "
        f"s.ref LIKE c.number || '-%' AND c.id IN ({ids}))",
    }
    with sqlite3.connect(app.ledger.path) as db:
        return {
            t: db.execute(
                f"SELECT count(*) FROM {t} WHERE {where.get(t, f'correction_id IN ({ids})')}",
                numbers,
            ).fetchone()[0]
            for t in TABLES
        }


def corrected_then_years_on(app: App) -> tuple[list[str], FakeClock]:
    """Day 2: a returned check (W1-000001: WB-1 and a MISC line, which it makes the item
    W1-RC000001-L2 of), a refund and a transfer, closed out in a batch of their own.  Day 3:
    the new item is paid and another refund is made, closed out (the newest batch).  All
    synced; then it is 2032."""
    nsf = {"op": "returned_check", "receipt": "W1-000001", "number": "1042", **LEE}
    run_ok(app, nsf, refund(), transfer())
    with sqlite3.connect(app.ledger.path) as db:
        numbers = [r[0] for r in db.execute("SELECT number FROM corrections ORDER BY id")]
    run_ok(app, {"op": "closeout", **LEE})
    clock = app.desk.clock
    assert isinstance(clock, FakeClock)
    clock.advance(days=1)
    run_ok(
        app,
        AMY,
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"ref": "W1-RC000001-L2"}],
         "tenders": [{"type": "cash", "amount": "12.00"}]},
        refund(amount="5.00"),
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "10.00": 1, "1.00": 2}}},
        {"op": "closeout", **LEE},
        {"op": "logout"},
        {"op": "sync"},
    )  # fmt: skip
    clock.now = datetime(2032, 6, 1, 15, 0, tzinfo=UTC)
    return numbers, clock


def batches(app: App) -> list[str]:
    with sqlite3.connect(app.ledger.path) as db:
        return [r[0] for r in db.execute("SELECT id FROM batches ORDER BY business_date, id")]


def test_a_purge_removes_the_corrections_its_batches_carried_and_keeps_what_still_counts(
    city: App, tmp_path: Path
) -> None:
    numbers, _ = corrected_then_years_on(city)
    assert len(set(numbers)) == 3
    first, second, newest = batches(city)
    before = rows_of(city, numbers)
    assert all(before.values()), before  # every table holds some of them

    # The transfer still counts in PC-1002's balance (and the returned check in WB-1's): the
    # batch that carried them stays, and so does the day's batch of the receipts.
    due = city.desk.search_open_items("PC-1002", 1)[0].still_due
    dry = purge(city, before="2030-01-01", dry_run=True)
    kept = {k["batch"]: k["why"] for k in dry["kept"]}
    assert kept[second] == "a correction it carries still counts in an open item's balance here"
    assert first in kept and newest in kept
    assert dry["removed"]["corrections"] == [] and dry["removed"]["batches"] == []
    assert purge(city, before="2030-01-01")["checkpoint"] is None
    assert rows_of(city, numbers) == before
    assert city.desk.search_open_items("PC-1002", 1)[0].still_due == due

    # The billing system's new balances count the payments and the corrections: they go.
    (tmp_path / "items.csv").write_text(ITEMS, encoding="utf-8")
    city.desk.import_file("open-items", tmp_path / "items.csv", **SUPERVISOR)
    dry = purge(city, before="2030-01-01", dry_run=True)
    assert dry["removed"]["batches"] == [first, second]
    assert dry["removed"]["corrections"] == numbers  # the dry run names them
    counts = dry["removed"]["counts"]
    assert {t: counts[t] for t in TABLES} == before
    assert dry["removed"]["sums"]["corrections"] == {
        "refund": "20.00", "returned_check": "42.00", "transfer": "40.00"}  # fmt: skip
    assert rows_of(city, numbers) == before  # a dry run writes nothing

    done = purge(city, before="2030-01-01")
    assert done["removed"] == dry["removed"] and done["checkpoint"] is not None
    assert rows_of(city, numbers) == dict.fromkeys(TABLES, 0)
    assert [k["batch"] for k in done["kept"]] == [newest]
    with sqlite3.connect(city.ledger.path) as db:  # day 3's refund stays, with its rows
        assert db.execute("SELECT count(*) FROM corrections").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM correction_postings").fetchone()[0] > 0
        triggers = db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
            f"({','.join('?' * len(TABLES))})",
            [f"{t}_no_delete" for t in TABLES],
        ).fetchone()[0]
    assert triggers == len(TABLES)  # append-only again
    assert city.desk.verify_audit().ok
    city.close()
    assert _verify(city.data_dir)["ok"]


def test_the_corrections_stay_append_only_after_a_purge(city: App, tmp_path: Path) -> None:
    corrected_then_years_on(city)
    (tmp_path / "items.csv").write_text(ITEMS, encoding="utf-8")
    city.desk.import_file("open-items", tmp_path / "items.csv", **SUPERVISOR)
    assert purge(city, before="2030-01-01")["removed"]["corrections"]
    with sqlite3.connect(city.ledger.path) as db:
        held = [t for t in TABLES if db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]]
        assert "corrections" in held and "correction_postings" in held  # day 3's refund
        for table in held:
            try:
                db.execute(f"DELETE FROM {table}")
            except sqlite3.DatabaseError as exc:
                assert "append-only" in str(exc)
            else:
                raise AssertionError(f"{table} let a row be deleted")


def test_a_new_item_still_due_keeps_the_returned_check(city: App, tmp_path: Path) -> None:
    nsf = {"op": "returned_check", "receipt": "W1-000001", "number": "1042", **LEE}
    run_ok(city, nsf)
    run_ok(city, {"op": "closeout", **LEE})
    clock: Any = city.desk.clock
    clock.advance(days=1)
    run_ok(city, AMY, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
           refund(amount="5.00"),
           {"op": "close_drawer", "counted": {"cash": {"20.00": 5}}},
           {"op": "closeout", **LEE}, {"op": "logout"}, {"op": "sync"})  # fmt: skip
    clock.now = datetime(2032, 6, 1, 15, 0, tzinfo=UTC)
    (tmp_path / "items.csv").write_text(ITEMS, encoding="utf-8")
    city.desk.import_file("open-items", tmp_path / "items.csv", **SUPERVISOR)
    done = purge(city, before="2030-01-01")
    why = {k["batch"]: k["why"] for k in done["kept"]}
    assert "made an open item that still has an amount due" in why[batches(city)[1]]
    assert done["removed"]["corrections"] == []
    assert str(city.desk.search_open_items("W1-RC000001-L2", 1)[0].still_due) == "12.00"
