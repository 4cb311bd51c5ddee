"""The counter's search (spec/operations.md "Search"): any word of a reference, account,
plate, name or address, by its start, in any case and without accents; an exact reference
first, then by reference; the same code for the window and `cashier-desk search`."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from cashier_desk.app import App
from cashier_desk.ledger import search
from cashier_desk.ledger.db import Ledger, alembic_config
from tests.helpers import SUPERVISOR, run_ok

HEADER = "ref,program,account,name,address,amount_due,due_date,revenue_code,status,plate\n"
ITEMS = (
    "UB-900234,UTILITY,77-4410-01,María Muñoz,12 Calle Ñandú,82.15,2026-12-01,UB-WATER,open,\n"
    'UB-900235,UTILITY,77-4410-02,"Garcia, Ana",40 Oak St,10.00,2026-12-01,UB-WATER,paid,\n'
    "PK-77001,PARKING,P-1,Ana Garcia,40 Oak St,45.00,2026-11-30,PKG-CIT-MTR,hold,8ABC123\n"
    "PK-77002,PARKING,P-2,Zed Quimby,9 Elm Ct,45.00,2026-11-30,PKG-CIT-MTR,appeal,7XYZ900\n"
)


def _load(app: App, tmp_path: Path, rows: str = ITEMS, name: str = "items.csv") -> None:
    f = tmp_path / name
    f.write_text(HEADER + rows, encoding="utf-8")
    app.desk.import_file("open-items", f, **SUPERVISOR)


def _refs(app: App, text: str, limit: int = 20) -> list[str]:
    return [i.ref for i in app.desk.search_open_items(text, limit)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("munoz", ["UB-900234"]),  # accents removed
        ("MUÑOZ maria", ["UB-900234"]),  # any case, surname first
        ("maría mu", ["UB-900234"]),  # first name first, a prefix of the surname
        ("nandu", ["UB-900234"]),  # a word of the address
        ("900234", ["UB-900234"]),  # a word of the reference
        ("77-4410-02", ["UB-900235"]),  # an account number
        ("garcia ana", ["PK-77001", "UB-900235"]),  # every status: hold and paid too
        ("ana garcia 40 oak", ["PK-77001", "UB-900235"]),
        ("8abc", ["PK-77001"]),  # a plate
        ("7xyz900", ["PK-77002"]),
        ("garcia a", ["PK-77001", "UB-900235"]),  # a one-letter word beside a longer one
        ("a 40 garcia", ["PK-77001", "UB-900235"]),
        ("m munoz", ["UB-900234"]),
        ("munoz q", []),
        ("quimby zzz", []),  # every word must match
        ("m", []),  # fewer than 2 letters or digits find nothing
        ("-", []),
    ],
)
def test_search_finds_by_any_word_in_any_case_without_accents(
    app: App, tmp_path: Path, text: str, found: list[str]
) -> None:
    _load(app, tmp_path)
    assert _refs(app, text) == found


def test_an_exact_reference_comes_first_then_by_reference(app: App, tmp_path: Path) -> None:
    rows = "".join(
        f"QZ-{n},UTILITY,A-{n},Hal Exactly,1 Main St,1.00,2026-12-01,UB-WATER,open,\n"
        for n in (5550, 555, 5551, 55500)
    )
    _load(app, tmp_path, rows)
    assert _refs(app, "qz-5551") == ["QZ-5551"]
    # By reference as text: QZ-55500 sorts before QZ-5551.
    assert _refs(app, "qz 555") == ["QZ-555", "QZ-5550", "QZ-55500", "QZ-5551"]
    assert _refs(app, "QZ-5550") == ["QZ-5550", "QZ-55500"]  # the exact one first
    assert _refs(app, "qz-555") == ["QZ-555", "QZ-5550", "QZ-55500", "QZ-5551"]
    assert _refs(app, "hal exactly", 2) == ["QZ-555", "QZ-5550"]
    assert _refs(app, "exactly QZ-55500") == ["QZ-55500"]
    # The exact reference comes first even when it is not among the first by reference.
    more = "".join(
        f"QZ-5550{n},UTILITY,A-1,Hal Exactly,1 Main St,1.00,2026-12-01,UB-WATER,open,\n"
        for n in range(1, 10)
    )
    more += "AA-1,UTILITY,A-1,Qz 55509,1 Main St,1.00,2026-12-01,UB-WATER,open,\n"
    _load(app, tmp_path, more, "more.csv")
    assert _refs(app, "qz-55509", 3) == ["QZ-55509", "AA-1"]
    assert _refs(app, "qz-55509", 1) == ["QZ-55509"]
    assert _refs(app, "QZ-5550", 3) == ["QZ-5550", "AA-1", "QZ-55500"]


def test_the_first_matches_by_reference_among_many_in_any_insert_order(
    app: App, tmp_path: Path
) -> None:
    """References sharing their first characters (one key group), and across groups, come
    out by reference whatever order they were imported in, at any limit."""
    refs = [f"CIT-2026-{n:05d}" for n in range(0, 3000, 7)] + [f"CI-{n}" for n in range(40)]
    refs += [f"CIT-2025-{n}" for n in range(30)] + [f"cit-{n}" for n in range(30)]
    random.Random(7).shuffle(refs)
    half = len(refs) // 2
    for part, chunk in (("a", refs[:half]), ("b", refs[half:])):
        rows = "".join(
            f"{r},PARKING,X,Pat Lee,1 Main St,45.00,2026-11-30,PKG-CIT-MTR,open,\n" for r in chunk
        )
        _load(app, tmp_path, rows, f"items-{part}.csv")
    everyone = sorted(refs)
    for limit in (1, 5, 20, 100, 500, 1000):
        assert _refs(app, "pat lee", limit) == everyone[:limit]
    assert _refs(app, "cit 2026", 3) == sorted(r for r in refs if r.startswith("CIT-2026"))[:3]


def test_the_index_follows_a_re_import_and_a_sale_in_the_same_transaction(
    app: App, tmp_path: Path
) -> None:
    _load(app, tmp_path)
    _load(app, tmp_path, ITEMS.replace("María Muñoz", "Rosa Delgado"), "again.csv")
    assert _refs(app, "munoz") == []
    assert _refs(app, "rosa delgado") == ["UB-900234"]
    # A refused import (a bad row at the end) leaves the index as it was.
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + ITEMS.replace("Rosa Delgado", "New Name").replace("Zed Quimby", "Other")
        + "UB-1,UTILITY,1,X,1 St,1.00,2026-13-01,UB-WATER,open,\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="line 6, column due_date"):
        app.desk.import_file("open-items", bad, **SUPERVISOR)
    assert _refs(app, "rosa delgado") == ["UB-900234"] and _refs(app, "new name") == []
    with app.ledger.read() as conn:
        fts = search.FTS_TABLE  # the index agrees with open_items (FTS5 raises if not)
        conn.exec_driver_sql(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")


def test_what_is_still_due_and_the_status_come_with_each_result(app: App, tmp_path: Path) -> None:
    _load(app, tmp_path)
    run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"ref": "UB-900234", "amount": "80.00"}],
         "tenders": [{"type": "cash", "amount": "80.00"}]},
    )  # fmt: skip
    (item,) = app.desk.search_open_items("munoz")
    assert (item.program, item.due_date, item.status) == ("UTILITY", "2026-12-01", "open")
    assert (str(item.amount_due), str(item.still_due)) == ("82.15", "2.15")


def test_an_item_paid_whole_at_the_counter_is_found_as_paid(app: App, tmp_path: Path) -> None:
    """As ``lookup`` says it: ``paid`` with 0.00 due, not the ``open`` it was imported as."""
    _load(app, tmp_path)
    run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"ref": "UB-900234", "amount": "82.15"}],
         "tenders": [{"type": "cash", "amount": "82.15"}]},
    )  # fmt: skip
    (item,) = app.desk.search_open_items("munoz")
    assert (item.status, str(item.still_due)) == ("paid", "0.00")
    (looked,) = run_ok(app, {"op": "lookup", "ref": "UB-900234", "date": "2026-12-01"})
    assert looked["status"] == item.status
    data_dir = app.data_dir
    app.close()
    (line,) = _cli(data_dir, "search", "munoz").stdout.splitlines()
    assert (json.loads(line)["status"], json.loads(line)["amount_due"]) == ("paid", "0.00")


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_search_command_prints_json_lines(app: App, tmp_path: Path) -> None:
    _load(app, tmp_path)
    data_dir = app.data_dir
    app.close()
    done = _cli(data_dir, "search", "garcia", "ana")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    assert lines == [
        {"ref": "PK-77001", "program": "PARKING", "account": "P-1", "name": "Ana Garcia",
         "address": "40 Oak St", "amount_due": "45.00", "due_date": "2026-11-30",
         "status": "hold"},
        {"ref": "UB-900235", "program": "UTILITY", "account": "77-4410-02",
         "name": "Garcia, Ana", "address": "40 Oak St", "amount_due": "0.00",
         "due_date": "2026-12-01", "status": "paid"},
    ]  # fmt: skip
    limited = _cli(data_dir, "search", "oak", "--limit", "1")
    assert [json.loads(x)["ref"] for x in limited.stdout.splitlines()] == ["PK-77001"]
    none = _cli(data_dir, "search", "nobody-here")
    assert (none.returncode, none.stdout) == (0, "") and "no open item matches" in none.stderr
    bad = _cli(data_dir, "search", "oak", "--limit", "0")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_the_search_command_on_a_folder_with_no_ledger_creates_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    done = _cli(empty, "search", "garcia")
    assert done.returncode == 1 and "no_ledger" in done.stderr
    assert not empty.exists()


def test_the_migration_indexes_the_items_of_an_older_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    cfg = alembic_config()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    engine.dispose()
    raw = sqlite3.connect(path)
    refs = ["UB-100234", "UB-100233", "PK-1", "UB-1002339"]
    raw.executemany(
        "INSERT INTO open_items VALUES (?, 'UTILITY', 'A-1', ?, '1 Main St', 100, "
        "'2026-12-01', 'UB-WATER', 'open', 0)",
        [(r, f"Ana Muñoz {n}") for n, r in enumerate(refs)],
    )
    raw.commit()
    raw.close()
    ledger = Ledger(path)
    try:
        with ledger.read() as conn:
            keys = search.matching_keys(conn, "munoz", 20)
            got = [
                conn.exec_driver_sql(
                    "SELECT ref FROM open_items WHERE search_key = ?", (k,)
                ).scalar()
                for k in keys
            ]
    finally:
        ledger.close()
    assert got == sorted(refs)


def test_a_reader_that_goes_away_ends_the_command_quietly(app: App, tmp_path: Path) -> None:
    """`cashier-desk search … | head -c 10`: the pipe's reader gone is no internal error."""
    _load(app, tmp_path)
    data_dir = app.data_dir
    app.close()
    reader, writer = os.pipe()
    os.close(reader)  # gone before the first line is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), "search", "oak"],
            stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    finally:
        os.close(writer)
    assert done.returncode == 141, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
