"""The demo city a person loads (`demo --load-only`, the window's offer) carries its programs:
a revenue code per rule of its program rules, citations under the citation rule and the
registered TOT operators and businesses — so each program form works on the demo as shipped.
The figures follow the demo's rules (programs.md's defaults), to the cent."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cashier_desk import cli, demo
from cashier_desk.app import App
from cashier_desk.runner import run_op
from tests.helpers import FakeClock, run_ok

TODAY = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)


@pytest.fixture
def city(make_app: Callable[..., App], tmp_path: Path) -> App:
    (tmp_path / "city").mkdir()  # an empty folder, not the tests' base city
    app = make_app("city", clock=FakeClock(TODAY))
    loaded = demo.load_city(app.desk)
    assert loaded == {"revenue-codes": 44, "open-items": 1617, "program-rules": 7,
                      "accounts": 10, "users": 9}  # fmt: skip
    assert list(loaded)[-1] == "users"  # people last: nothing before them needs a login
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"})
    return app


def _quote(app: App, *items: dict[str, Any], date: str | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"op": "quote", "items": list(items)}
    if date:
        op["date"] = date
    result = run_op(app.desk, op)
    assert result["ok"], result
    return result


def test_a_late_demo_citation_carries_its_penalty(city: App) -> None:
    late = _quote(city, {"ref": "PC-2026-500002"})  # 55.00, due 2026-10-22
    assert [(x["description"], x["amount"]) for x in late["lines"]][1:] == [
        ("Late penalty PC-2026-500002", "55.00")]  # fmt: skip
    assert late["total"] == "110.00"
    assert late["lines"][0]["gl"] == {"250-0000-22010": "4.50", "101-0000-41300": "50.50"}
    assert _quote(city, {"ref": "PC-2026-500001"})["total"] == "45.00"  # due 2026-12-21


def test_a_demo_citation_can_be_contested_and_put_on_a_plan(city: App) -> None:
    contest = run_op(city.desk, {"op": "contest", "ref": "PC-2026-500001", "level": "review",
                                 "reason": "meter broken", "contact": "555-0100"})  # fmt: skip
    assert contest["ok"], contest
    assert run_op(city.desk, {"op": "lookup", "ref": "PC-2026-500001"})["status"] == "appeal"
    plan = run_op(city.desk, {"op": "plan", "ref": "PC-2026-500005", "monthly": "100.00",
                              "first_due": "2027-01-15", "approver": "lee",
                              "approver_pin": "1111"})  # fmt: skip
    assert plan["ok"], plan
    looked = run_op(city.desk, {"op": "lookup", "ref": "PC-2026-500005"})
    assert looked["status"] == "plan"
    assert looked["amount_due"] == "725.00", looked  # 350.00 + 350.00 late + the 25.00 fee


def test_each_program_form_finds_its_only_code(city: App) -> None:
    tot = _quote(city, {"tot": {"account": "TOT-H01", "period": "2026-Q3",
                                "gross_rents": "50000.00", "exempt_rents": "5000.00"}},
                 date="2026-10-31")  # fmt: skip
    assert (tot["total"], {x["code"] for x in tot["lines"]}) == ("4500.00", {"TOT-RETURN"})
    licence = _quote(city, {"licence": {"kind": "new", "name": "Blue Door Cafe",
                                        "address": "12 Oak St", "year": 2027,
                                        "gross_receipts": "250000.00"}})  # fmt: skip
    assert licence["total"] == "129.00"  # 125.00 tax + 4.00 state fee
    renew = {"kind": "renewal", "account": "BL-0101", "year": 2027, "gross_receipts": "30000.00"}
    renewal = _quote(city, {"licence": renew}, date="2027-01-15")
    assert renewal["total"] == "54.00"  # the 50.00 minimum + 4.00, not yet late
    animal = _quote(city, {"animal": {"species": "dog", "name": "Rex", "owner": "Wren Halvorsen",
                                      "address": "14 Cedar Hollow Rd", "altered": True,
                                      "term_years": 1, "rabies_cert": "R-1234",
                                      "rabies_expires": "2028-01-31"}})  # fmt: skip
    assert (animal["total"], animal["lines"][0]["code"]) == ("15.00", "ANIMAL-LIC")
    permit = _quote(city, {"permit": {"code": "PKG-PRM-ZONE", "plate": "8ABC123",
                                      "address": "14 Cedar Hollow Rd", "zone": "B"}})  # fmt: skip
    assert permit["total"] == "40.00"
    # an outside trial read "Residential parking permit, zone 7UHG290": the plate as the zone
    assert [line["description"] for line in permit["lines"]] == ["Zone parking permit 8ABC123"]


def test_demo_load_only_loads_the_programs_too(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--data-dir", str(tmp_path / "d"), "demo", "--load-only"])
    assert code == 0, err.getvalue()
    loaded = json.loads(out.getvalue())["demo_data"]
    assert (loaded["accounts"], loaded["revenue-codes"]) == (10, 44)


def test_each_rule_has_its_one_code(city: App) -> None:
    rules = ("citation", "tot", "business_licence", "animal_licence", "parking_permit")
    found = {rule: city.desk.rule_codes(rule) for rule in rules}
    assert found == {"citation": ["CITATION"], "tot": ["TOT-RETURN"],
                     "business_licence": ["BUS-LICENCE"], "animal_licence": ["ANIMAL-LIC"],
                     "parking_permit": ["PKG-PRM-ZONE"]}  # fmt: skip
    assert city.desk.rule_codes("nsf_fee") == []
