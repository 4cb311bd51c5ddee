"""Input fuzzing: whatever a person, a script, a file or a scanner hands the workstation, it is
refused with a clear message (a stable code) and changes nothing — never a crash.

Covered here: money strings and GL distributions, quantities, script operations as random JSON
(through ``runner.run_op`` and through ``cashier-desk run``), malformed script files, CSV
imports of random bytes and random rows, scanner bytes (``LineSplitter`` and
``Desk.lookup_scan``), and configuration files (``parse_config`` and the command line).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
import subprocess
import unicodedata
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cashier_desk import cli
from cashier_desk.app import App
from cashier_desk.config import ConfigError, parse_config
from cashier_desk.devices.scanner import MAX_LENGTH, LineSplitter
from cashier_desk.errors import Refusal
from cashier_desk.ledger.import_rows import COLUMNS
from cashier_desk.money import MAX_CENTS, GlSplit, Money, MoneyError, parse_gl_account
from cashier_desk.runner import FIELDS, parse_line, run_op
from tests.faults import harness
from tests.faults.fuzzing import (
    STABLE_ERRORS,
    assert_refusal,
    at_the_counter,
    json_scalars,
    json_values,
    script_ops,
)
from tests.faults.harness import CLI, child_env, run_script
from tests.helpers import ADMIN, dump_tables

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Tally of inputs tried, printed at the end of the module (docs/reliability.md quotes it).
TRIED: dict[str, int] = {}


def tried(what: str) -> None:
    TRIED[what] = TRIED.get(what, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _report_tally() -> Any:
    yield
    if TRIED:
        print("\ninputs tried:", json.dumps(dict(sorted(TRIED.items()))))


# -- money ----------------------------------------------------------------------------------


@FUZZ
@given(st.text() | st.from_regex(r"-?[0-9]{1,16}(\.[0-9]{0,4})?", fullmatch=True) | json_values)
@example("1" * 5000)
@example("٣٫٥")
@example("12.30\n")
def test_money_parse_refuses_with_money_error_only_and_round_trips(value: object) -> None:
    tried("money strings")
    try:
        m = Money.parse(value)
    except MoneyError as exc:
        assert str(exc)
        return
    assert isinstance(value, str)
    assert re.fullmatch(r"-?[0-9]{1,13}(\.[0-9]{1,2})?", value, re.ASCII)
    assert Decimal(value) * 100 == m.cents
    assert Money.parse(str(m)) == m
    assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}", str(m))


@FUZZ
@given(st.integers(min_value=-MAX_CENTS + 1, max_value=MAX_CENTS - 1))
def test_every_amount_money_can_hold_prints_and_parses_back(c: int) -> None:
    tried("money round trips")
    assert Money.parse(str(Money(c))).cents == c


@FUZZ
@given(st.text(max_size=80) | json_values, st.integers(0, 10**9), st.integers(1, 9999))
def test_gl_distributions_refuse_with_money_error_and_always_add_up(
    text: object, amount: int, qty: int
) -> None:
    tried("gl distributions")
    for parse in (parse_gl_account, GlSplit.parse):
        try:
            parsed = parse(text)
        except MoneyError as exc:
            assert str(exc)
            continue
        if isinstance(parsed, GlSplit):
            parts = parsed.allocate(Money(amount), qty)
            assert sum(m.cents for _a, m in parts) == amount
            assert all(m.cents >= 0 for _a, m in parts)


# -- quantities -----------------------------------------------------------------------------


def test_quantities_outside_whole_numbers_1_to_9999_are_refused_and_change_nothing(
    slim_app: App,
) -> None:
    at_the_counter(slim_app)

    @FUZZ
    @given(json_values | st.integers(-(10**20), 10**20) | st.sampled_from([0, 1, 9999, 10000]))
    @example(True)
    @example(1.0)
    @example(float("nan"))
    def check(qty: Any) -> None:
        tried("quantities")
        op = {
            "op": "sale",
            "items": [{"code": "DOG-LIC", "qty": qty}],
            "tenders": [{"type": "cash", "amount": "200000.00"}],
        }
        before = dump_tables(slim_app)
        result = run_op(slim_app.desk, op)
        if result["ok"]:
            assert type(qty) is int and 1 <= qty <= 9999
            assert result["total"] == str(Money(2000) * qty)
        else:
            assert result["error"] == "bad_quantity", result
            assert_refusal(result, before, slim_app)

    check()


# -- script operations -----------------------------------------------------------------------


def test_random_script_operations_are_refused_clearly_and_change_nothing(slim_app: App) -> None:
    at_the_counter(slim_app)
    outcomes: dict[str, int] = {}

    @settings(FUZZ, max_examples=400)
    @given(script_ops())
    @example(
        {
            "op": "sale",
            "items": [{"code": "MISC", "amount": "1.00"}],
            "tenders": [{"type": ["cash"], "amount": "1.00"}],
        }
    )
    @example({"op": "sale", "items": [], "tenders": [{"type": {"k": 1}, "amount": "1"}]})
    @example({"op": ["login"], "user": "amy"})
    @example({"op": "drop", "amount": "9" * 40})
    def check(op: dict[str, Any]) -> None:
        tried("script operations (run_op)")
        if slim_app.desk.user is None:  # an example logged out: log in again, to go deep
            run_op(slim_app.desk, {"op": "login", "user": "amy", "pin": "4821"})
        before = dump_tables(slim_app)
        result = run_op(slim_app.desk, op)
        outcomes[str(result.get("error", "ok"))] = outcomes.get(result.get("error", "ok"), 0) + 1
        if result["ok"]:
            json.dumps(result)
            return
        assert_refusal(result, before, slim_app)

    check()
    print("\nrun_op outcomes:", json.dumps(dict(sorted(outcomes.items()))))
    assert len(outcomes) > 10, outcomes  # the fuzz reached deep into the rules, not only shapes


@pytest.mark.parametrize("kind", [["cash"], {"cash": 1}])
def test_a_tender_type_that_is_a_list_or_object_is_refused(slim_app: App, kind: object) -> None:
    at_the_counter(slim_app)
    op = {
        "op": "sale",
        "items": [{"code": "DOG-LIC"}],
        "tenders": [{"type": kind, "amount": "20.00"}],
    }
    before = dump_tables(slim_app)
    result = run_op(slim_app.desk, op)
    assert result["error"] == "bad_tender"
    assert_refusal(result, before, slim_app)


def _corrupt(rng: random.Random, op: dict[str, Any]) -> dict[str, Any]:
    """A copy of a valid operation made invalid in one of a few certain ways."""
    out: dict[str, Any] = json.loads(json.dumps(op))
    required = sorted(FIELDS[out["op"]][0])
    how = rng.randrange(4)
    if how == 0 or not required:
        out[rng.choice(["pan", "cvv", "Amount", "itemz", "approver2"])] = rng.choice(
            ["4111111111111111", "123", None, [], {}]
        )
    elif how == 1:
        del out[rng.choice(required)]
    elif how == 2:
        out[rng.choice(required)] = rng.choice([None, 12, 1.5, True, [], [[[]]], "", " "])
    else:
        out["op"] = rng.choice(["Sale", "sale ", "SALE", "void!", "", "drop\u200b", "rm -rf"])
    out["expect"] = "error"
    return out


VALID_OPS: list[dict[str, Any]] = [
    {"op": "login", "user": "bob", "pin": "2468"},
    {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}},
    {
        "op": "sale",
        "items": [{"code": "DOG-LIC", "qty": 2}],
        "tenders": [{"type": "cash", "amount": "50.00"}],
        "payer": "A. Novak",
    },
    {
        "op": "sale",
        "items": [{"ref": "UB-100001"}],
        "tenders": [{"type": "check", "amount": "97.16", "number": "1042"}],
    },
    {"op": "reprint", "receipt": "W1-000001"},
    {
        "op": "void",
        "receipt": "W1-000001",
        "approver": "lee",
        "approver_pin": "1111",
        "reason": "keyed twice",
    },
    {"op": "drop", "amount": "20.00"},
    {"op": "paid_out", "amount": "2.50", "reason": "postage", "gl": "101-1200-52100"},
    {"op": "no_sale", "reason": "make change"},
    {"op": "close_drawer", "counted": {"cash": {"20.00": 6}}},
    {"op": "approve_close", "approver": "lee", "approver_pin": "1111", "comment": "ok"},
    {"op": "closeout", "approver": "pat", "approver_pin": "2222"},
    {"op": "logout"},
    {"op": "print_pending"},
    {"op": "sync"},
]


def _table_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: conn.execute(f'SELECT * FROM "{n}"').fetchall() for n in names}
    finally:
        conn.close()


def test_random_operations_through_cashier_desk_run_are_each_refused(
    slim_template: Path, tmp_path: Path
) -> None:
    """One real ``cashier-desk run`` of 300 invalid operations, each expected to be refused:
    the run goes to the end (exit 0), every result is a refusal with a stable code and a
    message, and the ledger holds nothing but the set-up and the traces of wrong PINs."""
    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    rng = random.Random(6)
    setup = [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
    ]
    ops = [_corrupt(rng, rng.choice(VALID_OPS)) for _ in range(300)]
    done = run_script(data, setup + ops, tmp_path / "fuzz.jsonl")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(setup) + len(ops)
    for result in results[len(setup) :]:
        tried("script operations (cashier-desk run)")
        assert result["ok"] is False and result["error"] in STABLE_ERRORS, result
        assert result["message"].strip()
    after = _table_rows(data / "ledger.db")
    assert [r[0] for r in after["drawer_sessions"]] == ["W1-S000001"]
    for table in ("receipts", "voids", "drawer_movements", "drawer_closes", "batches"):
        assert after[table] == [], table
    actions = {r[4] for r in after["audit_log"]}
    assert actions <= {"import", "login", "open_drawer", "login_failed", "lockout"}, actions


MALFORMED_SCRIPTS: dict[str, bytes] = {
    "invalid UTF-8": b'{"op":"logout"}\n\xff\xfe{"op":"sync"}\n',
    "deeply nested": b'{"op":"drop","amount":' + b"[" * 100000 + b"]" * 100000 + b"}\n",
    "a JSON list": b'[{"op":"logout"}]\n',
    "a bare number": b"12\n",
    "not JSON": b"op=login user=amy\n",
    "NUL bytes": b'{"op":"logout"\x00}\n',
    "a byte order mark on a later line": b'{"op":"logout"}\n\xef\xbb\xbf{"op":"logout"}\n',
    "an expect that is not error": b'{"op":"print_pending","expect":"maybe"}\n',
    "a huge line": b'{"op":"no_sale","reason":"' + b"x" * 2_000_000 + b'"}\n',
}


def _main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", list(MALFORMED_SCRIPTS))
def test_a_malformed_script_file_is_refused_with_exit_1(
    name: str, slim_template: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    script = tmp_path / "bad.jsonl"
    script.write_bytes(MALFORMED_SCRIPTS[name])
    before = _table_rows(data / "ledger.db")
    code, out, err = _main(["--data-dir", str(data), "run", str(script)])
    tried("malformed script files")
    assert code == 1, (code, out, err)
    assert err.startswith("cashier-desk: ") and "Traceback" not in err
    for line in out.splitlines():
        result = json.loads(line)
        assert result["ok"] is False or result["op"] in ("logout",), result
        if result["ok"] is False:
            assert result["error"] in STABLE_ERRORS
    assert _table_rows(data / "ledger.db") == before


def test_a_script_that_starts_with_a_byte_order_mark_runs(
    slim_template: Path, tmp_path: Path
) -> None:
    """Windows editors save UTF-8 with a byte-order mark; it is not part of the first line."""
    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    script = tmp_path / "bom.jsonl"
    lines = ['{"op":"login","user":"amy","pin":"4821"}', '{"op":"logout"}']
    script.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n")
    code, out, err = _main(["--data-dir", str(data), "run", str(script)])
    assert (code, err) == (0, "")
    assert [(r["op"], r["ok"]) for r in map(json.loads, out.splitlines())] == [
        ("login", True),
        ("logout", True),
    ]


def test_a_script_line_with_a_5000_digit_number_is_refused_as_bad_json(
    slim_template: Path, tmp_path: Path
) -> None:
    _obj, error = parse_line('{"op":"drop","amount":' + "1" * 5000 + "}", 1)
    assert error is not None and error["error"] == "bad_json"


# -- CSV imports ----------------------------------------------------------------------------


def _import(app: App, kind: str, data: bytes, tmp: Path) -> tuple[int | None, Refusal | None]:
    path = tmp / f"{kind}.csv"
    path.write_bytes(data)
    try:
        return app.desk.import_file(kind, path, **ADMIN).rows, None
    except Refusal as exc:
        return None, exc


def _assert_import_refused(exc: Refusal, before: dict[str, Any], app: App) -> None:
    assert exc.code in ("bad_file", "bad_header", "bad_row"), exc.code
    assert exc.message.strip()
    assert ".csv" in exc.message, exc.message  # it names the file
    if exc.code == "bad_row" or (exc.code == "bad_header" and "empty" not in exc.message):
        assert re.search(r"\bline \d+", exc.message), exc.message
    if exc.code == "bad_row" and "columns where the header has" not in exc.message:
        assert re.search(r"line \d+, column [a-z_]+", exc.message), exc.message
    assert not [t for t in before if before[t] != dump_tables(app)[t]]


def test_csv_files_of_random_bytes_are_refused_and_import_nothing(
    slim_app: App, tmp_path: Path
) -> None:
    @FUZZ
    @given(st.sampled_from(sorted(COLUMNS)), st.binary(max_size=400))
    @example("users", b"login,name,role,pin\n\x00\n")
    @example("open-items", b"\xef\xbb\xbf" + b"\xff" * 10)
    @example("revenue-codes", b'"unterminated\n')
    @example("users", b"login,name,role,pin\n" + b"a" * 200_000 + b"\n")
    def check(kind: str, data: bytes) -> None:
        tried("CSV files of random bytes")
        before = dump_tables(slim_app)
        count, exc = _import(slim_app, kind, data, tmp_path)
        if exc is None:
            assert count == 0  # only a bare header can pass
            return
        _assert_import_refused(exc, before, slim_app)

    check()


def _cell(kind: str, column: str) -> st.SearchStrategy[str]:
    good: dict[str, list[str]] = {
        "code": ["NEW-FEE", "MISC"],
        "description": ["A fee"],
        "program": ["MISC"],
        "gl": ["101-0000-49100", "250-0000-22010=4.50;101-0000-41300", "x", ""],
        "fee_type": ["fixed", "per_unit", "open", "FIXED"],
        "amount": ["10.00", "", "-1", "1e3"],
        "partial_allowed": ["yes", "no", "maybe"],
        "login": ["zed", "amy", "a b"],
        "name": ["Zed Z", "", "4111111111111111"],
        "role": ["cashier", "lead", "king"],
        "pin": ["1234", "12", "x" * 70],
        "ref": ["NEW-1", "UB-100001", "bad ref"],
        "account": ["12-34"],
        "address": ["1 Main St", ""],
        "amount_due": ["10.00", "-5", "x"],
        "due_date": ["2026-12-01", "2026-02-30", "12/01/2026"],
        "revenue_code": ["MISC", "NOPE"],
        "status": ["open", "paid", "hold", "closed"],
    }
    return st.sampled_from(good.get(column, ["x"])) | st.text(max_size=12)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["revenue-codes", "open-items", "users"]))
    header = list(COLUMNS[kind])
    if draw(st.integers(0, 9)) == 0:
        header = draw(st.permutations([*header, "extra"]))[: len(header)]
    rows = [header]
    for _ in range(draw(st.integers(0, 3 if kind == "users" else 5))):
        row = [draw(_cell(kind, c)) for c in header]
        if draw(st.integers(0, 9)) == 0:
            row = row[:-1]
        rows.append(row)
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return kind, buf.getvalue().encode("utf-8")


def test_csv_rows_of_random_cells_import_whole_or_are_refused_naming_line_and_column(
    slim_app: App, tmp_path: Path
) -> None:
    @settings(FUZZ, max_examples=120)
    @given(csv_files())
    def check(file: tuple[str, bytes]) -> None:
        tried("CSV files of random rows")
        kind, data = file
        before = dump_tables(slim_app)
        count, exc = _import(slim_app, kind, data, tmp_path)
        if exc is not None:
            _assert_import_refused(exc, before, slim_app)
            return
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))[1:]
        assert count == sum(1 for r in rows if any(c.strip() for c in r))

    check()


@pytest.mark.parametrize(
    "name", ["missing.csv", ".", pytest.param("a" * 5000, id="a name too long")]
)
def test_an_import_path_that_cannot_be_read_is_refused_as_bad_file(
    slim_app: App, tmp_path: Path, name: str
) -> None:
    before = dump_tables(slim_app)
    with pytest.raises(Refusal) as refused:
        slim_app.desk.import_file("users", tmp_path / name, **ADMIN)
    assert refused.value.code == "bad_file"
    assert dump_tables(slim_app) == before


# -- scanner bytes --------------------------------------------------------------------------

good_codes = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=MAX_LENGTH
)
bad_lines = (
    st.binary(min_size=1, max_size=40)
    .map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
    .filter(lambda b: not _is_good(b))
    | st.text(min_size=MAX_LENGTH + 1, max_size=700)
    .map(lambda t: t.encode("utf-8", "replace"))
    .map(lambda b: b.replace(b"\r", b"x").replace(b"\n", b"x"))
    | st.just(b"\x00\x1b[2J")
)


def _is_good(line: bytes) -> bool:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return 0 < len(text) <= MAX_LENGTH and not any(unicodedata.category(c) == "Cc" for c in text)


@settings(FUZZ, max_examples=300)
@given(
    st.lists(st.tuples(st.booleans(), good_codes, bad_lines), max_size=8),
    st.lists(st.sampled_from([b"\r", b"\n", b"\r\n"]), min_size=8, max_size=8),
    st.lists(st.integers(1, 64), min_size=1, max_size=20),
)
def test_scanner_lines_deliver_exactly_the_good_codes_however_the_bytes_arrive(
    lines: list[tuple[bool, str, bytes]], ends: list[bytes], chunks: list[int]
) -> None:
    tried("scanner byte streams")
    stream = b""
    want: list[str] = []
    for (good, code, junk), end in zip(lines, ends, strict=False):
        if good and code.strip("\r\n") == code:
            stream += code.encode("utf-8") + end
            want.append(code)
        else:
            stream += junk + end
    splitter = LineSplitter()
    got: list[str] = []
    refused = 0
    at = 0
    sizes = iter(chunks * (len(stream) // max(1, sum(chunks)) + 2))
    while at < len(stream):
        size = next(sizes)
        for line in splitter.feed(stream[at : at + size]):
            if line.code is None:
                assert line.problem.startswith("scan refused: ")
                refused += 1
            else:
                assert not any(unicodedata.category(c) == "Cc" for c in line.code)
                got.append(line.code)
        assert len(splitter._buffer) <= MAX_LENGTH * 4
        at += size
    assert got == want


def test_scanned_codes_resolve_or_are_refused_and_never_change_anything(slim_app: App) -> None:
    at_the_counter(slim_app)
    before = dump_tables(slim_app)
    decoded = st.binary(max_size=200).map(lambda b: b.decode("utf-8", "surrogateescape"))

    @FUZZ
    @given(
        st.text(max_size=300)
        | decoded
        | st.sampled_from(
            [
                "UB-100001",
                "DOG-LIC",
                "W1-000001",
                "",
                " ",
                "4111111111111111",
                "%B4111111111111111^DOE/JOHN^2512101?",
                "x" * 129,
            ]
        )
        | json_scalars
    )
    def check(code: Any) -> None:
        tried("scanned codes")
        try:
            found = slim_app.desk.lookup_scan(code)
        except Refusal as exc:
            assert exc.code in ("unknown_scan", "bad_text"), exc.code
            assert exc.message.strip()
            return
        assert found.kind in ("open_item", "revenue_code", "receipt")
        assert isinstance(code, str) and found.code == code.strip()

    check()
    assert dump_tables(slim_app) == before


# -- configuration files --------------------------------------------------------------------

toml_values = st.sampled_from(
    [
        '"sim"',
        '"none"',
        "42",
        "48",
        "42.0",
        "true",
        '"5.00"',
        '"-1.00"',
        "nan",
        "inf",
        "-0",
        "1979-05-27",
        "1979-05-27T07:32:00Z",
        "[1, 2]",
        "{ a = 1 }",
        '"America/Chicago"',
        '"Mars/Olympus"',
        '""',
        '"escpos+tcp://"',
        '"escpos+tcp://h:99999"',
        '"drawer+serial:///dev/null?open_byte=zz"',
        '"W 1"',
        '"101-0000-49900"',
        "'''x'''",
    ]
)
config_keys = st.sampled_from(
    [
        "id",
        "city",
        "address",
        "timezone",
        "over_short_tolerance",
        "over_short_account",
        "drawer_must_close",
        "drawer_alert_seconds",
        "printer",
        "drawer",
        "scanner",
        "display",
        "columns",
        "sim_drawer_close_seconds",
        "url",
        "colour",
    ]
)


@st.composite
def tomlish(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        section = draw(
            st.sampled_from(["station", "policy", "devices", "central", "printer", "station.x"])
        )
        parts.append(f"[{section}]")
        for _ in range(draw(st.integers(0, 4))):
            parts.append(f"{draw(config_keys)} = {draw(toml_values)}")
    if draw(st.integers(0, 5)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), draw(st.text(max_size=20)))
    return "\n".join(parts) + "\n"


@FUZZ
@given(tomlish() | st.text(max_size=200))
@example('[devices]\ndrawer = "drawer+serial:///dev/null?open_byte=zz"\n')
@example("[station]\ntimezone = 1979-05-27\n")
@example("[policy]\nsim_drawer_close_seconds = nan\n")
def test_any_config_text_gives_a_config_or_a_clear_config_error(text: str) -> None:
    tried("config texts")
    try:
        parse_config(text)
    except ConfigError as exc:
        message = str(exc)
        assert message.strip() and "Traceback" not in message
        assert "config.toml" in message or re.search(r"\[\w+\]", message), message


CONFIGS = [
    ("receipts", "this is not toml"),
    ("receipts", "[station]\nid = 'W 1'\n"),
    ("receipts", "[policy]\nover_short_tolerance = '-1'\n"),
    ("receipts", "[devices]\ncolumns = 40\n"),
    ("receipts", "[policy]\ndeposit_account = 'bank'\n"),
    ("receipts", "[policy]\ncard_clearing_account = '4111 1111 1111 1111'\n"),
    ("receipts", "[station]\ntimezone = 'Mars/Olympus'\n"),
    ("receipts", "[devices]\nsim_drawer_close_seconds = inf\n"),
    ("sync", "[central]\nurl = '4111 1111 1111 1111'\n"),
    ("sync", "[central]\nurl = 'postgresql+psycopg://ws@central:port/cashier'\n"),
    # The devices are built only by the commands that print or open the drawer.
    ("run", "[devices]\nprinter = 'escpos+tcp://'\n"),
    ("run", "[devices]\nprinter = 'laser'\n"),
    ("run", "[devices]\nprinter = 'none'\ndrawer = 'cashbox'\n"),
]


def _command(data: Path, command: str) -> list[str]:
    if command == "run":
        empty = data.parent / "empty.jsonl"
        empty.write_text("", encoding="utf-8")
        return ["--data-dir", str(data), "run", str(empty)]
    return ["--data-dir", str(data), command]


@pytest.mark.parametrize(("command", "text"), CONFIGS)
def test_a_bad_config_file_stops_the_command_with_exit_1_and_one_clear_line(
    command: str, text: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text(text, encoding="utf-8")
    code, out, err = _main(_command(data, command))
    tried(f"config files (cashier-desk {command})")
    assert code == 1, (code, out, err)
    assert err.startswith("cashier-desk: ") and "Traceback" not in err
    assert out == ""
    assert "4111 1111 1111 1111" not in err  # a card number typed by mistake is not echoed


@pytest.mark.parametrize("option", ["open_byte=zz", "sense=bogus"])
def test_a_bad_drawer_option_in_the_config_is_a_clear_error_not_a_traceback(
    tmp_path: Path, option: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text(
        f'[devices]\nprinter = "none"\ndrawer = "drawer+serial:///dev/null?{option}"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [*CLI, *_command(data, "run")],
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1


def test_config_files_of_random_bytes_never_show_a_traceback(tmp_path: Path) -> None:
    """Through the real command line (a child process), a few random files."""
    rng = random.Random(11)
    for i in range(3):
        data = tmp_path / f"d{i}"
        data.mkdir()
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        (data / "config.toml").write_bytes(b"[devices]\n" + junk)
        done = harness.cli(data, "receipts", timeout=60)
        tried("config files (child process)")
        assert done.returncode == 1, done
        assert "Traceback" not in done.stderr and done.stderr.startswith("cashier-desk: ")
