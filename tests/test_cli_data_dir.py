"""The command line and its data folder (headless.md): reading commands never create one,
a file is not a folder, the demo city goes only into an empty folder, a broken script line
is reported where it broke, and every command's help says what its files hold."""

from __future__ import annotations

import argparse
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from cashier_desk import cli
from cashier_desk.runner import parse_line


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


READING = [
    ["receipts"],
    ["receipts", "--date", "2026-11-23"],
    ["audit", "verify"],
    ["report", "over-short", "--from", "2026-11-01", "--to", "2026-11-30"],
    ["papers"],
    ["export"],
]


@pytest.mark.parametrize("argv", READING, ids=lambda a: " ".join(a))
def test_a_reading_command_on_a_folder_without_a_ledger_refuses_and_creates_nothing(
    tmp_path: Path, argv: list[str]
) -> None:
    data = tmp_path / "typo"
    code, out, err = run("--data-dir", str(data), *argv)
    assert code == 1
    assert out == ""
    assert "(no_ledger)" in err and str(data) in err
    assert not data.exists()


def test_a_reading_command_on_an_existing_folder_without_a_ledger_leaves_it_as_it_was(
    tmp_path: Path,
) -> None:
    data = tmp_path / "empty"
    data.mkdir()
    code, _, err = run("--data-dir", str(data), "audit", "verify")
    assert code == 1 and "(no_ledger)" in err
    assert list(data.iterdir()) == []


@pytest.mark.parametrize("argv", [["receipts"], ["import", "users", "x.csv"], ["demo"]])
def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path, argv: list[str]) -> None:
    data = tmp_path / "ledger-file"
    data.write_text("not a folder", encoding="utf-8")
    code, out, err = run("--data-dir", str(data), *argv)
    assert (code, out) == (1, "")
    assert "(bad_data_dir)" in err
    assert data.read_text(encoding="utf-8") == "not a folder"


def test_a_writing_command_sets_up_a_new_folder_and_says_so(tmp_path: Path) -> None:
    data = tmp_path / "new"
    script = tmp_path / "s.jsonl"
    script.write_text('{"op":"logout","expect":"error"}\n', encoding="utf-8")
    code, _, err = run("--data-dir", str(data), "run", str(script))
    assert code == 0
    assert f"a new data folder was set up in {data}" in err
    assert (data / "ledger.db").is_file()
    code, _, err = run("--data-dir", str(data), "run", str(script))
    assert code == 0 and "new data folder" not in err


def _receipts(data: Path) -> list[str]:
    code, out, _ = run("--data-dir", str(data), "receipts")
    assert code == 0
    return out.splitlines()


def test_demo_refuses_a_folder_with_people_or_receipts_and_changes_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "city"
    assert run("--data-dir", str(data), "demo")[0] == 0
    before = _receipts(data)
    assert before
    code, out, err = run("--data-dir", str(data), "demo")
    assert (code, out) == (1, "")
    assert "(not_empty)" in err and str(data) in err and "--data-dir" in err
    assert _receipts(data) == before


def test_demo_refuses_a_folder_with_only_people(tmp_path: Path) -> None:
    data = tmp_path / "people"
    users = tmp_path / "users.csv"
    users.write_text("login,name,role,pin\nsam,Sam Ortiz,admin,2468\n", encoding="utf-8")
    assert run("--data-dir", str(data), "import", "users", str(users))[0] == 0
    code, _, err = run("--data-dir", str(data), "demo", "--load-only")
    assert code == 1 and "(not_empty)" in err


def test_demo_goes_into_a_ledger_with_reference_data_but_no_people_or_receipts(
    tmp_path: Path,
) -> None:
    data = tmp_path / "codes"
    codes = tmp_path / "codes.csv"
    codes.write_text(
        "code,description,program,gl,fee_type,amount,partial_allowed\n"
        "MISC,Miscellaneous,General,101-0000-46900,open,,no\n",
        encoding="utf-8",
    )
    assert run("--data-dir", str(data), "import", "revenue-codes", str(codes))[0] == 0
    code, out, _ = run("--data-dir", str(data), "demo", "--load-only")
    assert code == 0 and json.loads(out)["demo_data"]["users"] > 0


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ('{"op":"login", "user":"amy", "pin":"3"\n', 39),  # cut short at the end of the line
        ('{"op":"login", "user":"amy", "pin":"3"\r\n', 39),
        ('{"op":"login" "user":"amy"}\n', 15),
        ('{"op":"lo\tgout"}\n', 10),
        ('{"op":"logout"} x\n', 17),
    ],
)
def test_a_line_that_is_not_json_is_reported_at_its_own_line_and_column(
    line: str, column: int
) -> None:
    parsed, error = parse_line(line, 7)
    assert parsed is None and error is not None
    assert error["error"] == "bad_json"
    assert error["message"].startswith(f"Line 7 is not JSON (column {column}: ")
    assert " at at " not in error["message"]


def test_a_run_that_stops_at_a_bad_line_says_why_not_none(tmp_path: Path) -> None:
    script = tmp_path / "s.jsonl"
    script.write_text('{"op":"logout","expect":"error"}\n{"op":"login"\n', encoding="utf-8")
    code, _, err = run("--data-dir", str(tmp_path / "d"), "run", str(script))
    assert code == 1
    assert "None" not in err
    assert "stopped: Line 2 is not JSON (column 14" in err


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found[name] = child
    return found


def test_every_command_help_says_global_options_come_before_it() -> None:
    commands = _subcommands(cli.build_parser())
    assert {"import", "run", "receipts", "demo", "devices"} <= set(commands)
    for name, parser in commands.items():
        text = parser.format_help()
        assert "come BEFORE the command" in text, name
        assert "--data-dir" in text, name


def test_import_help_gives_each_file_format() -> None:
    text = _subcommands(cli.build_parser())["import"].format_help()
    for header in (
        "code,description,program,gl,fee_type,amount,partial_allowed",
        "login,name,role,pin",
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status",
    ):
        assert header in text
    run_help = _subcommands(cli.build_parser())["run"].format_help()
    assert '{"op":"login","user":"amy","pin":"4821"}' in run_help
