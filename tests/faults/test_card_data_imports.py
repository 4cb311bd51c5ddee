"""Card numbers in import files and in what the program says back (PCI DSS 3.3.1, 3.4.1).

A card number in a cell of an import file (any text column, a key too, in every writing the
filter reads) is masked to its last four and the row imported: the import counts the masked
cells and names the first few, and its audit record says so — a nightly file with one
look-alike account number is not refused.  A refusal, a usage error, a log line, the window's
banner or a file name in the audit log that quotes a card number shows it masked.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.ledger.db import LedgerError
from cashier_desk.ledger.import_result import MASKED_NAMED, Imported
from tests.faults.card_scan import (
    PANS,
    digits,
    fed_numbers_in,
    masked,
    scan_database,
    scan_files,
    scan_log,
)
from tests.faults.harness import ADMIN, cli
from tests.helpers import dump_tables

ITEMS = "ref,program,account,name,address,amount_due,due_date,revenue_code,status"
ITEM = "NEW-1,UTILITY,12-34,Zed,1 Main St,10.00,2026-12-01,UB-WATER,open"
CODES = "code,description,program,gl,fee_type,amount,partial_allowed"
CODE = "NEW,A fee,MISC,101-0000-49100,fixed,1.00,no"

#: (kind, header, a row with {t} in one text cell, the column, SQL reading the stored value)
TEXT_CELLS = [
    ("users", "login,name,role,pin", "zed,{t},cashier,1234", "name",
     "SELECT name FROM users WHERE login = 'zed'"),
    ("open-items", ITEMS, "NEW-1,UTILITY,{t},Zed,1 Main St,10.00,2026-12-01,UB-WATER,open",
     "account", "SELECT account FROM open_items WHERE ref = 'NEW-1'"),
    ("open-items", ITEMS, "NEW-1,UTILITY,12-34,{t},1 Main St,10.00,2026-12-01,UB-WATER,open",
     "name", "SELECT name FROM open_items WHERE ref = 'NEW-1'"),
    ("open-items", ITEMS, "NEW-1,UTILITY,12-34,Zed,{t},10.00,2026-12-01,UB-WATER,open",
     "address", "SELECT address FROM open_items WHERE ref = 'NEW-1'"),
    ("open-items", ITEMS, "NEW-1,{t},12-34,Zed,1 Main,10.00,2026-12-01,UB-WATER,open",
     "program", "SELECT program FROM open_items WHERE ref = 'NEW-1'"),
    ("open-items", ITEMS + ",plate", ITEM + ",{t}",
     "plate", "SELECT plate FROM open_items WHERE ref = 'NEW-1'"),
    ("revenue-codes", CODES, "NEW,{t},MISC,101-0000-49100,fixed,1.00,no",
     "description", "SELECT description FROM revenue_codes WHERE code = 'NEW'"),
    ("revenue-codes", CODES, "NEW,A fee,{t},101-0000-49100,fixed,1.00,no",
     "program", "SELECT program FROM revenue_codes WHERE code = 'NEW'"),
]  # fmt: skip


def _import(app: App, path: Path, kind: str, header: str, *rows: str) -> Imported:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return app.desk.import_file(kind, path, login="ada", pin="9999")  # the demo admin


def _one(app: App, sql: str) -> Any:
    with app.ledger.read() as conn:
        return conn.exec_driver_sql(sql).scalar_one()


def _last_import_audit(app: App) -> dict[str, Any]:
    with app.ledger.read() as conn:
        details = conn.exec_driver_sql(
            "SELECT details FROM audit_log WHERE action = 'import' ORDER BY seq DESC LIMIT 1"
        ).scalar_one()
    found: dict[str, Any] = json.loads(details)
    return found


def _keep(card_text: str, column: str) -> str:
    """The cell as the test writes it: the card text with words around it (a plate is short)."""
    return card_text if column == "plate" else f"paid {card_text} ok"


@pytest.mark.parametrize(
    ("kind", "header", "row", "column", "sql"),
    TEXT_CELLS,
    ids=[f"{c[0]}.{c[3]}" for c in TEXT_CELLS],
)
def test_a_card_number_in_an_imported_text_cell_is_masked_and_the_row_imported(
    slim_app: App, tmp_path: Path, kind: str, header: str, row: str, column: str, sql: str
) -> None:
    for card_text in PANS:
        if column == "plate" and len(card_text) > 20:
            continue  # longer than a plate may be, as it is written: refused for that
        cell = _keep(card_text, column)
        done = _import(slim_app, tmp_path / f"{kind}.csv", kind, header, row.format(t=f'"{cell}"'))
        assert done == Imported(1, 1, (f"line 2, column {column}",)), (card_text, done)
        kept = _one(slim_app, sql)
        assert kept == cell.replace(card_text, masked(card_text)), (card_text, kept)
        assert digits(card_text)[-4:] in kept and digits(card_text) not in digits(kept)
        audited = _last_import_audit(slim_app)
        assert audited["masked"] == 1 and audited["masked_at"] == [f"line 2, column {column}"]
    data = slim_app.data_dir
    assert scan_database(data / "ledger.db") == {}
    assert scan_files([data / "ledger.db", data / "ledger.db-wal"]) == {}


KEY_WRITINGS = [
    "4111111111111111",
    "4111-1111-1111-1111",
    "4111.1111.1111.1111",
    "4111_1111_1111_1111",
    "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
]


@pytest.mark.parametrize(
    ("kind", "header", "row", "sql"),
    [
        (
            "users",
            "login,name,role,pin",
            "{t},Zed,cashier,1234",
            "SELECT count(*) FROM users WHERE login = '****1111'",
        ),
        (
            "open-items",
            ITEMS,
            "{t},UTILITY,12-34,Zed,1 Main,10.00,2026-12-01,UB-WATER,open",
            "SELECT count(*) FROM open_items WHERE ref = '****1111'",
        ),
        (
            "revenue-codes",
            CODES,
            "{t},A fee,MISC,101-0000-49100,fixed,1.00,no",
            "SELECT count(*) FROM revenue_codes WHERE code = '****1111'",
        ),
    ],
    ids=["login", "ref", "code"],
)
def test_a_card_number_as_a_key_is_masked_and_the_row_imported(
    slim_app: App, tmp_path: Path, kind: str, header: str, row: str, sql: str
) -> None:
    for written in KEY_WRITINGS:
        done = _import(slim_app, tmp_path / "keys.csv", kind, header, row.format(t=written))
        assert (done.rows, done.masked) == (1, 1), written
        assert _one(slim_app, sql) == 1
    assert scan_database(slim_app.data_dir / "ledger.db") == {}


def test_two_keys_masked_alike_are_refused_as_a_repeat_without_showing_either(
    slim_app: App, tmp_path: Path
) -> None:
    before = dump_tables(slim_app)
    rows = ("4111111111111111,UTILITY,1,Zed,1 Main,10.00,2026-12-01,UB-WATER,open",
            "4000000000061111,UTILITY,2,Ann,2 Main,10.00,2026-12-01,UB-WATER,open")  # fmt: skip
    with pytest.raises(Refusal) as refused:
        _import(slim_app, tmp_path / "items.csv", "open-items", ITEMS, *rows)
    assert refused.value.code == "bad_row"
    assert "line 3, column ref: '****1111' repeats line 2" in refused.value.message
    assert fed_numbers_in(refused.value.message.encode()) == []
    assert "4000000000061111" not in refused.value.message
    assert dump_tables(slim_app) == before


def test_one_look_alike_account_number_does_not_refuse_a_nightly_file(
    slim_app: App, tmp_path: Path
) -> None:
    """5,000 rows, one account a Luhn-valid Visa-like number; others Luhn-valid numbers no card
    issuer uses (kept as they are)."""
    rows = [
        f"BIG-{i},UTILITY,{'7000000000000006' if i % 7 == 0 else f'12-{i}'},N {i},"
        f"{i} Main St,10.00,2026-12-01,UB-WATER,open"
        for i in range(5000)
    ]
    rows[2500] = rows[2500].replace("12-2500", "4111 1111 1111 1111")
    done = _import(slim_app, tmp_path / "nightly.csv", "open-items", ITEMS, *rows)
    assert done == Imported(5000, 1, ("line 2502, column account",))
    assert _one(slim_app, "SELECT account FROM open_items WHERE ref = 'BIG-2500'") == "****1111"
    not_a_card = _one(slim_app, "SELECT account FROM open_items WHERE ref = 'BIG-7'")
    assert not_a_card == "7000000000000006"


def test_every_masked_cell_is_counted_and_the_first_ones_named(
    slim_app: App, tmp_path: Path
) -> None:
    rows = [
        f"M-{i},UTILITY,4111111111111111,Zed {i},5500 0055 5555 5559,10.00,2026-12-01,UB-WATER,open"
        for i in range(15)
    ]
    done = _import(slim_app, tmp_path / "many.csv", "open-items", ITEMS, *rows)
    assert (done.rows, done.masked, len(done.masked_at)) == (15, 30, MASKED_NAMED)
    assert done.masked_at[:3] == ("line 2, column account", "line 2, column address",
                                  "line 3, column account")  # fmt: skip
    assert _last_import_audit(slim_app) == {"file": "many.csv", **done.summary()}


def test_a_card_number_in_the_import_file_name_is_masked_in_the_audit_log(
    slim_app: App, tmp_path: Path
) -> None:
    for card_text in ("4111111111111111", "4111\u00a01111\u00a01111\u00a01111"):
        path = tmp_path / f"items {card_text}.csv"
        _import(slim_app, path, "open-items", ITEMS, ITEM)
        assert _last_import_audit(slim_app)["file"] == f"items {masked(card_text)}.csv"
        # A refusal naming the file masks it too.
        path.write_text("", encoding="utf-8")
        with pytest.raises(Refusal) as refused:
            slim_app.desk.import_file("open-items", path, login="ada", pin="9999")
        assert f"items {masked(card_text)}.csv" in refused.value.message
    assert scan_database(slim_app.data_dir / "ledger.db") == {}


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("NEW-1,UTILITY,1,Zed,1 Main,10.00,2026-12-01,UB-WATER,{t}", "status"),
        ("NEW-1,UTILITY,1,Zed,1 Main,10.00,2026-12-01,{t},open", "revenue_code"),
        ("NEW-1,UTILITY,1,Zed,1 Main,10.00,{t},UB-WATER,open", "due_date"),
        ("NEW-1,UTILITY,1,Zed,1 Main,{t},2026-12-01,UB-WATER,open", "amount_due"),
    ],
)
def test_an_import_row_refused_for_another_reason_never_shows_its_card_number(
    slim_app: App, tmp_path: Path, row: str, column: str
) -> None:
    for card_text in PANS:
        with pytest.raises(Refusal) as refused:
            _import(slim_app, tmp_path / "bad.csv", "open-items", ITEMS, row.format(t=card_text))
        message = refused.value.message
        assert f"line 2, column {column}" in message, message
        assert fed_numbers_in(message.encode()) == [], message


def test_the_command_line_counts_the_masked_cells_and_masks_what_it_echoes(
    slim_template: Path, tmp_path: Path
) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    f = tmp_path / "items.csv"
    f.write_text(f"{ITEMS}\nNEW-1,UTILITY,4111 1111 1111 1111,Zed,1 Main,10.00,2026-12-01,"
                 "UB-WATER,open\n", encoding="utf-8")  # fmt: skip
    done = cli(data, "import", "open-items", str(f), env=ADMIN)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "import": "open-items", "rows": 1, "masked": 1, "masked_at": ["line 2, column account"],
    }  # fmt: skip
    echoes = {
        "a usage error": ("import", "4111111111111111", str(f)),
        "a search that finds nothing": ("search", "4111 1111 1111 1111"),
        "a refusal naming a file": ("import", "users", str(tmp_path / "4111111111111111.csv")),
        "a bad date": ("receipts", "--date", "4111111111111111"),
    }
    for what, argv in echoes.items():
        said = cli(data, *argv, env=ADMIN)
        assert "****1111" in said.stderr, (what, said.stderr)
        assert fed_numbers_in((said.stdout + said.stderr).encode()) == [], (what, said.stderr)
    assert scan_log(data / "cashier-desk.log") == []


def test_a_log_line_and_a_ledger_error_mask_a_card_number(slim_app: App) -> None:
    for card_text in PANS:
        logging.getLogger("cashier_desk.test").error("typed %s at the counter", card_text)
        try:
            raise ValueError(f"no such thing as {card_text}")
        except ValueError:
            logging.getLogger("cashier_desk.test").exception("and a traceback")
        assert fed_numbers_in(str(LedgerError(f"cannot open {card_text}/ledger.db")).encode()) == []
    for handler in logging.getLogger().handlers:
        handler.flush()
    log = (slim_app.data_dir / "cashier-desk.log").read_bytes()
    assert log.count(b"****1111") >= 3
    assert fed_numbers_in(log) == [] and scan_log(slim_app.data_dir / "cashier-desk.log") == []


def test_central_import_masks_too(tmp_path: Path) -> None:
    from cashier_desk.sync import central
    from cashier_desk.sync.pull import central_import

    engine = central.engine_for(f"sqlite:///{tmp_path / 'central.db'}")
    try:
        central.init_central(engine)
        codes = tmp_path / "codes.csv"
        codes.write_text(f"{CODES}\nUB-WATER,Water,UTILITY,101-0000-41100,open,,yes\n")
        central_import(engine, "revenue-codes", codes, "2026-11-01T00:00:00+00:00")
        items = tmp_path / "items.csv"
        items.write_text(f"{ITEMS}\nNEW-1,UTILITY,\"6011\u00a01111\u00a01111\u00a01117\",Zed,"
                         "1 Main,10.00,2026-12-01,UB-WATER,open\n", encoding="utf-8")  # fmt: skip
        done = central_import(engine, "open-items", items, "2026-11-01T00:00:00+00:00")
        assert done == Imported(1, 1, ("line 2, column account",))
        with engine.connect() as conn:
            account = conn.execute(sa.text("SELECT account FROM ref_open_items")).scalar_one()
        assert account == "****1117"
    finally:
        engine.dispose()
    assert scan_database(tmp_path / "central.db") == {}
    assert os.path.exists(tmp_path / "central.db")
