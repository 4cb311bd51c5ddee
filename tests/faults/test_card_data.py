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

import contextlib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.runner import run_op
from tests.faults.fuzzing import (
    PIN_TRACE,
    assert_refusal,
    at_the_counter,
    changed_tables,
)
from tests.faults.harness import cli, run_script
from tests.helpers import ADMIN, dump_tables

Op = dict[str, Any]

PANS = [
    "4111111111111111",  # Visa
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "5500005555555559",  # Mastercard
    "378282246310005",  # Amex, 15 digits
    "6011111111111117",  # Discover
    "4222222222222",  # Visa, 13 digits
    "6304000000000000",  # Maestro
    "4000000000000000006",  # 19 digits
    # Written as no ASCII filter would see them: no-break spaces, fullwidth digits,
    # underscores, Arabic-Indic digits, thin spaces.
    "4111\u00a01111\u00a01111\u00a01111",
    "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
    "5500_0055_5555_5559",
    "\u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661",
    "6011\u20091111\u20091111\u20091117",
]
TRACKS = [
    "%B4111111111111111^DOE/JOHN^2512101000000000000000000000000?",
    ";4111111111111111=25121010000000000000?",
    "%B5500005555555559^SMITH/ANN B^27011010000000000?;5500005555555559=2701101000000?",
]
CARD_TEXTS = PANS + TRACKS
CVVS = ["123", "1234", "CVV 123", "cvc: 987"]


def luhn_ok(number: str) -> bool:
    """The Luhn check, written here again so that the scan does not share the app's code."""
    total = 0
    for i, d in enumerate(int(c) for c in reversed(number)):
        total += d if i % 2 == 0 else (d * 2 if d < 5 else d * 2 - 9)
    return total % 10 == 0


