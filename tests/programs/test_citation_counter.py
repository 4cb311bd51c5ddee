"""Parking citations at the counter (programs.md, rule ``citation``): the fine on its code's
split and each late penalty in force, priced through the one path of a quote and a sale; the
city's own rules imported as reference data (`import program-rules`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.ledger.schema import audit_log, program_rules
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from tests.helpers import SUPERVISOR, FakeClock, dump_tables, import_city, run_ok

STATE = "250-0000-22010=3.00;250-0000-22020=4.50;250-0000-22030=5.00;101-0000-41300"
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    f'PKG-CIT,Parking citation,PARKING,"{STATE}",open,,no,citation\n'
)
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status,issued\n"
    "PC-1001,PARKING,7ABC123,Ann Lee,1 Main St,50.00,2026-11-30,PKG-CIT,open,2026-11-09\n"
)
LOGIN = {"op": "login", "user": "amy", "pin": "4821"}


@pytest.fixture
def city(app: App, tmp_path: Path) -> App:
    import_city(app, tmp_path, CODES, ITEMS)
    run_ok(app, LOGIN)
    return app


def _quote(app: App, on: str, **item: Any) -> dict[str, Any]:
    result = run_op(app.desk, {"op": "quote", "items": [{"ref": "PC-1001", **item}], "date": on})
    assert result["ok"], result
    return result


def _rules(app: App, tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    app.desk.import_file("program-rules", path, **SUPERVISOR)
    return path


def test_the_worked_example_on_the_due_date_is_the_fine_alone(city: App) -> None:
    result = _quote(city, "2026-11-30")
    [fine] = result["lines"]
    assert (fine["description"], fine["amount"], result["total"]) == (
        "Parking citation", "50.00", "50.00")  # fmt: skip
    assert fine["gl"] == {"250-0000-22010": "3.00", "250-0000-22020": "4.50",
                          "250-0000-22030": "5.00", "101-0000-41300": "37.50"}  # fmt: skip


def test_the_day_after_the_penalty_doubles_it_and_the_state_keeps_its_12_50(city: App) -> None:
    result = _quote(city, "2026-12-01")
    fine, penalty = result["lines"]
    assert result["total"] == "100.00"
    state = [Money.parse(v).cents for k, v in fine["gl"].items() if k.startswith("250-")]
    assert sum(state) == 1250
    assert penalty == {"description": "Late penalty PC-1001", "ref": "PC-1001",
                       "code": "PKG-CIT", "amount": "50.00",
                       "gl": {"101-0000-45110": "50.00"}}  # fmt: skip


def test_a_sale_posts_the_fine_and_penalty_and_a_paid_citation_grows_nothing(
    city: App,
) -> None:
    clock = city.desk.clock
    assert isinstance(clock, FakeClock)
    clock.now = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    run_ok(city, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    sale = run_op(city.desk, {"op": "sale", "items": [{"ref": "PC-1001"}],
                              "tenders": [{"type": "cash", "amount": "100.00"}]})  # fmt: skip
    assert sale["ok"] and sale["total"] == "100.00", sale
    receipt = city.desk.receipt(sale["receipt"])
    assert [(line.description, str(line.amount)) for line in receipt.lines] == [
        ("Parking citation", "50.00"), ("Late penalty PC-1001", "50.00")]  # fmt: skip
    later = run_op(city.desk, {"op": "quote", "items": [{"ref": "PC-1001"}], "date": "2027-03-01"})
    assert (later["ok"], later["error"]) == (False, "already_paid")
    paid = run_op(city.desk, {"op": "lookup", "ref": "PC-1001", "date": "2027-03-01"})
    assert (paid["status"], paid["amount_due"], paid["parts"]) == ("paid", "0.00", [])


@pytest.mark.parametrize(
    ("amount", "code"), [("99.99", "partial_not_allowed"), ("100.01", "overpayment")]
)
def test_a_citation_is_paid_whole_or_not_at_all(city: App, amount: str, code: str) -> None:
    before = dump_tables(city)
    result = run_op(city.desk, {"op": "quote", "date": "2026-12-01",
                                "items": [{"ref": "PC-1001", "amount": amount}]})  # fmt: skip
    assert (result["ok"], result["error"]) == (False, code)
    assert _quote(city, "2026-12-01", amount="100.00")["total"] == "100.00"
    assert dump_tables(city) == before


def test_a_citys_own_rules_a_fixed_penalty_then_a_second_step(city: App, tmp_path: Path) -> None:
    _rules(city, tmp_path, """
[citation]
penalties = [ { after_days = 0, amount = "25.00" }, { after_days = 30, amount = "10%" } ]
penalty_gl = "101-0000-45199"
""")  # fmt: skip
    assert _quote(city, "2026-11-30")["total"] == "50.00"
    assert [line["amount"] for line in _quote(city, "2026-12-30")["lines"]] == ["50.00", "25.00"]
    # 31 days late: the second step, 10% of the fine as issued, on the city's own account
    late = _quote(city, "2026-12-31")
    assert [line["amount"] for line in late["lines"]] == ["50.00", "25.00", "5.00"]
    assert late["lines"][2]["gl"] == {"101-0000-45199": "5.00"} and late["total"] == "80.00"


def test_rules_versions_take_effect_on_their_day(city: App, tmp_path: Path) -> None:
    _rules(city, tmp_path, """
