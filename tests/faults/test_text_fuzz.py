"""Text that cannot be kept — a lone surrogate (JSON accepts ``"\\ud800"``; a command-line
argument of invalid UTF-8 bytes arrives as one), or a control character — in ANY text field of
any script operation is refused with a stable code (``bad_text`` for free text and names), a
message that prints, and no change; never an internal error.  The same through
``cashier-desk run`` and in command-line arguments; an import file with invalid UTF-8 bytes is
refused as a bad file."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cashier_desk.app import App
from cashier_desk.runner import run_op
from tests.faults.fuzzing import assert_refusal, at_the_counter
from tests.faults.harness import CLI, child_env, cli, run_script
from tests.helpers import AS_ADMIN, dump_tables

Path_ = tuple[str | int, ...]
CHECK = {"type": "check", "amount": "20.00", "number": "1042"}
CARD = {"type": "card", "amount": "20.00", "auth": "A1B2C3", "last4": "4242"}
LEAD = {"approver": "lee", "approver_pin": "1111"}

#: Each operation as it would succeed (or be refused for a reason of its own), and the paths
#: of its text fields, each with the refusals it may give (default: ``bad_text`` only).
TEMPLATES: dict[str, tuple[dict[str, Any], dict[Path_, set[str]]]] = {
    "login": (
        {"op": "login", "user": "amy", "pin": "4821"},
        {("user",): set(), ("pin",): set()},
    ),
    "open_drawer": (
        {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 1}},
        {("drawer",): set()},
    ),
    "sale": (
        {"op": "sale", "items": [{"code": "DOG-LIC"}], "tenders": [CHECK], "payer": "A. Novak"},
        {("payer",): set(), ("items", 0, "code"): set(), ("tenders", 0, "number"): set()},
    ),
    "sale on a bill": (
        {"op": "sale", "items": [{"ref": "UB-100001", "amount": "20.00"}], "tenders": [CARD]},
        {
            ("items", 0, "ref"): set(),
            ("tenders", 0, "auth"): set(),
            ("tenders", 0, "last4"): {"bad_card"},
        },
    ),
    "reprint": ({"op": "reprint", "receipt": "W1-000001"}, {("receipt",): set()}),
    "void": (
        {"op": "void", "receipt": "W1-000001", "reason": "keyed twice", **LEAD},
        {("receipt",): set(), ("reason",): set(), ("approver",): set(), ("approver_pin",): set()},
    ),
    "drop": ({"op": "drop", "amount": "1.00", "bag": "B-1"}, {("bag",): set()}),
    "paid_out": (
        {"op": "paid_out", "amount": "60.00", "reason": "postage", "gl": "101-1200-52100", **LEAD},
        {
            ("reason",): set(),
            ("gl",): {"bad_gl"},
            ("approver",): set(),
            ("approver_pin",): set(),
        },
    ),
    "no_sale": ({"op": "no_sale", "reason": "make change"}, {("reason",): set()}),
    "close_drawer": (
        {"op": "close_drawer", "counted": {"checks": [{"number": "1042", "amount": "1.00"}]}},
        {("counted", "checks", 0, "number"): set()},
    ),
    "approve_close": (
        {"op": "approve_close", "session": "W1-S000001", "comment": "ok", **LEAD},
        {("session",): set(), ("comment",): set(), ("approver",): {"not_awaiting_approval"}},
    ),
    "reject_close": (
        {"op": "reject_close", "session": "W1-S000001", "comment": "recount", **LEAD},
        {("session",): set(), ("comment",): set()},
    ),
    "unlock_user": (
        {"op": "unlock_user", "user": "bob", **LEAD},
        {("user",): set(), ("approver",): {"not_locked"}, ("approver_pin",): {"not_locked"}},
    ),
    "closeout": (
        {"op": "closeout", "date": "2026-11-23", "approver": "pat", "approver_pin": "2222"},
        {("date",): {"bad_date"}, ("approver",): {"drawer_open"}},
    ),
}
FIELDS = [(name, where) for name, (_op, paths) in TEMPLATES.items() for where in paths]

surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
#: Text with at least one lone surrogate, among ordinary characters.
bad_texts = st.tuples(
    st.text(max_size=8), surrogates, st.text(st.characters() | surrogates, max_size=8)
).map("".join)


def _put(op: dict[str, Any], where: Path_, value: str) -> dict[str, Any]:
    out = copy.deepcopy(op)
    target: Any = out
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return out


def test_unreadable_text_in_any_field_of_any_operation_is_refused_and_changes_nothing(
    slim_app: App,
) -> None:
    at_the_counter(slim_app)
    seen: dict[str, int] = {}

    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.sampled_from(FIELDS), bad_texts)
    @example(("login", ("user",)), "\ud800")
    @example(("sale", ("items", 0, "code")), "DOG-LIC\udcff")
    @example(("void", ("approver_pin",)), "\udfff")
    def check(field: tuple[str, Path_], bad: str) -> None:
        name, where = field
        op, paths = TEMPLATES[name]
        if slim_app.desk.user is None:
            assert run_op(slim_app.desk, {"op": "login", "user": "amy", "pin": "4821"})["ok"]
        before = dump_tables(slim_app)
        result = run_op(slim_app.desk, _put(op, where, bad))
        assert_refusal(result, before, slim_app)
        assert result["error"] in {"bad_text"} | paths[where], (field, result)
        result["message"].encode("utf-8")  # printable on the terminal as it is
        json.dumps(result).encode("ascii")  # the line the command line prints
        key = f"{name}.{'.'.join(map(str, where))}"
        seen[key] = seen.get(key, 0) + 1

    check()
    print("\nunreadable text tried per field:", json.dumps(dict(sorted(seen.items()))))
    assert len(seen) == len(FIELDS), sorted(set(f"{n}.{w}" for n, w in FIELDS) - set(seen))


def test_a_script_of_escaped_surrogates_is_refused_line_by_line(
    slim_template: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    ops: list[dict[str, Any]] = [
        {"op": "login", "user": "\ud800", "pin": "4821", "expect": "error"},
        {"op": "login", "user": "amy", "pin": "\udc80", "expect": "error"},
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D\ud800", "opening": {}, "expect": "error"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"ref": "UB-\udfff"}],
         "tenders": [{"type": "cash", "amount": "20.00"}]},
    ]  # fmt: skip
    done = run_script(data, ops, tmp_path / "s.jsonl")
    assert "\\ud800" in (tmp_path / "s.jsonl").read_text(encoding="ascii")  # escaped in JSON
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    errors = [json.loads(line).get("error") for line in done.stdout.splitlines()]
    assert errors == ["bad_text", "bad_text", None, "bad_text", None, "bad_text"]
    assert "stopped: the sale operation was refused" in done.stderr


def _cli_bytes(data: Path, *args: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*(os.fsencode(a) for a in CLI), b"--data-dir", os.fsencode(data), *args],
        capture_output=True,
        timeout=120,
        env=child_env(),
        check=False,
    )


def test_command_line_arguments_of_invalid_utf8_are_refused_clearly(
    slim_template: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    before = (data / "ledger.db").read_bytes()
    cases: list[tuple[list[bytes], bytes]] = [
        ([b"--workstation", b"W\xff", b"receipts"], b"workstation id"),
        ([b"search", b"\xff\xfeab"], b"(bad_text)"),
        ([b"receipts", b"--date", b"2026-11-\xff"], b"(bad_date)"),
        ([b"report", b"over-short", b"--from", b"\xff", b"--to", b"2026-11-30"], b"(bad_date)"),
        (
            [
                b"--user",
                b"ada",
                b"--pin",
                b"9999",
                b"import",
                b"revenue-codes",
                b"/nonexistent/\xff.csv",
            ],
            b"(bad_file)",
        ),
    ]
    for args, said in cases:
        done = _cli_bytes(data, *args)
        assert done.returncode == 1, (args, done.stderr)
        assert said in done.stderr, (args, done.stderr)
        assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr
        done.stderr.decode("utf-8")  # what the terminal shows is text
    assert (data / "ledger.db").read_bytes() == before


def test_an_import_file_with_invalid_utf8_bytes_is_a_bad_file(
    slim_template: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(slim_template, data)
    bad = tmp_path / "codes.csv"
    bad.write_bytes(
        b"code,description,program,gl,fee_type,amount,partial_allowed\n"
        b"OK-1,Fine,misc,101-0000-41100,fixed,1.00,no\n"
        b"BAD,Caf\xe9 \xed\xa0\x80,misc,101-0000-41100,fixed,1.00,no\n"  # Latin-1, CESU surrogate
    )
    done = cli(data, *AS_ADMIN, "import", "revenue-codes", str(bad))
    assert done.returncode == 1
    assert "codes.csv is not UTF-8 text" in done.stderr and "(bad_file)" in done.stderr
    assert "OK-1" not in cli(data, "search", "OK-1").stdout
