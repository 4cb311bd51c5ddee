"""Animal licences as pure rules: the fee table, terms, the senior discount, rabies validity,
renewals and the late fee, rules other than the defaults, and every refusal they own."""

from __future__ import annotations

from datetime import date

import pytest

from cashier_desk.errors import Refusal
from cashier_desk.money import GlSplit, Money
from cashier_desk.programs import animals
from cashier_desk.programs.rules import defaults, parse_rules

M = Money.parse
RULES = defaults()
ON = date(2026, 12, 6)
RABIES = {"rabies_cert": "R-1234", "rabies_expires": date(2029, 12, 31)}


def _sell(
    species: object = "dog",
    altered: object = True,
    term: object = 1,
    on: date = ON,
    rules: animals.AnimalRules | None = None,
    **kw: object,
) -> animals.AnimalLicence:
    facts: dict[str, object] = {**RABIES, **kw}
    return animals.animal_licence(
        species,
        altered,
        term,
        on,
        rules or RULES.animal_licence(on),
        **facts,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("species", "altered", "term", "fee"),
    [
        ("dog", True, 1, "15.00"),
        ("dog", True, 3, "40.00"),
        ("dog", False, 1, "50.00"),
        ("dog", False, 3, "150.00"),
        ("cat", True, 1, "10.00"),
        ("cat", True, 3, "25.00"),
        ("cat", False, 1, "20.00"),
        ("cat", False, 3, "50.00"),
    ],
)
def test_the_fee_table(species: str, altered: bool, term: int, fee: str) -> None:
    sold = _sell(species, altered, term)
    assert [(p.what, p.amount, p.split) for p in sold.parts] == [
        ("fee", M(fee), GlSplit.parse("101-2200-42100"))
    ]
    assert sold.total == M(fee)


def test_a_new_licence_runs_from_the_sale_to_the_day_before_the_same_date() -> None:
    one = _sell()
    assert (one.starts, one.expires) == (ON, date(2027, 12, 5))
    three = _sell(term=3)
    assert three.expires == date(2029, 12, 5)
    leap = _sell(on=date(2028, 2, 29))  # add_months(2028-02-29, 12) = 2029-02-28, less a day
    assert leap.expires == date(2029, 2, 27)


def test_a_three_year_dog_licence_with_the_senior_discount() -> None:
    sold = _sell("dog", False, 3, senior=True)
    assert sold.total == M("75.00")  # 150.00 − round(150.00 × 50%)
    assert sold.parts[0].description == "Dog licence (unaltered), 3 years, senior"
    assert sold.expires == date(2029, 12, 5)


def test_another_discount_is_rounded_once_and_taken_from_the_fee() -> None:
    rules = parse_rules(
        '[animal_licence]\nsenior_discount = "33.333%"\ngl = "101-2200-42110"\n'
        '[animal_licence.fees]\ndog_altered = ["15.00", "40.01"]\n'
    ).animal_licence(ON)
    sold = _sell("dog", True, 3, rules=rules, senior=True)
    # 40.01 × 33.333% = 13.3365333 → 13.34; fee 40.01 − 13.34 = 26.67
    assert sold.total == M("26.67")
    assert sold.parts[0].split == GlSplit.parse("101-2200-42110")
    # The kinds the file leaves out keep their prices (a version keeps what it leaves out).
    assert _sell("cat", False, 1, rules=rules).total == M("20.00")


def test_a_dog_needs_a_rabies_certificate_through_the_last_day() -> None:
    ok = _sell(rabies_expires=date(2027, 12, 5))  # the licence's last day: enough
    assert ok.total == M("15.00")
    for facts in (
        {"rabies_expires": date(2027, 12, 4)},  # expires a day too soon
        {"rabies_cert": None},
        {"rabies_cert": ""},
        {"rabies_expires": None},
    ):
        with pytest.raises(Refusal) as caught:
            _sell(**facts)
        assert caught.value.code == "rabies_not_current", facts


def test_a_three_year_licence_needs_three_years_of_rabies_cover() -> None:
    with pytest.raises(Refusal) as caught:
        _sell(term=3, rabies_expires=date(2029, 12, 4))
    assert caught.value.code == "rabies_not_current"
    assert "2029-12-05" in caught.value.message


def test_a_cat_needs_no_rabies_certificate() -> None:
    assert _sell("cat", rabies_cert=None, rabies_expires=None).total == M("10.00")


def test_a_renewal_before_expiry_starts_the_day_after_the_old_licence() -> None:
    sold = _sell(renews="AL-W1-000001", old_expires=date(2026, 12, 31),
                 rabies_expires=date(2027, 12, 31))  # fmt: skip
    assert (sold.starts, sold.expires) == (date(2027, 1, 1), date(2027, 12, 31))
    assert [p.what for p in sold.parts] == ["fee"]


def test_the_late_fee_comes_more_than_late_after_days_after_expiry_and_is_not_discounted() -> None:
    old = date(2026, 10, 1)
    in_time = _sell(on=date(2026, 10, 31), renews="AL-1", old_expires=old)  # 30 days: not late
    assert in_time.total == M("15.00")
    assert in_time.starts == date(2026, 10, 31)  # after expiry: from the sale's date
    late = _sell(on=date(2026, 11, 1), renews="AL-1", old_expires=old, senior=True)
    assert [(p.what, p.amount) for p in late.parts] == [
        ("fee", M("7.50")),
        ("late_fee", M("20.00")),
    ]
    assert [str(p.split) for p in late.parts] == ["101-2200-42100", "101-2200-42100"]
    assert late.expires == date(2027, 10, 31)


def test_a_new_licence_pays_no_late_fee() -> None:
    assert _sell(old_expires=date(2020, 1, 1)).total == M("15.00")


@pytest.mark.parametrize(
    ("species", "altered", "term", "extra", "code"),
    [
        ("bird", True, 1, {}, "bad_species"),
        ("Dog", True, 1, {}, "bad_species"),
        (None, True, 1, {}, "bad_species"),
        ("dog", True, 2, {}, "bad_term"),
        ("dog", True, "1", {}, "bad_term"),
        ("dog", True, True, {}, "bad_term"),
        ("dog", "yes", 1, {}, "bad_request"),
        ("dog", True, 1, {"senior": "yes"}, "bad_request"),
        ("dog", True, 1, {"renews": "AL-9"}, "unknown_licence"),
    ],
)
def test_refusals(
    species: object, altered: object, term: object, extra: dict[str, object], code: str
) -> None:
    with pytest.raises(Refusal) as caught:
        _sell(species, altered, term, **extra)
    assert caught.value.code == code


def test_versions_of_the_fee_table() -> None:
    rules = parse_rules(
        '[[animal_licence]]\neffective = "2027-01-01"\nlate_fee = "25.00"\n'
        'fees = { dog_altered = ["18.00", "45.00"] }\n'
    )
    before, after = date(2026, 12, 31), date(2027, 1, 1)
    assert _sell(on=before, rules=rules.animal_licence(before)).total == M("15.00")
    assert _sell(on=after, rules=rules.animal_licence(after)).total == M("18.00")
    assert _sell("cat", on=after, rules=rules.animal_licence(after)).total == M("10.00")
    assert rules.animal_licence(after).late_fee == M("25.00")
