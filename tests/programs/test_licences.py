"""Business licences as pure rules: programs.md's worked examples, the refusals the rules own,
a minimum and a penalty cap other than the defaults, and versions."""

from __future__ import annotations

from datetime import date

import pytest

from cashier_desk.errors import Refusal
from cashier_desk.money import GlSplit, Money
from cashier_desk.programs import licences
from cashier_desk.programs.rules import RulesError, defaults, parse_rules

M = Money.parse
RULES = defaults()
ON = date(2027, 1, 15)


def _new(gross: str, on: date = ON, rules: licences.LicenceRules | None = None) -> licences.Licence:
    return licences.business_licence("new", 2027, gross, on, rules or RULES.business_licence(on))


def _renewal(gross: str, on: date, **kw: object) -> licences.Licence:
    facts: dict[str, object] = {"account": "BL-W1-000001", "account_rule": "business_licence"}
    facts.update(kw)
    return licences.business_licence(
        "renewal",
        2027,
        gross,
        on,
        RULES.business_licence(on),
        **facts,  # type: ignore[arg-type]
    )


def test_the_contracts_examples() -> None:
    big = _new("250000.00")
    assert big.total == M("129.00")
    assert [(p.what, p.amount) for p in big.parts] == [
        ("tax", M("125.00")),
        ("state_fee", M("4.00")),
    ]
    assert big.valid_through == date(2027, 12, 31)
    small = _new("30000.00")  # 15.00 of tax: the minimum
    assert [p.amount for p in small.parts] == [M("50.00"), M("4.00")]
    assert small.total == M("54.00")
    late = _renewal("250000.00", date(2027, 7, 15))  # 6 months late: 120% capped at 100%
    assert late.months_late == 6
    assert [(p.what, p.amount) for p in late.parts] == [
        ("tax", M("125.00")),
        ("state_fee", M("4.00")),
        ("penalty", M("125.00")),
    ]
    assert late.total == M("254.00")


def test_the_lines_go_to_the_rules_accounts_and_the_state_fee_is_split() -> None:
    late = _renewal("250000.00", date(2027, 3, 1))  # 2 months late: 40%
    assert [str(p.split) for p in late.parts] == [
        "101-0000-41100",
        "260-0000-22040=0.40;101-0000-41150",
        "101-0000-41110",
    ]
    assert late.parts[1].split.allocate(M("4.00")) == [
        ("260-0000-22040", M("0.40")),
        ("101-0000-41150", M("3.60")),
    ]
    assert late.penalty == M("50.00")


def test_the_penalty_counts_started_months_from_the_renewal_due_date() -> None:
    assert _renewal("250000.00", date(2027, 1, 31)).penalty == M("0.00")  # on the due date
    assert [p.what for p in _renewal("250000.00", date(2027, 1, 31)).parts] == [
        "tax",
        "state_fee",
    ]  # a 0.00 penalty makes no line
    assert _renewal("250000.00", date(2027, 2, 1)).penalty == M("25.00")  # 1 month: 20%
    assert _renewal("250000.00", date(2027, 2, 28)).penalty == M("25.00")  # 02-28: month 1
    assert _renewal("250000.00", date(2027, 3, 1)).penalty == M("50.00")
    assert _renewal("250000.00", date(2027, 6, 30)).penalty == M("125.00")  # 5 × 20% = 100%


def test_a_new_licence_pays_no_penalty_however_late() -> None:
    assert _new("250000.00", date(2027, 9, 1)).total == M("129.00")


def test_tax_is_rounded_once_half_up() -> None:
    # 123,456.78 / 1000 × 0.50 = 61.72839 → 61.73; 100,001.00 × 0.50 / 1000 = 50.0005 → 50.00
    assert _new("123456.78").tax == M("61.73")
    assert _new("100001.00").tax == M("50.00")
    assert _new("100011.00").tax == M("50.01")  # 50.0055 → 50.01


def test_a_rate_per_thousand_to_a_tenth_of_a_cent_is_exact() -> None:
    """0.735 dollars per 1,000 (a city's resolution may say so): 123,456.78 × 0.735 / 1000
    = 90.7407333 → 90.74; a rate that is not dollars per 1,000 names its key."""
    rules = parse_rules('[business_licence]\nrate_per_1000 = "0.735"\nminimum = "10.00"\n')
    on = date(2027, 1, 10)
    made = licences.business_licence("new", 2027, "123456.78", on, rules.business_licence(on))
    assert made.tax == M("90.74")
    for bad in ('"-0.50"', '"0.5%"', "0.5", '"1.123456"'):
        with pytest.raises(RulesError, match="rate_per_1000"):
            parse_rules(f"[business_licence]\nrate_per_1000 = {bad}\n")


