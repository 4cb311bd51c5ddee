"""Credentials for privileged commands (headless.md, "Who may run what from the command line").

The attack: a cashier with the command line imports a lead or an admin account for herself, or
reference data she should not touch.  Once the ledger has people, `import users` needs an
admin and the other imports a supervisor or an admin, given as `--user/--pin`, as
`CASHIER_DESK_USER/PIN` or at a terminal's prompt; a refusal is `not_authorized`, changes
nothing but the audit log (and a wrong PIN's count), and names who tried.  A ledger with no
people yet takes any import without credentials (it is being set up).
"""

from __future__ import annotations

import json
import os
import select
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.desk import authority
from cashier_desk.errors import Refusal
from cashier_desk.runner import run_op
from tests.faults.harness import CLI, child_env
from tests.helpers import dump_tables

CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed\n"
    "DOG-LIC,Dog licence,ANIMAL,101-2200-42100,fixed,1.00,no\n"
)
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status\n"
    "X-1,UTILITY,1,N,A,10.00,2026-12-01,UB-WATER,open\n"
)
# What the cashier amy would like to be.
PROMOTION = "login,name,role,pin\namy,Amy Okafor,admin,4821\nzed,Zed Friend,lead,5150\n"


def run(
    data: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command line, with no terminal on stdin (so it never prompts)."""
    return subprocess.run(
        [*CLI, "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**child_env(), **(env or {})},
        check=False,
    )


def attempt(
    data: Path, tmp: Path, kind: str, *who: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], int]:
    """`import KIND` of a good file as ``who`` (global options): the run, and the tables and
    the audit sequence before it."""
    text = {"revenue-codes": CODES, "users": PROMOTION, "open-items": ITEMS}[kind]
    f = write(tmp, f"{kind}.csv", text)
    before, seq = tables(data), last_seq(data)
    return run(data, *who, "import", kind, str(f)), before, seq


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def tables(data: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit log's and its sequence's (a refusal adds to
    them)."""
    with sqlite3.connect(data / "ledger.db") as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        found = {
            n: sorted(map(tuple, conn.execute(f'SELECT * FROM "{n}"')), key=repr)
            for n in names
            if n != "audit_log"
        }
    found["counters"] = [row for row in found["counters"] if row[1] != "audit"]
    return found


def audit(data: Path, after: int = 0) -> list[dict[str, Any]]:
    with sqlite3.connect(data / "ledger.db") as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq", (after,))
        return [{**dict(r), "details": json.loads(r["details"])} for r in rows]


def last_seq(data: Path) -> int:
    with sqlite3.connect(data / "ledger.db") as conn:
        return int(conn.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()[0])


def roles(data: Path) -> dict[str, str]:
    with sqlite3.connect(data / "ledger.db") as conn:
        return dict(conn.execute("SELECT login, role FROM users"))


def assert_refused(
    data: Path, done: subprocess.CompletedProcess[str], before: dict[str, Any], seq: int
) -> dict[str, Any]:
    """Refused `not_authorized` (exit 1, one line, no traceback), nothing changed but the
    audit log; the refusal's audit record."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.rstrip("\n").endswith("(not_authorized)"), done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert tables(data) == before
    refused = [r for r in audit(data, seq) if r["action"] == "command_refused"]
    assert len(refused) == 1, audit(data, seq)
    assert refused[0]["outcome"] == "refused"
    return refused[0]


# -- refused -------------------------------------------------------------------------------


def test_a_cashiers_import_of_users_is_refused_and_audited_with_her_login(
    data_dir: Path, tmp_path: Path
) -> None:
    done, before, seq = attempt(data_dir, tmp_path, "users", "--user", "amy", "--pin", "4821")
    record = assert_refused(data_dir, done, before, seq)
    assert "import users needs an admin" in done.stderr and "amy may not" in done.stderr
    assert record["actor"] == "amy" and record["target"] == "import users"
    assert record["details"]["needs"] == "admin" and record["details"]["why"] == "not_authorized"
    assert roles(data_dir)["amy"] == "cashier" and "zed" not in roles(data_dir)
    assert ("amy", "override_refused") in {(r["actor"], r["action"]) for r in audit(data_dir, seq)}


@pytest.mark.parametrize(
    ("login", "pin", "kind"),
    [
        ("lee", "1111", "revenue-codes"),  # a lead: reference data needs a supervisor
        ("amy", "4821", "open-items"),
        ("sam", "3333", "users"),  # a supervisor: people need an admin
    ],
)
def test_an_import_above_the_persons_role_is_refused(
    data_dir: Path, tmp_path: Path, login: str, pin: str, kind: str
) -> None:
    done, before, seq = attempt(data_dir, tmp_path, kind, "--user", login, "--pin", pin)
    record = assert_refused(data_dir, done, before, seq)
    assert record["actor"] == login and record["target"] == f"import {kind}"
    assert record["details"]["needs"] == authority.NEEDS[f"import {kind}"]


def test_no_credentials_without_a_terminal_is_refused_with_what_to_give(
    data_dir: Path, tmp_path: Path
) -> None:
    done, before, seq = attempt(data_dir, tmp_path, "revenue-codes")
    record = assert_refused(data_dir, done, before, seq)
    assert "import revenue-codes needs a supervisor or an admin" in done.stderr
    assert "--user LOGIN --pin PIN" in done.stderr and "CASHIER_DESK_USER" in done.stderr
    assert record["actor"] == authority.NOBODY and record["details"]["why"] == "no_credentials"
    assert record["details"]["os_user"]  # the operating system's account, as a clue


def test_a_wrong_pin_is_refused_and_counted_towards_the_lockout(
    data_dir: Path, tmp_path: Path
) -> None:
    wrong = ("--user", "sam", "--pin", "0000")
    done, before, seq = attempt(data_dir, tmp_path, "revenue-codes", *wrong)
    codes = tmp_path / "revenue-codes.csv"
    assert done.returncode == 1 and "(not_authorized)" in done.stderr
    assert "wrong PIN (4 tries left)" in done.stderr
    after = tables(data_dir)
    assert after.pop("login_state") == [("sam", 1, None)]
    before.pop("login_state")
    assert after == before
    new = audit(data_dir, seq)
    assert [(r["actor"], r["action"]) for r in new] == [
        ("sam", "login_failed"),
        ("sam", "command_refused"),
    ]
    assert new[1]["details"]["why"] == "bad_credentials"
    # Four more lock the login, like at the counter; then even the right PIN is refused.
    for _ in range(4):
        run(data_dir, *wrong, "import", "revenue-codes", str(codes))
    done = run(data_dir, "--user", "sam", "--pin", "3333", "import", "revenue-codes", str(codes))
    assert done.returncode == 1 and "(not_authorized)" in done.stderr and "locked" in done.stderr
    with sqlite3.connect(data_dir / "ledger.db") as conn:
        fee = conn.execute("SELECT amount_cents FROM revenue_codes WHERE code='DOG-LIC'").fetchone()
    assert fee != (100,)


def test_an_unknown_login_is_refused_and_the_login_given_is_kept(
    data_dir: Path, tmp_path: Path
) -> None:
    done, before, seq = attempt(data_dir, tmp_path, "users", "--user", "mallory", "--pin", "1234")
    codes = tmp_path / "users.csv"
    assert assert_refused(data_dir, done, before, seq)["actor"] == "mallory"
    # Text that could not be a login (here a card number) is not kept.
    seq = last_seq(data_dir)
    done = run(
        data_dir, "--user", "4111 1111 1111 1111", "--pin", "1234", "import", "users", str(codes)
    )
    assert assert_refused(data_dir, done, before, seq)["actor"] == authority.NOBODY
    with sqlite3.connect(data_dir / "ledger.db") as conn:
        assert (
            conn.execute("SELECT count(*) FROM audit_log WHERE details LIKE '%4111%'").fetchone()[0]
            == 0
        )


# -- accepted ------------------------------------------------------------------------------


def test_a_supervisors_import_of_revenue_codes_is_audited_with_her_login(
    data_dir: Path, tmp_path: Path
) -> None:
    codes = write(tmp_path, "codes.csv", CODES)
    seq = last_seq(data_dir)
    done = run(data_dir, "--user", "sam", "--pin", "3333", "import", "revenue-codes", str(codes))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"import": "revenue-codes", "rows": 1, "masked": 0}
    imported = [r for r in audit(data_dir, seq) if r["action"] == "import"]
    assert [(r["actor"], r["target"]) for r in imported] == [("sam", "revenue-codes")]
    assert imported[0]["details"] == {"file": "codes.csv", "rows": 1, "masked": 0}


def test_an_admins_import_of_users_is_accepted(data_dir: Path, tmp_path: Path) -> None:
    people = write(tmp_path, "people.csv", PROMOTION)
    seq = last_seq(data_dir)
    done = run(data_dir, "--user", "ada", "--pin", "9999", "import", "users", str(people))
    assert done.returncode == 0, done.stderr
    assert roles(data_dir)["amy"] == "admin" and roles(data_dir)["zed"] == "lead"
    assert [(r["actor"], r["action"]) for r in audit(data_dir, seq)] == [("ada", "import")]


def test_the_credentials_may_come_from_the_environment(data_dir: Path, tmp_path: Path) -> None:
    codes = write(tmp_path, "codes.csv", CODES)
    seq = last_seq(data_dir)
    env = {"CASHIER_DESK_USER": "sam", "CASHIER_DESK_PIN": "3333"}
    done = run(data_dir, "import", "revenue-codes", str(codes), env=env)
    assert done.returncode == 0, done.stderr
    assert [(r["actor"], r["action"]) for r in audit(data_dir, seq)] == [("sam", "import")]
    # ... and the environment's cashier is refused like one on the command line.
    env = {"CASHIER_DESK_USER": "amy", "CASHIER_DESK_PIN": "4821"}
    done = run(data_dir, "import", "users", str(write(tmp_path, "p.csv", PROMOTION)), env=env)
    assert done.returncode == 1 and "(not_authorized)" in done.stderr


def test_a_terminal_is_asked_for_the_login_and_the_pin_which_is_not_echoed(
    data_dir: Path, tmp_path: Path
) -> None:
    codes = write(tmp_path, "codes.csv", CODES)
    seq = last_seq(data_dir)
    pid, fd = os.forkpty()
    if pid == 0:  # pragma: no cover - the child: the command line on a terminal
        argv = [*CLI, "--data-dir", str(data_dir), "import", "revenue-codes", str(codes)]
        os.execve(argv[0], argv, child_env())
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 60
        while marker not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 1)[0]:
                try:
                    chunk = os.read(fd, 1024)
                except OSError:  # the terminal closed: the child ended
                    return
                if not chunk:
                    return
                seen += chunk

    try:
        read_until(b"User: ")
        os.write(fd, b"sam\n")
        read_until(b"PIN: ")
        os.write(fd, b"3333\n")
        read_until(b'"rows":1}')
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen
    assert b"import revenue-codes needs a supervisor or an admin" in seen
    assert b"3333" not in seen  # the PIN is not echoed
    assert [(r["actor"], r["action"]) for r in audit(data_dir, seq)] == [("sam", "import")]


# -- setting up ----------------------------------------------------------------------------


def test_a_ledger_without_people_takes_imports_until_it_has_some(tmp_path: Path) -> None:
    data = tmp_path / "new"
    codes = write(tmp_path, "codes.csv", CODES)
    people = write(tmp_path, "people.csv", "login,name,role,pin\nada,Ada Q,admin,9999\n")
    assert run(data, "import", "revenue-codes", str(codes)).returncode == 0
    done = run(data, "import", "users", str(people))
    assert done.returncode == 0, done.stderr
    imports = [(r["actor"], r["target"]) for r in audit(data) if r["action"] == "import"]
    assert imports == [(authority.SETUP, "revenue-codes"), (authority.SETUP, "users")]
    # Now it has people: the same import needs someone.
    before, seq = tables(data), last_seq(data)
    assert_refused(data, run(data, "import", "revenue-codes", str(codes)), before, seq)
    assert (
        run(data, *("--user", "ada", "--pin", "9999"), "import", "users", str(people)).returncode
        == 0
    )


def test_people_imported_meanwhile_refuse_an_import_let_through_as_setting_up(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check that the ledger has no people is made again in the import's transaction:
    here the first check is made to answer as it did before someone imported people."""
    people = write(tmp_path, "people.csv", PROMOTION)
    monkeypatch.setattr(authority, "setting_up", lambda desk, command: True)
    before, seq = tables(app.data_dir), last_seq(app.data_dir)
    with pytest.raises(Refusal) as refused:
        app.desk.import_file("users", people)
    assert refused.value.code == "not_authorized" and "meanwhile" in refused.value.message
    assert tables(app.data_dir) == before
    [record] = audit(app.data_dir, seq)
    assert record["action"] == "command_refused"
    assert record["details"]["why"] == "people_arrived"


# -- no other way in -----------------------------------------------------------------------


def test_the_desk_refuses_an_import_without_credentials_by_any_path(
    app: App, tmp_path: Path
) -> None:
    people = write(tmp_path, "people.csv", PROMOTION)
    before = dump_tables(app)
    with pytest.raises(Refusal) as refused:
        app.desk.import_file("users", people)
    assert refused.value.code == "not_authorized"
    with pytest.raises(Refusal):
        app.desk.import_file("users", people, login="amy", pin="4821")
    # A script has no import operation at all, whoever is logged in.
    run_op(app.desk, {"op": "login", "user": "ada", "pin": "9999"})
    result = run_op(app.desk, {"op": "import", "kind": "users", "file": str(people)})
    assert result["ok"] is False and result["error"] == "bad_request"
    with app.ledger.read() as conn:
        logins = dict(conn.exec_driver_sql("SELECT login, role FROM users").all())
    assert logins["amy"] == "cashier" and "zed" not in logins
    assert dump_tables(app)["users"] == before["users"]


def test_the_rule_is_one_table_for_every_privileged_command(app: App) -> None:
    by_role: dict[str, set[str]] = {}
    for command, role in authority.NEEDS.items():
        by_role.setdefault(role, set()).add(command)
    imports = {"import revenue-codes", "import open-items", "import accounts"}
    assert by_role == {
        "supervisor": imports | {"import program-rules", "ledger accept-loss"},
        "admin": {"import users", "sync resolve", "retention purge"},
    }
    assert authority.needs("some new command") == "admin"  # closed by default
    with pytest.raises(Refusal) as refused:
        authority.authorize(app.desk.station, "retention purge", "sam", "3333")
    assert refused.value.code == "not_authorized"
    assert authority.authorize(app.desk.station, "retention purge", "ada", "9999").login == "ada"
    assert authority.authorize(app.desk.station, "import accounts", "sam", "3333").login == "sam"
    # Only imports are taken without credentials while the ledger is being set up.
    assert not authority.setting_up(app.desk.station, "import users")  # the demo city has people


def test_the_data_folders_own_central_takes_people_only_as_the_ledger_does(
    data_dir: Path, tmp_path: Path
) -> None:
    """The embedded central (central.db in the data folder, "this machine only") has no
    credentials of its own: its `central import` asks what the folder's ledger asks, or a
    cashier would import herself there and `sync pull` her promotion."""
    people = write(tmp_path, "people.csv", PROMOTION)
    before, seq = tables(data_dir), last_seq(data_dir)
    done = run(
        data_dir, "--user", "amy", "--pin", "4821", "central", "import", "users", str(people)
    )
    assert done.returncode == 1 and "(not_authorized)" in done.stderr, done.stderr
    assert audit(data_dir, seq)[-1]["action"] == "command_refused"
    assert run(data_dir, "sync", "pull").returncode == 0
    assert roles(data_dir)["amy"] == "cashier" and "zed" not in roles(data_dir)
    assert tables(data_dir)["users"] == before["users"]
    done = run(
        data_dir, "--user", "ada", "--pin", "9999", "central", "import", "users", str(people)
    )
    assert done.returncode == 0, done.stderr
    assert run(data_dir, "sync", "pull").returncode == 0
    assert roles(data_dir)["amy"] == "admin"