[[citation]]
effective = "2026-01-01"
penalties = [ { after_days = 0, amount = "20.00" } ]
[[citation]]
effective = 2027-01-01
penalties = [ { after_days = 0, amount = "35.00" } ]
""")  # fmt: skip
    assert _quote(city, "2026-12-31")["lines"][1]["amount"] == "20.00"
    assert _quote(city, "2027-01-01")["lines"][1]["amount"] == "35.00"


def test_a_bad_rules_file_names_its_key_and_imports_nothing(city: App, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[citation]\npenalty_gl = "not an account"\n', encoding="utf-8")
    before = dump_tables(city)
    done = run_cli_import(city, path, **SUPERVISOR)
    assert done["code"] == "bad_rules" and "penalty_gl" in done["message"]
    assert dump_tables(city) == before


def test_rules_need_a_supervisor_and_the_import_is_audited_as_that_person(
    city: App, tmp_path: Path
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[citation]\npenalty_gl = "101-0000-45199"\n', encoding="utf-8")

    def kept() -> int:
        with city.ledger.read() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(program_rules)).scalar_one()
            )

    before = kept()  # the demo city's own file
    refused = run_cli_import(city, path, login="amy", pin="4821")
    assert refused["code"] == "not_authorized" and kept() == before
    done = city.desk.import_file("program-rules", path, **SUPERVISOR)
    assert done.rows == 1 and kept() == before + 1
    with city.ledger.read() as conn:
        last = conn.execute(sa.select(audit_log).order_by(audit_log.c.seq.desc())).first()
    assert last is not None and (last.action, last.target, last.actor) == (
        "import", "program-rules", "sam")  # fmt: skip


def run_cli_import(app: App, path: Path, **who: str) -> dict[str, str]:
    from cashier_desk.errors import Refusal

    try:
        app.desk.import_file("program-rules", path, **who)
    except Refusal as refused:
        return {"code": refused.code, "message": refused.message}
    return {"code": "ok", "message": ""}


@pytest.mark.parametrize(
    ("row", "named"),
    [
        (f'PKG-X,Citation,PARKING,"{STATE}",open,,no,speeding\n', "rule"),
        (f'PKG-X,Citation,PARKING,"{STATE}",fixed,50.00,no,citation\n', "fee_type"),
    ],
)
def test_a_code_with_a_bad_rule_is_refused_naming_the_column(
    city: App, tmp_path: Path, row: str, named: str
) -> None:
    path = tmp_path / "bad-codes.csv"
    path.write_text(CODES.splitlines()[0] + "\n" + row, encoding="utf-8")
    from cashier_desk.errors import Refusal

    with pytest.raises(Refusal) as refused:
        city.desk.import_file("revenue-codes", path, **SUPERVISOR)
    assert refused.value.code == "bad_row" and named in refused.value.message


def test_lookup_shows_a_citation_as_its_fine_and_each_penalty(city: App) -> None:
    on_time = run_op(city.desk, {"op": "lookup", "ref": "PC-1001", "date": "2026-11-30"})
    assert on_time == {"op": "lookup", "ok": True, "ref": "PC-1001", "status": "open",
                       "amount_due": "50.00", "parts": [{"what": "fine", "amount": "50.00"}],
                       "flags": [], "plan": None, "contest": None}  # fmt: skip
    late = run_op(city.desk, {"op": "lookup", "ref": "PC-1001", "date": "2026-12-01"})
    assert late["amount_due"] == "100.00" and late["parts"] == [
        {"what": "fine", "amount": "50.00"}, {"what": "penalty", "amount": "50.00"}]  # fmt: skip


def test_lookup_of_a_plain_item_and_of_what_is_not_there(city: App) -> None:
    plain = run_op(city.desk, {"op": "lookup", "ref": "UB-100234"})
    assert plain["ok"] and plain["parts"] == [{"what": "due", "amount": plain["amount_due"]}]
    before = dump_tables(city)
    for op, code in (
        ({"ref": "NOPE-1"}, "unknown_ref"),
        ({"ref": "PC-1001", "date": "2026-02-30"}, "bad_date"),
        ({"ref": 12}, "bad_request"),
    ):
        result = run_op(city.desk, {"op": "lookup", **op})
        assert (result["ok"], result["error"]) == (False, code), result
    assert dump_tables(city) == before
    run_ok(city, {"op": "logout"})
    refused = run_op(city.desk, {"op": "lookup", "ref": "PC-1001"})
    assert refused["error"] == "not_logged_in"


def test_the_demo_citys_rules_file_is_the_contracts_defaults() -> None:
    from cashier_desk.demo import DEMO_DIR
    from cashier_desk.programs.rules import defaults, parse_rules

    given = parse_rules((DEMO_DIR / "program_rules.toml").read_text(encoding="utf-8"))
    assert given.tables == defaults().tables


def test_a_citation_named_twice_in_one_sale_is_an_overpayment_not_already_paid(
    city: App,
) -> None:
    """An outside trial: an unpaid citation twice in one quote was refused `already_paid`
    ("PC-1001 is already paid in full"), which it was not."""
    twice = run_op(city.desk, {"op": "quote", "items": [{"ref": "PC-1001"}, {"ref": "PC-1001"}]})
    assert (twice["ok"], twice["error"]) == (False, "overpayment"), twice
    assert "earlier line of this sale" in twice["message"]