def test_other_rules_a_minimum_a_rate_and_a_cap() -> None:
    rules = parse_rules(
        '[business_licence]\nrate_per_1000 = "1.25"\nminimum = "75.00"\nstate_fee = "1.00"\n'
        'state_fee_gl = "260-0000-22040=0.10;101-0000-41150"\nrenewal_due = "02-28"\n'
        'monthly_penalty = "10%"\npenalty_cap = "25%"\n'
    )
    on = date(2027, 1, 10)
    low = licences.business_licence("new", 2027, "40000.00", on, rules.business_licence(on))
    assert [p.amount for p in low.parts] == [M("75.00"), M("1.00")]  # 50.00 → the minimum
    high = licences.business_licence("new", 2027, "80000.00", on, rules.business_licence(on))
    assert high.tax == M("100.00")
    late_on = date(2027, 6, 1)  # due 02-28: 4 started months × 10% = 40%, capped at 25%
    late = licences.business_licence(
        "renewal", 2027, "80000.00", late_on, rules.business_licence(late_on),
        account="BL-1", account_rule="business_licence",
    )  # fmt: skip
    assert (late.months_late, late.penalty, late.total) == (4, M("25.00"), M("126.00"))


def test_versions_apply_on_their_day() -> None:
    rules = parse_rules('[[business_licence]]\neffective = "2027-07-01"\nminimum = "60.00"\n')
    june, july = date(2027, 6, 30), date(2027, 7, 1)
    assert rules.business_licence(june).minimum == M("50.00")  # before: the defaults
    new = licences.business_licence("new", 2027, "0.00", july, rules.business_licence(july))
    assert new.total == M("64.00")


def test_a_leap_day_renewal_due_falls_on_the_28th_in_a_common_year() -> None:
    rules = parse_rules('[business_licence]\nrenewal_due = "02-29"\n').business_licence(ON)
    assert rules.due(2027) == date(2027, 2, 28)
    assert rules.due(2028) == date(2028, 2, 29)


def test_a_renewal_of_an_unknown_or_other_account_is_refused() -> None:
    for rule in (None, "tot"):
        with pytest.raises(Refusal) as caught:
            _renewal("1000.00", ON, account_rule=rule)
        assert caught.value.code == "unknown_account"


def test_a_second_licence_for_the_year_is_refused() -> None:
    with pytest.raises(Refusal) as caught:
        _renewal("1000.00", ON, licensed_that_year=True)
    assert caught.value.code == "already_licensed"


def test_a_bad_kind_year_or_figure_is_refused() -> None:
    cases: list[tuple[object, object, object, str]] = [
        ("renew", 2027, "1.00", "bad_kind"),
        ("new", 2029, "1.00", "bad_request"),  # more than a year ahead
        ("new", "2027", "1.00", "bad_request"),
        ("new", True, "1.00", "bad_request"),
        ("new", 2027, "-1.00", "bad_amount"),
        ("new", 2027, "1,000.00", "bad_amount"),
    ]
    for kind, year, gross, code in cases:
        with pytest.raises(Refusal) as caught:
            licences.business_licence(kind, year, gross, ON, RULES.business_licence(ON))
        assert caught.value.code == code, (kind, year, gross)


def test_next_years_licence_may_be_sold_ahead_and_a_past_year_late() -> None:
    ahead = licences.business_licence("new", 2028, "0.00", ON, RULES.business_licence(ON))
    assert ahead.valid_through == date(2028, 12, 31)
    back = _renewal("250000.00", date(2027, 1, 15)).valid_through
    assert back == date(2027, 12, 31)
    past = licences.business_licence(
        "renewal", 2026, "250000.00", ON, RULES.business_licence(ON),
        account="BL-1", account_rule="business_licence",
    )  # fmt: skip
    assert past.penalty == M("125.00")  # due 2026-01-31: 12 months, capped at 100%
    assert past.parts[1].split == GlSplit.parse("260-0000-22040=0.40;101-0000-41150")
