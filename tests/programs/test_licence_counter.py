"""Business licences at the counter (programs.md, rule ``business_licence``): tax by gross
receipts at least the minimum, the state fee on its own split, a late renewal's penalty; a new
licence is numbered (holding the workstation's id) and opens an account; the sale lists the
licences it issued; a void voids them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.ledger import accounts
from cashier_desk.ledger.schema import licences
from tests.helpers import dump_tables
from tests.programs.counter_city import (
    counts,
    on_day,
    quote,
    receipt_lines,
    rows,
    rules,
    sale,
    set_up,
    void,
)


def new(gross: str = "250000.00", **fields: Any) -> dict[str, Any]:
    return {"licence": {"kind": "new", "name": "Blue Door Cafe", "address": "12 Oak St",
                        "year": 2027, "gross_receipts": gross} | fields}  # fmt: skip


def renewal(account: str = "BL-0007", gross: str = "250000.00", **fields: Any) -> dict[str, Any]:
    return {"licence": {"kind": "renewal", "account": account, "year": 2027,
                        "gross_receipts": gross} | fields}  # fmt: skip


@pytest.fixture
def city(app: App, tmp_path: Path) -> App:
    set_up(app, tmp_path)
    on_day(app, "2026-12-10")
    return app


def test_a_new_licence_of_250000_is_129_and_is_numbered_with_its_account(city: App) -> None:
    got = quote(city, [new()])
    assert [(line["amount"], line["gl"]) for line in got["lines"]] == [
        ("125.00", {"101-0000-41100": "125.00"}),
        ("4.00", {"260-0000-22040": "0.40", "101-0000-41150": "3.60"}),
    ] and got["total"] == "129.00"  # fmt: skip
    before = counts(city)
    sold = sale(city, [new()])
    assert sold["ok"] and sold["total"] == "129.00", sold
    assert sold["licences"] == [{"licence": "BL-W1-000001", "valid_through": "2027-12-31"}]
    assert "permits" not in sold
    assert receipt_lines(city, sold["receipt"]) == [
        ("Business licence tax 2027", "125.00"), ("State fee (CASp, GC 4467)", "4.00")]  # fmt: skip
    [issued] = rows(city, licences)
    assert (issued.number, issued.account, issued.kind, issued.year, issued.workstation) == (
        "BL-W1-000001", "BL-W1-000001", "new", 2027, "W1")  # fmt: skip
    with city.ledger.read() as conn:
        assert accounts.rule_of(conn, "BL-W1-000001") == "business_licence"
    assert counts(city) == before | {
        "receipts": before["receipts"] + 1, "licences": 1,
        "accounts": before["accounts"] + 1}  # fmt: skip


def test_a_new_licence_of_30000_pays_the_minimum(city: App) -> None:
    got = quote(city, [new("30000.00")])
    assert [line["amount"] for line in got["lines"]] == ["50.00", "4.00"]
    assert got["total"] == "54.00"


def test_a_renewal_six_months_late_pays_the_penalty_capped_at_the_tax(city: App) -> None:
    on_day(city, "2027-07-15")
    got = quote(city, [renewal()])
    assert [(line["description"], line["amount"]) for line in got["lines"]] == [
        ("Business licence tax 2027", "125.00"), ("State fee (CASp, GC 4467)", "4.00"),
        ("Late renewal penalty 2027", "125.00")]  # fmt: skip
    assert got["lines"][2]["gl"] == {"101-0000-41110": "125.00"} and got["total"] == "254.00"
    sold = sale(city, [renewal()])
    assert sold["ok"] and sold["total"] == "254.00", sold
    # a renewal's licence is its account
    assert sold["licences"] == [{"licence": "BL-0007", "valid_through": "2027-12-31"}]
    before = dump_tables(city)
    again = sale(city, [renewal()], [{"type": "cash", "amount": "500.00"}])
    assert (again["ok"], again["error"]) == (False, "already_licensed")
    assert dump_tables(city) == before


def test_a_renewal_on_time_has_no_penalty(city: App) -> None:
    on_day(city, "2027-01-31")
    assert quote(city, [renewal()])["total"] == "129.00"
    assert quote(city, [renewal()], "2027-02-01")["total"] == "154.00"  # 1 month: 20% = 25.00


def test_a_new_licence_blocks_a_renewal_of_its_year_and_a_void_voids_it(city: App) -> None:
    sold = sale(city, [new()])
    number = sold["licences"][0]["licence"]
    assert quote(city, [renewal(number)])["error"] == "already_licensed"
    assert quote(city, [renewal(number, year=2026)])["ok"]  # another year
    assert void(city, sold["receipt"])["ok"]
    [voided] = rows(city, licences)
    assert voided.voided_at is not None
    # the voided new licence's account goes with it; the next licence has the next number
    assert quote(city, [renewal(number)])["error"] == "unknown_account"
    second = sale(city, [new()])
    assert second["licences"][0]["licence"] == "BL-W1-000002"


def test_a_renewed_licence_voided_may_be_renewed_again(city: App) -> None:
    sold = sale(city, [renewal()])
    assert quote(city, [renewal()])["error"] == "already_licensed"
    assert void(city, sold["receipt"])["ok"]
    assert sale(city, [renewal()])["ok"]


def test_two_renewals_of_one_year_in_one_sale_are_refused(city: App) -> None:
    assert quote(city, [renewal(), renewal()])["error"] == "already_licensed"


def test_gross_receipts_are_not_limited_by_max_amount(city: App) -> None:
    got = quote(city, [new("5000000.00")])  # five times [policy] max_amount
    assert got["ok"] and got["lines"][0]["amount"] == "2500.00"


@pytest.mark.parametrize(
    ("item", "code"),
    [
        (renewal("BL-9999"), "unknown_account"),
        (renewal("TOT-0042"), "unknown_account"),
        (new(kind="transfer"), "bad_kind"),
        (new(year=2029), "bad_request"),
        (new(year="2027"), "bad_request"),
        (new(gross="-5.00"), "bad_amount"),
        (new(gross="lots"), "bad_amount"),
        (new(name=""), "bad_text"),
        (new(account="BL-0007"), "bad_request"),
        ({"licence": {"kind": "renewal", "year": 2027, "gross_receipts": "1.00"}}, "bad_request"),
        (renewal(name="Other"), "bad_request"),
        (new(code="TOT"), "unknown_code"),
    ],
)
def test_every_refusal_changes_nothing(city: App, item: dict[str, Any], code: str) -> None:
    before = dump_tables(city)
    assert quote(city, [item])["error"] == code
    refused = sale(city, [item], [{"type": "cash", "amount": "500.00"}])
    assert (refused["ok"], refused["error"]) == (False, code), refused
    assert dump_tables(city) == before


def test_a_citys_own_minimum_rate_and_fee(city: App, tmp_path: Path) -> None:
    rules(city, tmp_path, """
