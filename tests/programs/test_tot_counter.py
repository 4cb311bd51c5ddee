"""Transient occupancy tax returns at the counter (programs.md, rule ``tot``): priced through the
one path of a quote and a sale with the account's registration and the tax already paid from the
ledger, filed by the sale in its own transaction, unfiled by its void."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.ledger.schema import tot_returns
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


def tot(**fields: Any) -> dict[str, Any]:
    body = {"account": "TOT-0042", "period": "2026-Q3", "gross_rents": "50000.00",
            "exempt_rents": "5000.00"} | fields  # fmt: skip
    return {"tot": body}


@pytest.fixture
def city(app: App, tmp_path: Path) -> App:
    return set_up(app, tmp_path)


@pytest.mark.parametrize(
    ("day", "amounts", "total"),
    [
        ("2026-10-31", ["4500.00"], "4500.00"),
        ("2026-11-10", ["4500.00", "450.00", "22.50"], "4972.50"),
        ("2026-12-15", ["4500.00", "900.00", "45.00"], "5445.00"),
    ],
)
def test_the_worked_examples(city: App, day: str, amounts: list[str], total: str) -> None:
    before = counts(city)
    got = quote(city, [tot()], day)
    assert got["ok"], got
    assert [line["amount"] for line in got["lines"]] == amounts and got["total"] == total
    accounts = ["101-0000-31300", "101-0000-31310", "101-0000-31320"]
    assert [line["gl"] for line in got["lines"]] == [
        {a: m} for a, m in zip(accounts, amounts, strict=False)]  # fmt: skip
    assert {line["code"] for line in got["lines"]} == {"TOT"}
    assert counts(city) == before  # a quote writes nothing
    on_day(city, day)
    sold = sale(city, [tot()])
    assert sold["ok"] and sold["total"] == total, sold
    assert "licences" not in sold and "permits" not in sold
    assert [m for _, m in receipt_lines(city, sold["receipt"])] == amounts
    [filed] = rows(city, tot_returns)
    assert (filed.receipt_no, filed.line_no, filed.account, filed.period) == (
        sold["receipt"], 1, "TOT-0042", "2026-Q3")  # fmt: skip
    assert (filed.gross_cents, filed.exempt_cents, filed.tax_cents, filed.owed_cents) == (
        5_000_000, 500_000, 450_000, 450_000)  # fmt: skip
    assert (filed.amended, filed.voided_at) == (False, None)


def test_the_quote_is_the_sales_lines(city: App) -> None:
    on_day(city, "2026-12-15")
    items = [tot(), tot(account="TOT-0043", gross_rents="1234.56", exempt_rents="0.00")]
    got = quote(city, items)
    sold = sale(city, items)
    assert sold["ok"] and sold["total"] == got["total"] == "5594.39", (got, sold)
    assert receipt_lines(city, sold["receipt"]) == [
        (line["description"], line["amount"]) for line in got["lines"]]  # fmt: skip
    assert [r.line_no for r in rows(city, tot_returns)] == [1, 4]


def test_a_second_return_is_refused_an_amended_one_pays_the_difference(city: App) -> None:
    on_day(city, "2026-11-10")
    assert sale(city, [tot()])["ok"]
    before = dump_tables(city)
    again = quote(city, [tot()])
    assert (again["ok"], again["error"]) == (False, "already_filed")
    assert sale(city, [tot()], [{"type": "cash", "amount": "5000.00"}])["error"] == (
        "already_filed")  # fmt: skip
    lower = sale(city, [tot(amended=True, gross_rents="40000.00")])
    assert lower["error"] == "nothing_due"
    assert dump_tables(city) == before
    # 51,000 − 5,000 = 46,000: tax 4,600.00, 100.00 more, penalty 10.00 and interest 0.50
    more = sale(city, [tot(amended=True, gross_rents="51000.00")])
    assert more["ok"] and more["total"] == "110.50", more
    _first, second = rows(city, tot_returns)
    assert (second.amended, second.tax_cents, second.owed_cents) == (True, 460_000, 10_000)
    # the tax paid is now 4,600.00: an amended return of the same figures owes nothing
    assert quote(city, [tot(amended=True, gross_rents="51000.00")])["error"] == "nothing_due"


def test_two_returns_of_one_period_in_one_sale_are_refused(city: App) -> None:
    on_day(city, "2026-11-10")
    before = dump_tables(city)
    assert quote(city, [tot(), tot()])["error"] == "already_filed"
    assert sale(city, [tot(), tot()], [{"type": "cash", "amount": "9999.00"}])["error"] == (
        "already_filed")  # fmt: skip
    assert dump_tables(city) == before


def test_a_void_unfiles_the_return(city: App) -> None:
    on_day(city, "2026-11-10")
    sold = sale(city, [tot()])
    assert void(city, sold["receipt"])["ok"]
    [unfiled] = rows(city, tot_returns)
    assert unfiled.voided_at is not None
    assert quote(city, [tot(amended=True)])["error"] == "not_filed"
    again = sale(city, [tot()])
    assert again["ok"] and again["total"] == "4972.50"


def test_a_nil_return_is_a_sale_of_0_00_with_no_tender_and_a_receipt(city: App) -> None:
    on_day(city, "2026-10-15")
    nil = tot(gross_rents="0.00", exempt_rents="0.00")
    got = quote(city, [nil])
    assert [(line["amount"], line["gl"]) for line in got["lines"]] == [
        ("0.00", {"101-0000-31300": "0.00"})]  # fmt: skip
    sold = sale(city, [nil])
    assert sold["ok"] and (sold["total"], sold["change"]) == ("0.00", "0.00"), sold
    assert receipt_lines(city, sold["receipt"]) == [
        ("Transient occupancy tax TOT-0042 2026-Q3", "0.00")]  # fmt: skip
    assert len(rows(city, tot_returns)) == 1
    # a return that owes something still needs a tender
    owed = sale(city, [tot(account="TOT-0043")], [])
    assert owed["error"] == "no_tender"


@pytest.mark.parametrize(
    ("item", "day", "code"),
    [
        (tot(account="TOT-9999"), "2026-11-10", "unknown_account"),
        (tot(account="BL-0007"), "2026-11-10", "unknown_account"),
        (tot(), "2026-09-30", "period_not_ended"),
        (tot(exempt_rents="50000.01"), "2026-11-10", "bad_return"),
        (tot(amended=True), "2026-11-10", "not_filed"),
        (tot(period="2026-Q5"), "2026-11-10", "bad_period"),
        (tot(gross_rents="-1.00"), "2026-11-10", "bad_amount"),
        (tot(amended="yes"), "2026-11-10", "bad_request"),
        (tot(code="BUS-LIC"), "2026-11-10", "unknown_code"),
        ({"tot": {"account": "TOT-0042"}}, "2026-11-10", "bad_request"),
        ({"tot": {**tot()["tot"], "rents": "1.00"}}, "2026-11-10", "bad_request"),
    ],
)
def test_every_refusal_changes_nothing(
    city: App, item: dict[str, Any], day: str, code: str
) -> None:
    on_day(city, day)
    before = dump_tables(city)
    assert (quote(city, [item])["error"]) == code
    refused = sale(city, [item], [{"type": "cash", "amount": "9999.00"}])
    assert (refused["ok"], refused["error"]) == (False, code), refused
    assert dump_tables(city) == before


def test_a_code_is_required_when_two_codes_have_the_tot_rule(app: App, tmp_path: Path) -> None:
    from tests.programs.counter_city import CODES

    city = set_up(app, tmp_path, CODES + "TOT-AIR,TOT short-term rentals,TOT,101-0000-31300,"
                                          "open,,no,tot\n")  # fmt: skip
    on_day(city, "2026-11-10")
    before = dump_tables(city)
    assert sale(city, [tot()], [{"type": "cash", "amount": "9999.00"}])["error"] == (
        "code_required")  # fmt: skip
    assert dump_tables(city) == before
    named = quote(city, [tot(code="TOT-AIR")])
    assert {line["code"] for line in named["lines"]} == {"TOT-AIR"}
    beside = quote(city, [{**tot(), "code": "TOT-AIR"}])  # the code beside the object
    assert beside["lines"] == named["lines"]


def test_a_citys_own_rate_and_interest(city: App, tmp_path: Path) -> None:
    rules(city, tmp_path, """
[tot]
rate = "12%"
interest_monthly = "1%"
penalty = "15%"
second_penalty = "5%"
second_after_days = 45
penalty_gl = "101-0000-31399"
""")  # fmt: skip
    # 45,000.00 taxable: tax 5,400.00; 10 days late: penalty 15% = 810.00, interest 1 month
    # 1% = 54.00
    got = quote(city, [tot()], "2026-11-10")
    assert [line["amount"] for line in got["lines"]] == ["5400.00", "810.00", "54.00"]
    assert got["lines"][1]["gl"] == {"101-0000-31399": "810.00"}
    # 45 days late: not yet the second step; 46 days: 5% more; 2 started months of interest
    assert quote(city, [tot()], "2026-12-15")["total"] == "6318.00"
    assert quote(city, [tot()], "2026-12-16")["total"] == "6588.00"
