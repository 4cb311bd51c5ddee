"""``cashier-desk import accounts`` (programs.md, "Accounts"): registered TOT operators and
licensed businesses, read like every other import — a bad row names its line and column and
imports nothing, rows replace those with the same account, a supervisor or admin imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cashier_desk.app import App, open_app
from cashier_desk.errors import Refusal
from cashier_desk.ledger import accounts
from tests.helpers import AS_ADMIN, SUPERVISOR, dump_tables

HEADER = "account,rule,name,address,opened\n"
GOOD = (
    "TOT-0042,tot,Harbor Inn,1 Bay Rd,2019-04-01\n"
    "BL-0007,business_licence,Blue Door Cafe,12 Oak St,\n"
    "TOT-0043,tot,Motel Six Palms,,2021-01-15\n"
)


def _rows(app: App) -> list[tuple[str, ...]]:
    with app.ledger.read() as conn:
        found = conn.exec_driver_sql(
            "SELECT account, rule, name, address, opened FROM accounts ORDER BY account"
        )
        return [tuple(r) for r in found]


def test_the_command_imports_every_row_and_prints_the_count(app: App, tmp_path: Path) -> None:
    f = tmp_path / "accounts.csv"
    f.write_text(HEADER + GOOD)
    data_dir = app.data_dir
    app.close()
    done = subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), *AS_ADMIN,
         "import", "accounts", str(f)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"import": "accounts", "rows": 3, "masked": 0}
    again = open_app(data_dir, "W1")
    try:
        assert _rows(again) == [
            ("BL-0007", "business_licence", "Blue Door Cafe", "12 Oak St", None),
            ("TOT-0042", "tot", "Harbor Inn", "1 Bay Rd", "2019-04-01"),
            ("TOT-0043", "tot", "Motel Six Palms", "", "2021-01-15"),
        ]
        with again.ledger.read() as conn:
            assert accounts.rule_of(conn, "TOT-0042") == "tot"
            assert accounts.rule_of(conn, "BL-0007") == "business_licence"
            assert accounts.rule_of(conn, "TOT-9999") is None
            audited = conn.exec_driver_sql(
                "SELECT actor, details FROM audit_log WHERE action = 'import' "
                "AND target = 'accounts'"
            ).all()
        assert [(actor, json.loads(details)["rows"]) for actor, details in audited] == [("ada", 3)]
    finally:
        again.close()


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("TOT-1,hotel,Inn,1 Rd,\n", "line 5, column rule"),
        ("TOT-1,,Inn,1 Rd,\n", "line 5, column rule"),
        ("TOT-1,tot,Inn,1 Rd,04/01/2019\n", "line 5, column opened"),
        ("TOT-1,tot,,1 Rd,\n", "line 5, column name"),
        (",tot,Inn,1 Rd,\n", "line 5, column account"),
        ("TOT 1,tot,Inn,1 Rd,\n", "line 5, column account"),
        ("TOT-0042,tot,Again,1 Rd,\n", "line 5, column account: 'TOT-0042' repeats line 2"),
        ("TOT-1,tot,Inn\n", "line 5: 3 columns"),
    ],
)
def test_a_bad_row_imports_nothing_and_names_line_and_column(
    app: App, tmp_path: Path, row: str, needle: str
) -> None:
    f = tmp_path / "accounts.csv"
    f.write_text(HEADER + GOOD + row)
    before = dump_tables(app)
    with pytest.raises(Refusal) as caught:
        app.desk.import_file("accounts", f, **SUPERVISOR)
    assert needle in caught.value.message
    assert caught.value.code == "bad_row"
    assert dump_tables(app) == before


def test_a_header_without_its_columns_is_refused(app: App, tmp_path: Path) -> None:
    f = tmp_path / "accounts.csv"
    f.write_text("account,rule,name,address\nTOT-1,tot,Inn,1 Rd\n")
    with pytest.raises(Refusal) as caught:
        app.desk.import_file("accounts", f, **SUPERVISOR)
    assert caught.value.code == "bad_header"
    assert "missing opened" in caught.value.message


def test_rows_with_the_same_account_are_replaced(app: App, tmp_path: Path) -> None:
    f = tmp_path / "accounts.csv"
    f.write_text(HEADER + GOOD)
    app.desk.import_file("accounts", f, **SUPERVISOR)
    f.write_text(HEADER + "TOT-0042,tot,Harbor Inn & Suites,1 Bay Rd,2019-04-01\n")
    assert app.desk.import_file("accounts", f, **SUPERVISOR).rows == 1
    assert _rows(app)[1] == ("TOT-0042", "tot", "Harbor Inn & Suites", "1 Bay Rd", "2019-04-01")
    assert len(_rows(app)) == 3


def test_a_card_number_in_a_cell_is_masked(app: App, tmp_path: Path) -> None:
    f = tmp_path / "accounts.csv"
    f.write_text(HEADER + "TOT-1,tot,Inn 4111 1111 1111 1111,1 Rd,\n")
    done = app.desk.import_file("accounts", f, **SUPERVISOR)
    assert (done.rows, done.masked, done.masked_at) == (1, 1, ("line 2, column name",))
    assert "4111 1111" not in _rows(app)[0][2]


def test_a_cashier_may_not_import_accounts(app: App, tmp_path: Path) -> None:
    f = tmp_path / "accounts.csv"
    f.write_text(HEADER + GOOD)
    with pytest.raises(Refusal) as caught:
        app.desk.import_file("accounts", f, login="amy", pin="4821")
    assert caught.value.code == "not_authorized"
    assert _rows(app) == []