def as_read(text: str) -> str:
    """Text as a person reads it: compatibility forms folded (NFKC) and digits of every
    script written 0-9 (independent of the app's own filter)."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in folded)


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", as_read(text))


def mask(pan: str) -> str:
    return "*" * (len(pan) - 4) + pan[-4:]


# -- the scan --------------------------------------------------------------------------------

_RUN = re.compile(r"[0-9](?:[ _-]?[0-9]){12,}", re.ASCII)
_HEX = re.compile(rb"[0-9a-fA-F]{32,}")  # SHA-256 chain hashes are not card numbers


def card_numbers_in(data: bytes) -> list[str]:
    """Every 13–19 digit run (spaces, underscores or dashes allowed) holding a Luhn-valid
    number, masked; read as a person would (fullwidth or other-script digits count)."""
    found: list[str] = []
    text = as_read(_HEX.sub(b"#", data).decode("utf-8", errors="replace"))
    for m in _RUN.finditer(text):
        run = digits(m.group())
        hit = next(
            (
                run[s : s + n]
                for n in range(13, 20)
                for s in range(len(run) - n + 1)
                if luhn_ok(run[s : s + n])
            ),
            None,
        )
        if hit is not None:
            found.append(mask(hit))
    return found


def fed_numbers_in(data: bytes) -> list[str]:
    """The card numbers this test fed, in any of the forms it fed them."""
    found = []
    for pan in {digits(p) for p in CARD_TEXTS}:
        forms = {pan, " ".join(re.findall(".{1,4}", pan)), "-".join(re.findall(".{1,4}", pan))}
        if any(f.encode() in data for f in forms):
            found.append(mask(pan))
    return found


def scan_files(paths: list[Path]) -> dict[str, list[str]]:
    """The card numbers this test fed, wherever they are in these files (raw bytes: SQLite
    pages, the WAL, the log)."""
    hits: dict[str, list[str]] = {}
    for path in paths:
        if path.exists():
            found = fed_numbers_in(path.read_bytes())
            if found:
                hits[path.name] = sorted(set(found))
    return hits


HASH_COLUMNS = {"hash", "prev_hash", "sha256", "pin_hash"}


def _without_hashes(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _without_hashes(v) for k, v in obj.items() if k not in HASH_COLUMNS}
    if isinstance(obj, list):
        return [_without_hashes(v) for v in obj]
    return obj


def payloads(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT payload FROM batches")]
    finally:
        conn.close()


def scan_database(db: Path) -> dict[str, list[str]]:
    """Any full card number in any text value of any table (hash columns aside).  Values are
    scanned one by one: in the raw file, adjacent columns run together (a date followed by a
    timestamp reads as one long run of digits)."""
    hits: dict[str, list[str]] = {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            for row in cursor:
                for name, value in zip(names, row, strict=True):
                    if name in HASH_COLUMNS or not isinstance(value, str):
                        continue
                    if value.startswith(("{", "[")):
                        with contextlib.suppress(json.JSONDecodeError):
                            value = json.dumps(_without_hashes(json.loads(value)))
                    found = card_numbers_in(value.encode()) + fed_numbers_in(value.encode())
                    if found:
                        hits.setdefault(f"{table}.{name}", []).extend(found)
    finally:
        conn.close()
    return hits


def scan_log(path: Path) -> list[str]:
    found: list[str] = []
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            found += card_numbers_in(line.encode())
    return found


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


def _import(app: App, tmp: Path, kind: str, header: str, row: str) -> Refusal | None:
    path = tmp / f"{kind}.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    try:
        app.desk.import_file(kind, path, **ADMIN)
    except Refusal as exc:
        return exc
    return None


IMPORT_TEXT_CELLS = [
    ("users", "login,name,role,pin", "zed,{t},cashier,1234"),
    (
        "open-items",
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status",
        "NEW-1,UTILITY,{t},Zed,1 Main St,10.00,2026-12-01,UB-WATER,open",
    ),
    (
        "open-items",
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status",
        "NEW-1,UTILITY,12-34,{t},1 Main St,10.00,2026-12-01,UB-WATER,open",
    ),
    (
        "open-items",
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status",
        "NEW-1,UTILITY,12-34,Zed,{t},10.00,2026-12-01,UB-WATER,open",
    ),
    (
        "revenue-codes",
        "code,description,program,gl,fee_type,amount,partial_allowed",
        "NEW,{t},MISC,101-0000-49100,fixed,1.00,no",
    ),
]


@pytest.mark.parametrize("kind, header, row", IMPORT_TEXT_CELLS)
def test_an_import_file_with_a_card_number_in_a_text_cell_is_refused_whole(
    slim_app: App, tmp_path: Path, kind: str, header: str, row: str
) -> None:
    for card_text in ("4111111111111111", "4111 1111 1111 1111"):
        before = dump_tables(slim_app)
        refused = _import(slim_app, tmp_path, kind, header, row.format(t=f'"{card_text}"'))
        assert refused is not None and refused.code == "bad_row", refused
        assert "card number" in refused.message and "line 2" in refused.message
        assert card_text not in refused.message
        assert dump_tables(slim_app) == before


@pytest.mark.parametrize(
    "kind, header, row",
    [
        ("users", "login,name,role,pin", "4111111111111111,Zed,cashier,1234"),
        (
            "open-items",
            "ref,program,account,name,address,amount_due,due_date,revenue_code,status",
            "4111111111111111,UTILITY,12-34,Zed,1 Main,10.00,2026-12-01,UB-WATER,open",
        ),
        (
            "revenue-codes",
            "code,description,program,gl,fee_type,amount,partial_allowed",
            "4111111111111111,A fee,MISC,101-0000-49100,fixed,1.00,no",
        ),
    ],
)
def test_an_import_file_with_a_card_number_as_a_key_is_refused(
    slim_app: App, tmp_path: Path, kind: str, header: str, row: str
) -> None:
    refused = _import(slim_app, tmp_path, kind, header, row)
    assert refused is not None and refused.code == "bad_row"


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


def test_after_a_whole_day_with_card_payments_no_file_holds_a_card_number(
    slim_template: Path, tmp_path: Path
) -> None:
    """Through the real command line: the card texts fed at every path (all refused), a day with
    card, check and cash payments, a void, the close, approval, closeout and sync; then the
    ledger, its WAL, the log, central and the payloads are scanned."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
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
            "op": "close_drawer",
            "counted": {
                "cash": {"20.00": 5},
                "checks": [{"number": "1042", "amount": "20.00"}],
                "card": "117.16",
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
    files = [
        data / n
        for n in ("ledger.db", "ledger.db-wal", "cashier-desk.log", "central.db", "central.db-wal")
    ]
    assert scan_files(files) == {}
    assert scan_database(data / "ledger.db") == {}
    assert scan_database(data / "central.db") == {}
    assert scan_log(data / "cashier-desk.log") == []
    (payload,) = payloads(data / "ledger.db")
    body = json.dumps(_without_hashes(json.loads(payload))).encode()
    assert card_numbers_in(body) == [] and fed_numbers_in(body) == []
    assert b'"last4": "1111"' in body  # the last four are kept, and only they
    # Once more after another start and clean close.
    listed = cli(data, "receipts")
    assert listed.returncode == 0
    assert scan_files(files) == {}
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
