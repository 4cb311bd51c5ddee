"""Card data (PCI DSS 3.3.1, 3.4.1): a full card number or a magnetic track is never kept.

Luhn-valid card numbers (plain, spaced, dashed, 13 to 19 digits), whole track 1 and track 2
strings and CVV-like values are fed through every way text gets into the workstation: the
scanner, the payer's name, check and money-order numbers, reasons, comments, the drawer id, the
login name typed at login and by an approver, the card tender's fields, the blind count, and
the import files.  Where the rules refuse them, the refusal is checked.  Then a normal day with
card payments is closed out and synced, and every place data lands is scanned for a full card
number — 13 to 19 digits (spaces or dashes between them allowed) that pass the Luhn check: the
ledger file, its WAL, the log file, the central database (and its WAL) and the sync payloads
(``batches.payload``).  Only the last four digits may be kept.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from cashier_desk.sync import access, central
from tests.faults.card_scan import (
    CARD_TEXTS,
    CVVS,
    PANS,
    card_numbers_in,
    digits,
    fed_numbers_in,
    mask,
    masked,
    payloads,
    pg_dump,
    scan_database,
    scan_dump,
    scan_files,
    scan_log,
    scan_tree,
    without_hashes,
)
from tests.faults.fuzzing import (
    PIN_TRACE,
    assert_refusal,
    at_the_counter,
    changed_tables,
)
from tests.faults.harness import ADMIN, DEMO, cli, run_script
from tests.helpers import dump_tables

Op = dict[str, Any]


# -- every input path ------------------------------------------------------------------------


def sale(payer: object = "A. Novak", tender: Op | None = None, **item: object) -> Op:
    return {
        "op": "sale",
        "items": [item or {"code": "DOG-LIC"}],
        "tenders": [tender or {"type": "cash", "amount": "50.00"}],
        "payer": payer,
    }


#: (input path, the operation carrying the card text, the refusals it may get)
PATHS: dict[str, tuple[Callable[[str], Op], set[str]]] = {
    "payer's name": (lambda t: sale(payer=t), {"bad_text"}),
    "check number": (
        lambda t: sale(tender={"type": "check", "amount": "20.00", "number": t}),
        {"bad_text"},
    ),
    "money-order number": (
        lambda t: sale(tender={"type": "money_order", "amount": "20.00", "number": t}),
        {"bad_text"},
    ),
    "card tender auth": (
        lambda t: sale(tender={"type": "card", "amount": "20.00", "auth": t, "last4": "1111"}),
        {"bad_text", "bad_card"},
    ),
    "card tender last4": (
        lambda t: sale(tender={"type": "card", "amount": "20.00", "auth": "A1", "last4": t}),
        {"bad_card"},
    ),
    "card tender with the number": (
        lambda t: sale(
            tender={"type": "card", "amount": "20.00", "auth": "A1", "last4": "1111", "pan": t}
        ),
        {"bad_request"},
    ),
    "void reason": (
        lambda t: {
            "op": "void",
            "receipt": "W1-000001",
            "approver": "lee",
            "approver_pin": "1111",
            "reason": t,
        },
        {"bad_text"},
    ),
    "paid-out reason": (
        lambda t: {"op": "paid_out", "amount": "1.00", "reason": t, "gl": "101-1200-52100"},
        {"bad_text"},
    ),
    "no-sale reason": (lambda t: {"op": "no_sale", "reason": t}, {"bad_text"}),
    "drawer id": (
        lambda t: {"op": "open_drawer", "drawer": t, "opening": {"20.00": 1}},
        {"bad_text", "drawer_already_open"},
    ),
    "counted check number": (
        lambda t: {"op": "close_drawer", "counted": {"checks": [{"number": t, "amount": "1.00"}]}},
        {"bad_text"},
    ),
    "counted money-order number": (
        lambda t: {
            "op": "close_drawer",
            "counted": {"money_orders": [{"number": t, "amount": "1.00"}]},
        },
        {"bad_text"},
    ),
    "approval comment": (
        lambda t: {"op": "approve_close", "approver": "lee", "approver_pin": "1111", "comment": t},
        {"bad_text"},
    ),
    "reprint receipt number": (lambda t: {"op": "reprint", "receipt": t}, {"bad_text"}),
    "approve_close session": (
        lambda t: {
            "op": "approve_close",
            "session": t,
            "approver": "lee",
            "approver_pin": "1111",
            "comment": "ok",
        },
        {"bad_text", "nothing_to_approve"},
    ),
    "login name": (lambda t: {"op": "login", "user": t, "pin": "4821"}, {"bad_credentials"}),
    "login PIN": (lambda t: {"op": "login", "user": "nobody", "pin": t}, {"bad_credentials"}),
    "void approver name": (
        lambda t: {
            "op": "void",
            "receipt": "W1-000001",
            "approver": t,
            "approver_pin": "1111",
            "reason": "x",
        },
        {"bad_credentials"},
    ),
    "closeout approver name": (
        lambda t: {"op": "closeout", "approver": t, "approver_pin": "2222"},
        {"bad_credentials", "drawer_open"},
    ),
    "item code": (lambda t: sale(code=t), {"unknown_code"}),
    "open-item ref": (lambda t: sale(ref=t), {"unknown_ref"}),
    "amount": (
        lambda t: {"op": "drop", "amount": t},
        {"bad_amount", "more_than_drawer", "amount_too_large"},
    ),
    "closeout date": (
        lambda t: {"op": "closeout", "date": t, "approver": "pat", "approver_pin": "2222"},
        {"bad_date"},
    ),
}


GL_ACCOUNT: Callable[[str], Op] = lambda t: {  # noqa: E731
    "op": "paid_out",
    "amount": "1.00",
    "reason": "x",
    "gl": t,
}


def test_card_numbers_and_tracks_are_refused_on_every_input_path_and_never_kept(
    slim_app: App,
) -> None:
    at_the_counter(slim_app)
    refused = 0
    for path, (make, codes) in PATHS.items():
        for card_text in CARD_TEXTS:
            before = dump_tables(slim_app)
            result = run_op(slim_app.desk, make(card_text))
            assert result["ok"] is False, (path, card_text, result)
            assert result["error"] in codes, (path, card_text, result)
            if result["error"] == "bad_credentials":
                changed = changed_tables(before, dump_tables(slim_app))
                assert changed <= PIN_TRACE, (path, changed)
            else:
                assert_refusal(result, before, slim_app)
            refused += 1
    # The scanner: a card swiped or keyed where a bill stub is scanned.
    for card_text in CARD_TEXTS:
        with pytest.raises(Refusal) as scan:
            slim_app.desk.lookup_scan(card_text)
        assert scan.value.code == "bad_text", card_text
        refused += 1
    # A failed login with a card number as the name is audited as "?", never with the text.
    with slim_app.ledger.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT actor, target, details FROM audit_log WHERE action = 'login_failed'"
        ).all()
    assert rows and all(r.actor in ("?", "nobody", "amy", "lee", "pat") for r in rows)
    assert not any(card_numbers_in(str(tuple(r)).encode()) for r in rows)
    assert refused == len(PATHS) * len(CARD_TEXTS) + len(CARD_TEXTS)
    # The files as they are now, the write-ahead log included (the ledger is still open).
    data = slim_app.data_dir
    assert (data / "ledger.db-wal").exists()
    assert scan_files([data / "ledger.db", data / "ledger.db-wal", data / "cashier-desk.log"]) == {}
    assert scan_database(data / "ledger.db") == {}
    assert scan_log(data / "cashier-desk.log") == []


@pytest.mark.parametrize("cvv", CVVS)
def test_a_cvv_has_nowhere_to_go_on_a_card_tender(slim_app: App, cvv: str) -> None:
    at_the_counter(slim_app)
    extras: list[Op] = [{"cvv": cvv}, {"cvc": cvv}]
    if not re.fullmatch("[0-9]{4}", cvv):  # a four-digit CVV cannot be told from a last four
        extras.append({"last4": cvv})
    for extra in extras:
        tender = {"type": "card", "amount": "20.00", "auth": "A1B2C3", "last4": "4242", **extra}
        before = dump_tables(slim_app)
        result = run_op(slim_app.desk, sale(tender=tender))
        assert result["error"] in ("bad_request", "bad_card"), result
        assert_refusal(result, before, slim_app)


@pytest.mark.parametrize(
    "path", ["item code", "open-item ref", "amount", "GL account", "closeout date"]
)
def test_a_refusal_never_shows_a_card_number_back_in_full(slim_app: App, path: str) -> None:
    at_the_counter(slim_app)
    make = GL_ACCOUNT if path == "GL account" else PATHS[path][0]
    result = run_op(slim_app.desk, make("4111111111111111"))
    assert result["ok"] is False
    assert "4111111111111111" not in result["message"], result["message"]


def test_a_card_number_typed_as_a_gl_account_is_refused(slim_app: App) -> None:
    at_the_counter(slim_app)
    for card_text in CARD_TEXTS:
        before = dump_tables(slim_app)
        result = run_op(slim_app.desk, GL_ACCOUNT(card_text))
        assert result["ok"] is False, (card_text, result)
        assert_refusal(result, before, slim_app)


@pytest.mark.parametrize("written", ["4111.1111.1111.1111", "4111/1111/1111/1111"])
def test_a_card_number_written_with_dots_or_slashes_is_refused_too(
    slim_app: App, written: str
) -> None:
    at_the_counter(slim_app)
    result = run_op(slim_app.desk, sale(payer=written))
    assert result["error"] == "bad_text"


@pytest.fixture(params=["sqlite", "postgresql"])
def central_db(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Where the day's batch goes: central.db in the data folder (None), or a PostgreSQL
    database of its own, ``cashier_desk_pan_<hex>``, initialised, with workstation W1
    registered for a role of its own, ``cashier_desk_pan_<hex>_w1`` (both dropped after the
    test).  Without a server the PostgreSQL case skips, unless CI=true."""
    if request.param == "sqlite":
        yield None
        return
    import psycopg

    try:
        admin = psycopg.connect(
            host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True,
            sslmode="disable", connect_timeout=3,
        )  # fmt: skip
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but PostgreSQL on 127.0.0.1:5432 is unreachable: {exc}")
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432 (set CI=true to require it)")
    name = f"cashier_desk_pan_{secrets.token_hex(4)}"
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        engine = central.engine_for(PG_URL.format(db=name))
        try:
            central.init_central(engine)
            access.add(engine, "W1", at="2026-12-01T00:00:00+00:00", role=f"{name}_w1",
                       password=False)  # fmt: skip
        finally:
            engine.dispose()
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{name}_w1"')
        admin.close()


PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}?sslmode=disable"


def _cli(data: Path, *args: str) -> dict[str, Any]:
    """``cashier-desk --data-dir DATA ARGS`` as an admin; its last JSON line (exit 0)."""
    done = cli(data, *args, env=ADMIN)
    assert done.returncode == 0, (args, done.stderr[-3000:])
    assert fed_numbers_in((done.stdout + done.stderr).encode()) == [], (args, done.stderr)
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def card_tender(amount: str, auth: str, last4: str) -> Op:
    return {"type": "card", "amount": amount, "auth": auth, "last4": last4}


def _write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _import_the_card_texts(data: Path, folder: Path) -> None:
    """Reference data with every card writing in its text cells (and the files' names):
    each imported, each cell masked and counted."""
    n = len(PANS)
    codes = _write_csv(
        folder / f"codes {PANS[0]}.csv",
        "code,description,program,gl,fee_type,amount,partial_allowed",
        [f'CF{i},"Fee {t}",MISC,101-0000-49100,fixed,5.00,no' for i, t in enumerate(PANS)],
    )
    people = _write_csv(
        folder / f"people {PANS[-1]}.csv",
        "login,name,role,pin",
        [f'zed{i},"Zed {t}",cashier,1234' for i, t in enumerate(PANS)],
    )
    items = _write_csv(
        folder / f"items {PANS[10]}.csv",
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status",
        [
            f'CARD-{i},UTILITY,"{t}","Payer {t}","{t} Main St",10.00,2026-12-01,UB-WATER,open'
            for i, t in enumerate(PANS)
        ],
    )
    for kind, path, masked_cells in (
        ("revenue-codes", codes, n),
        ("users", people, n),
        ("open-items", items, 3 * n),
    ):
        done = _cli(data, "import", kind, str(path))
        assert (done["rows"], done["masked"]) == (n, masked_cells), done