[business_licence]
rate_per_1000 = "1.25"
minimum = "75.00"
state_fee = "1.00"
state_fee_gl = "260-0000-22040=0.10;101-0000-41150"
monthly_penalty = "10%"
penalty_cap = "50%"
""")  # fmt: skip
    assert [line["amount"] for line in quote(city, [new("30000.00")])["lines"]] == [
        "75.00", "1.00"]  # fmt: skip
    got = quote(city, [new("250000.00")])
    assert [line["amount"] for line in got["lines"]] == ["312.50", "1.00"]
    assert got["lines"][1]["gl"] == {"260-0000-22040": "0.10", "101-0000-41150": "0.90"}
    # 6 months late: 60%, capped at 50% of 312.50 = 156.25
    assert quote(city, [renewal()], "2027-07-15")["total"] == "469.75"


def test_a_free_licence_is_still_issued_on_one_0_00_line(city: App, tmp_path: Path) -> None:
    rules(city, tmp_path, """
[business_licence]
minimum = "0.00"
state_fee = "0.00"
""")  # fmt: skip
    got = quote(city, [new("0.00")])
    assert [(line["description"], line["amount"]) for line in got["lines"]] == [
        ("Business licence 2027", "0.00")]  # fmt: skip
    sold = sale(city, [new("0.00")])
    assert sold["ok"] and sold["total"] == "0.00", sold
    assert sold["licences"][0]["licence"] == "BL-W1-000001"
    paid = sale(city, [new("250000.00")], [])
    assert paid["error"] == "no_tender"
