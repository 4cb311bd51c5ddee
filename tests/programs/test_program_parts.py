"""What every program of issue 15 shares: the rules' typed accessors with the contract's
defaults, the registered account, the code an item's lines report under, declared figures."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from cashier_desk.errors import Refusal
from cashier_desk.money import GlSplit, Money
from cashier_desk.programs.parts import declared, registered, rule_code
from cashier_desk.programs.rates import Rate
from cashier_desk.programs.rules import RulesError, defaults, parse_rules

M = Money.parse
ON = date(2026, 12, 6)


def test_the_accessors_give_the_contracts_defaults() -> None:
    rules = defaults()
    t = rules.tot(ON)
    assert (t.rate, t.penalty, t.second_penalty, t.interest_monthly) == (
        Rate.parse("10%"), Rate.parse("10%"), Rate.parse("10%"), Rate.parse("0.5%"),
    )  # fmt: skip
    assert (t.second_after_days, t.tax_gl, t.penalty_gl, t.interest_gl) == (
        30, "101-0000-31300", "101-0000-31310", "101-0000-31320",
    )  # fmt: skip
    b = rules.business_licence(ON)
    assert (b.rate_per_1000, b.minimum, b.state_fee) == (Fraction(1, 2), M("50.00"), M("4.00"))
    assert b.state_fee_gl == GlSplit.parse("260-0000-22040=0.40;101-0000-41150")
    assert (b.tax_gl, b.renewal_due, b.penalty_gl) == ("101-0000-41100", "01-31", "101-0000-41110")
    assert (b.monthly_penalty, b.penalty_cap) == (Rate.parse("20%"), Rate.parse("100%"))
    a = rules.animal_licence(ON)
    assert (a.senior_discount, a.late_fee, a.late_after_days, a.gl) == (
        Rate.parse("50%"), M("20.00"), 30, "101-2200-42100",
    )  # fmt: skip
    assert a.fees["dog_unaltered"] == (M("50.00"), M("150.00"))
    p = rules.parking_permit(ON)
    assert (p.per_address, p.year_end, p.advance_days) == (3, "06-30", 45)


def test_the_rules_are_frozen() -> None:
    t = defaults().tot(ON)
    with pytest.raises(AttributeError):
        t.rate = Rate.parse("1%")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[tot]\nrate = "10"\n', "[tot] rate"),
        (
            '[business_licence]\nstate_fee_gl = "260-0000-22040=0.40"\n',
            "[business_licence] state_fee_gl",
        ),
        ('[animal_licence.fees]\ndog_altered = ["15.00"]\n', "[animal_licence] fees"),
        ('[animal_licence.fees]\nbird = ["1.00", "2.00"]\n', "[animal_licence] fees"),
        ('[parking_permit]\nyear_end = "13-01"\n', "[parking_permit] year_end"),
    ],
)
def test_a_bad_program_table_names_its_key(text: str, named: str) -> None:
    with pytest.raises(RulesError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_rules(text)


def test_a_tot_account_must_be_registered_as_one() -> None:
    registered("TOT-0042", "tot", "tot", "a TOT operator")
    for found in (None, "business_licence"):
        with pytest.raises(Refusal) as caught:
            registered("TOT-0042", found, "tot", "a TOT operator")
        assert caught.value.code == "unknown_account"


def test_the_code_an_item_reports_under() -> None:
    assert rule_code("tot", ["TOT"], None) == "TOT"
    assert rule_code("tot", ["TOT", "TOT-AMD"], "TOT-AMD") == "TOT-AMD"
    with pytest.raises(Refusal) as caught:
        rule_code("tot", ["TOT", "TOT-AMD"], None)
    assert caught.value.code == "code_required"
    for codes, given in ((["TOT"], "BL"), ([], None)):
        with pytest.raises(Refusal) as caught:
            rule_code("tot", codes, given)
        assert caught.value.code == "unknown_code"


def test_declared_figures() -> None:
    assert declared("50000.00", "x") == M("50000.00")
    assert declared(M("1.00"), "x") == M("1.00")
    assert declared("9999999999999.99", "x") == M("9999999999999.99")  # no max_amount here
    for bad in ("-0.01", "1e3", 1.5, None):
        with pytest.raises(Refusal) as caught:
            declared(bad, "The gross rents")
        assert caught.value.code == "bad_amount"
