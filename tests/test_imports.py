"""CSV imports: a bad row imports nothing and the message names its line and column."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.errors import Refusal
from tests.helpers import ADMIN, AS_ADMIN, SUPERVISOR, dump_tables, run_ok

ITEMS_HEADER = "ref,program,account,name,address,amount_due,due_date,revenue_code,status"
CODES_HEADER = "code,description,program,gl,fee_type,amount,partial_allowed\n"
GOOD_CODES = (
    "NEW-A,New fee A,MISC,101-0000-40000,fixed,10.00,no\n"
    "NEW-B,New fee B,MISC,250-0000-22010=1.00;101-0000-40001,per_unit,2.50,no\n"
    "NEW-C,New fee C,MISC,101-0000-40002,open,,yes\n"
)


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), *AS_ADMIN, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_good_file_imports_every_row_and_prints_the_count(app: App, tmp_path: Path) -> None:
    f = tmp_path / "codes.csv"
    f.write_text(CODES_HEADER + GOOD_CODES)
    data_dir = app.data_dir
    app.close()
    done = _cli(data_dir, "import", "revenue-codes", str(f))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"import": "revenue-codes", "rows": 3, "masked": 0}


@pytest.mark.parametrize(
    ("row", "line", "column"),
    [
        ("BAD,Bad,MISC,101-0000-40000,fixed,12.345,no\n", 5, "amount"),
        ("BAD,Bad,MISC,101-0000-40000,weekly,1.00,no\n", 5, "fee_type"),
        ("BAD,Bad,MISC,101-0000-40000,open,1.00,no\n", 5, "amount"),
        ("BAD,Bad,MISC,A-1=1.00;B-2=1.00,fixed,1.00,no\n", 5, "gl"),
        ("BAD,Bad,MISC,101-0000-40000,fixed,1.00,maybe\n", 5, "partial_allowed"),
        ("NEW-A,Again,MISC,101-0000-40000,fixed,1.00,no\n", 5, "code"),
        (",Blank,MISC,101-0000-40000,fixed,1.00,no\n", 5, "code"),
    ],
)
def test_a_bad_row_imports_nothing_and_names_line_and_column(
    app: App, tmp_path: Path, row: str, line: int, column: str
) -> None:
    f = tmp_path / "codes.csv"
    f.write_text(CODES_HEADER + GOOD_CODES + row)
    before = dump_tables(app)
    data_dir = app.data_dir
    app.close()
    done = _cli(data_dir, "import", "revenue-codes", str(f))
    assert done.returncode == 1
    assert f"line {line}, column {column}" in done.stderr
    assert "Traceback" not in done.stderr
    app2 = open_app(data_dir, "W1")
    try:
        assert dump_tables(app2) == before
    finally:
        app2.close()


@pytest.mark.parametrize(
    ("kind", "text", "needle"),
    [
        ("users", "login,name,role,pin\nzed,Zed,boss,1234\n", "line 2, column role"),
        ("users", "login,name,role,pin\nzed,Zed,cashier,12\n", "line 2, column pin"),
        (
            "open-items",
            "ref,program,account,name,address,amount_due,due_date,revenue_code,status\n"
            "X-1,UTILITY,1,N,A,10.00,2026-13-01,UB-WATER,open\n",
            "line 2, column due_date",
        ),
        (  # a week date, which Python's fromisoformat reads as 2026-11-23
            "open-items",
            ITEMS_HEADER + "\nX-1,UTILITY,1,N,A,10.00,2026-W48-1,UB-WATER,open\n",
            "line 2, column due_date",
        ),
        (
            "open-items",
            "ref,program,account,name,address,amount_due,due_date,revenue_code,status\n"
            "X-1,UTILITY,1,N,A,10.00,2026-12-01,NO-SUCH,open\n",
            "line 2, column revenue_code",
        ),
        (
            "open-items",
            ITEMS_HEADER + ",as_of\n"
            "X-1,UTILITY,1,N,A,10.00,2026-12-01,UB-WATER,open,2026-11-23T10:00:00\n"
            "X-2,UTILITY,1,N,A,10.00,2026-12-01,UB-WATER,open,2026-11-23\n",
            "line 3, column as_of",
        ),
        (
            "open-items",
            ITEMS_HEADER + ",issued,notice,plate\n"
            "X-1,UTILITY,1,N,A,10.00,2026-12-01,UB-WATER,open,2026-11-01,,8ABC123\n"
            "X-2,UTILITY,1,N,A,10.00,2026-12-01,UB-WATER,open,,11/02/2026,\n",
            "line 3, column notice",
        ),
        (
            "open-items",
            ITEMS_HEADER + "\nX-1,UTILITY,1,N,A,10.00,2026-12-01,UB-WATER,open\n"
            "X-2,UTILITY,1,N,A,10.00,2026-12-01,UB-WATER,open\n"
            "X-1,UTILITY,1,N,A,10.00,2026-12-01,UB-WATER,open\n",
            "line 4, column ref: 'X-1' repeats line 2",
        ),
        (
            "open-items",
            ITEMS_HEADER + ",color\nX-1,UTILITY,1,N,A,10.00,2026-12-01,UB-WATER,open,red\n",
            "unknown color",
        ),
        ("users", "login,name,role\nzed,Zed,cashier\n", "line 1"),
        ("users", "login,name,role,pin\nzed,Zed,cashier\n", "line 2"),
    ],
)
def test_other_bad_files_are_refused_with_line_and_column(
    app: App, tmp_path: Path, kind: str, text: str, needle: str
) -> None:
    f = tmp_path / "in.csv"
    f.write_text(text)
    before = dump_tables(app)
    with pytest.raises(Refusal) as refused:
        app.desk.import_file(kind, f, **ADMIN)
    assert needle in refused.value.message
    assert dump_tables(app) == before


def test_a_file_that_is_not_utf8_is_refused(app: App, tmp_path: Path) -> None:
    f = tmp_path / "in.csv"
    f.write_bytes(b"login,name,role,pin\nz\xff,Z,cashier,1234\n")
    with pytest.raises(Refusal, match="not UTF-8"):
        app.desk.import_file("users", f, **ADMIN)


def test_a_missing_file_is_a_clear_message_not_a_traceback(app: App, tmp_path: Path) -> None:
    data_dir = app.data_dir
    app.close()
    done = _cli(data_dir, "import", "users", str(tmp_path / "nope.csv"))
    assert done.returncode == 1
    assert "no file" in done.stderr and "Traceback" not in done.stderr


def test_rows_with_the_same_key_are_replaced(app: App, tmp_path: Path) -> None:
    f = tmp_path / "codes.csv"
    f.write_text(CODES_HEADER + "DOG-LIC,Dog licence,ANIMAL,101-2200-42100,fixed,25.00,no\n")
    assert app.desk.import_file("revenue-codes", f, **SUPERVISOR).rows == 1
    from cashier_desk.desk import ItemRequest

    app.desk.login("amy", "4821")  # a quote needs someone logged in (programs.md)
    assert str(app.desk.quote([ItemRequest(code="DOG-LIC")]).total) == "25.00"


def test_pins_are_stored_only_as_peppered_argon2id_hashes(app: App, tmp_path: Path) -> None:
    f = tmp_path / "users.csv"
    f.write_text("login,name,role,pin\nzed,Zed Q,cashier,777123\n")
    app.desk.import_file("users", f, **ADMIN)
    with app.ledger.read() as conn:
        stored = conn.exec_driver_sql("SELECT pin_hash FROM users WHERE login='zed'").scalar()
    assert stored.startswith("$pepper1$") and "$argon2id$" in stored and "777123" not in stored
    raw = app.ledger.path.read_bytes() + app.ledger.path.with_suffix(".db-wal").read_bytes()
    assert b"777123" not in raw


def _pay(app: App, ref: str, amount: str) -> None:
    run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"ref": ref, "amount": amount}],
         "tenders": [{"type": "cash", "amount": amount}]},
    )  # fmt: skip


def _reimport(app: App, tmp_path: Path, amount: str, as_of: str | None) -> str:
    f = tmp_path / "again.csv"
    row = (
        "UB-100234,UTILITY,11-9082-01,Vera Oyelaran,6932 Canyon View Blvd,"
        f"{amount},2026-08-06,UB-WATER,open"
    )
    if as_of is None:
        f.write_text(f"{ITEMS_HEADER}\n{row}\n")
    else:
        f.write_text(f"{ITEMS_HEADER},as_of\n{row},{as_of}\n")
    app.desk.import_file("open-items", f, **SUPERVISOR)
    item = app.desk.open_item("UB-100234")
    assert item is not None
    return str(item.still_due)


def test_a_re_import_counts_the_payments_made_here_after_its_as_of(
    app: App, tmp_path: Path
) -> None:
    """The payment is taken at 15:00 UTC (the test clock).  A balance as of before it still
    has it to come off; a balance as of after it already reflects it."""
    _pay(app, "UB-100234", "50.00")
    assert _reimport(app, tmp_path, "82.15", "2026-11-23T14:00:00+00:00") == "32.15"
    assert _reimport(app, tmp_path, "82.15", "2026-11-23T08:59:59-06:00") == "32.15"
    assert _reimport(app, tmp_path, "32.15", "2026-11-23T16:00:00Z") == "32.15"
    assert _reimport(app, tmp_path, "32.15", "2026-11-23T09:00:01-06:00") == "32.15"
    # Without as_of the balance is the import's own: the payment before it is in it.
    assert _reimport(app, tmp_path, "32.15", None) == "32.15"
    # A later payment, after a balance as of before both, counts both.
    assert _reimport(app, tmp_path, "82.15", "2026-11-22T00:00:00+00:00") == "32.15"


def test_a_void_puts_back_what_a_re_imported_item_counted(app: App, tmp_path: Path) -> None:
    _pay(app, "UB-100234", "50.00")
    assert _reimport(app, tmp_path, "82.15", "2026-11-23T14:00:00+00:00") == "32.15"
    (receipt,) = app.desk.receipts()
    run_ok(app, {"op": "void", "receipt": receipt.receipt_no, "reason": "wrong item",
                 "approver": "lee", "approver_pin": "1111"})  # fmt: skip
    item = app.desk.open_item("UB-100234")
    assert item is not None and str(item.still_due) == "82.15"


def test_the_optional_columns_are_stored_and_old_files_still_import(
    app: App, tmp_path: Path
) -> None:
    f = tmp_path / "items.csv"
    f.write_text(
        ITEMS_HEADER + ",plate,issued,notice,as_of\n"
        "PK-1,PARKING,P-1,Ana Ruiz,1 Main St,45.00,2026-11-30,PKG-CIT-MTR,open,"
        "8ABC123,2026-11-01,2026-11-15,2026-11-20T12:00:00+01:00\n"
    )
    assert app.desk.import_file("open-items", f, **SUPERVISOR).rows == 1
    with app.ledger.read() as conn:
        row = conn.exec_driver_sql(
            "SELECT plate, issued, notice, as_of FROM open_items WHERE ref = 'PK-1'"
        ).one()
    assert tuple(row) == ("8ABC123", "2026-11-01", "2026-11-15", "2026-11-20T11:00:00+00:00")
    assert [i.ref for i in app.desk.search_open_items("8abc")] == ["PK-1"]
    old = tmp_path / "old.csv"
    old.write_text(ITEMS_HEADER + "\nPK-1,PARKING,P-1,Ana Ruiz,1 Main St,45.00,2026-11-30,"
                   "PKG-CIT-MTR,open\n")  # fmt: skip
    assert app.desk.import_file("open-items", old, **SUPERVISOR).rows == 1