def test_after_a_whole_day_with_card_payments_no_file_holds_a_card_number(
    slim_template: Path, tmp_path: Path, central_db: str | None
) -> None:
    """Through the real command line: reference data holding every card writing imported
    (masked), the card texts fed at every path of the counter (all refused), a day with card,
    check and cash payments (an imported item and fee among them), a void, the close,
    approval, closeout and sync to central (SQLite, or PostgreSQL), the papers (PDF), the
    exports and a report; then every file of the data folder (PDFs uncompressed), the
    databases value by value, the payload and central's dump are scanned."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    if central_db is not None:
        with (data / "config.toml").open("a", encoding="utf-8") as fh:
            # The day syncs as W1's role; central's own commands run as postgres (--central).
            ws_url = PG_URL.replace("postgres@", f"{central_db}_w1@").format(db=central_db)
            fh.write(f'\n[central]\nurl = "{ws_url}"\n')
    _import_the_card_texts(data, tmp_path)
    ops: list[Op] = [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        sale(tender={"type": "card", "amount": "20.00", "auth": "A1B2C3", "last4": "1111"}),
    ]
    for make, _codes in PATHS.values():
        for card_text in CARD_TEXTS:
            ops.append({**make(card_text), "expect": "error"})
    ops += [
        {"op": "login", "user": "amy", "pin": "4821"},
        sale(tender={"type": "card", "amount": "20.00", "auth": "ZX9", "last4": "0005"}),
        sale(tender={"type": "check", "amount": "20.00", "number": "1042"}),
        {
            "op": "sale",
            "items": [{"ref": "UB-100001"}],
            "tenders": [{"type": "card", "amount": "97.16", "auth": "Q7", "last4": "5559"}],
        },
        {
            "op": "void",
            "receipt": "W1-000002",
            "approver": "lee",
            "approver_pin": "1111",
            "reason": "customer changed card",
        },
        {
            "op": "sale",
            "items": [{"ref": f"CARD-{i}"} for i in range(len(PANS))]
            + [{"code": f"CF{i}"} for i in range(len(PANS))],
            "tenders": [card_tender(f"{15 * len(PANS)}.00", "K1", "0006")],
        },
        {
            "op": "close_drawer",
            "counted": {
                "cash": {"20.00": 5},
                "checks": [{"number": "1042", "amount": "20.00"}],
                "card": str(Money.parse("117.16") + Money(1500 * len(PANS))),
            },
        },
        {"op": "closeout", "approver": "pat", "approver_pin": "2222"},
        {"op": "sync"},
    ]
    done = run_script(data, ops, tmp_path / "day.jsonl")
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert results[-1] == {
        "op": "sync", "ok": True, "sent": 1, "already_there": 0, "pending": 0, "quarantined": 0,
    }  # fmt: skip
    day = results[-2]["date"]
    papers = _cli(data, "papers")
    assert Path(papers["deposit_slip"]).is_file() and Path(papers["summary"]).is_file()
    _cli(data, "export")
    _cli(data, "report", "over-short", "--from", day, "--to", day)
    central_items = _write_csv(
        tmp_path / "central items.csv",
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status",
        [f'C-{i},UTILITY,"{t}",Zed,1 Main,1.00,2026-12-01,UB-WATER,open'
         for i, t in enumerate(PANS)],
    )  # fmt: skip
    admin = [] if central_db is None else ["--central", PG_URL.format(db=central_db)]
    _cli(data, *admin, "central", "import", "revenue-codes", str(DEMO / "revenue_codes.csv"))
    done_items = _cli(data, *admin, "central", "import", "open-items", str(central_items))
    assert done_items["masked"] == len(PANS)
    assert {p.suffix for p in data.rglob("*") if p.is_file()} >= {".pdf", ".csv", ".db", ".log"}
    assert scan_tree(data) == {}
    assert scan_database(data / "ledger.db") == {}
    if central_db is None:
        assert scan_database(data / "central.db") == {}
    else:
        dump = pg_dump(central_db)
        assert "****1111" in dump and "CARD-0" in dump
        assert scan_dump(dump) == []
    assert scan_log(data / "cashier-desk.log") == []
    (payload,) = payloads(data / "ledger.db")
    body = json.dumps(without_hashes(json.loads(payload))).encode()
    assert card_numbers_in(body) == [] and fed_numbers_in(body) == []
    assert b'"last4": "1111"' in body  # the last four are kept, and only they
    assert b"****1111" in body  # an imported item's masked account travels as it is
    # Once more after another start and clean close.
    cli(data, "receipts")
    assert scan_tree(data) == {}
    assert scan_database(data / "ledger.db") == {}


def test_the_scans_find_a_card_number_where_there_is_one(tmp_path: Path) -> None:
    """The scans above would see a card number: planted in a table, found in the file and in
    the value; and the usual contents of a ledger are not taken for one."""
    db = tmp_path / "planted.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (note TEXT, hash TEXT)")
    conn.execute("INSERT INTO t VALUES ('paid by 4111 1111 1111 1111', ?)", ("ab12" * 16,))
    conn.commit()
    conn.close()
    assert {k: set(v) for k, v in scan_database(db).items()} == {"t.note": {"************1111"}}
    assert scan_files([db]) == {"planted.db": ["************1111"]}
    ordinary = b'2026-11-23T15:54:12.317840+00:00 W1-000001 "97.16" 101-0000-41100 W1-S000001'
    assert card_numbers_in(ordinary) == []
    assert card_numbers_in(b"378282246310005") == ["***********0005"]
    # Every writing the tests feed is found as it was written, inside other text.
    for card_text in PANS:
        found = fed_numbers_in(f"x\tpaid {card_text} ok\t1".encode())
        assert found == [mask(digits(card_text))], card_text
        assert fed_numbers_in(f"paid {masked(card_text)} ok".encode()) == []
    # In a PDF, drawn as the papers draw their text (compressed content streams).
    from reportlab.pdfgen.canvas import Canvas

    pdf = tmp_path / "papers" / "slip.pdf"
    pdf.parent.mkdir()
    canvas = Canvas(str(pdf), invariant=1)
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, 720, "Payer 5500 0055 5555 5559")
    canvas.save()
    assert b"5559" not in pdf.read_bytes()  # compressed: a plain search would miss it
    assert scan_tree(tmp_path) == {
        "papers/slip.pdf": ["************5559"],
        "planted.db": ["************1111"],
    }
    # In a dump's rows, value by value.
    assert scan_dump("C-1\tUTILITY\t6011 1111 1111 1117\t2026-12-01\n") == [
        "************1117",
        "************1117",
    ]
    assert scan_dump("C-1\tUTILITY\t****1117\t2026-12-01 10:00:00+00\t2500\n") == []
