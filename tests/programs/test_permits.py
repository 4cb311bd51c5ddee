"""Parking permits as pure rules: plates, validity through the year end (and sold ahead within
advance_days), the per-address limit with addresses compared loosely, and other rules."""

from __future__ import annotations

from datetime import date

import pytest

from cashier_desk.errors import Refusal
from cashier_desk.money import GlSplit, Money
from cashier_desk.programs import permits
from cashier_desk.programs.rules import defaults, parse_rules

M = Money.parse
RULES = defaults()
GL = GlSplit.parse("101-3100-43200")


def _sell(
    plate: object = "8ABC123", address: object = "12 Oak St", on: date = date(2026, 12, 6),
    rules: permits.PermitRules | None = None, count: int = 0,
) -> permits.Permit:  # fmt: skip
    return permits.parking_permit(
        "Residential parking permit", M("35.00"), GL, plate, address, on,
        rules or RULES.parking_permit(on), valid_at_address=count,
    )  # fmt: skip


def test_a_permit_is_the_codes_fee_on_the_codes_gl() -> None:
    sold = _sell()
    assert [(p.what, p.description, p.amount, p.split) for p in sold.parts] == [
        ("fee", "Residential parking permit 8ABC123", M("35.00"), GL)
    ]
    assert sold.valid_through == date(2027, 6, 30)
    assert sold.total == M("35.00")


@pytest.mark.parametrize(
    ("on", "through"),
    [
        (date(2026, 12, 6), date(2027, 6, 30)),
        (date(2027, 5, 15), date(2027, 6, 30)),  # 46 days away: this year's
        (date(2027, 5, 16), date(2028, 6, 30)),  # 45 days away: next year's, sold ahead
        (date(2027, 6, 29), date(2028, 6, 30)),
        (date(2027, 6, 30), date(2028, 6, 30)),  # on the year end: strictly after it
        (date(2027, 7, 1), date(2028, 6, 30)),
    ],
)
def test_valid_through_the_first_year_end_strictly_after_or_the_next_within_advance_days(
    on: date, through: date
) -> None:
    assert permits.valid_through(on, RULES.parking_permit(on)) == through


def test_advance_days_is_at_most() -> None:
    rules = RULES.parking_permit(date(2027, 1, 1))
    assert (date(2027, 6, 30) - date(2027, 5, 16)).days == 45  # exactly advance_days away
    assert permits.valid_through(date(2027, 5, 15), rules) == date(2027, 6, 30)  # 46 days
    assert permits.valid_through(date(2027, 5, 16), rules) == date(2028, 6, 30)


@pytest.mark.parametrize(
    ("typed", "kept"), [("8abc123", "8ABC123"), (" 1 ", "1"), ("ABCDEFGH", "ABCDEFGH")]
)
def test_plates_are_kept_in_capitals(typed: str, kept: str) -> None:
    assert _sell(plate=typed).plate == kept


@pytest.mark.parametrize(
    "typed", ["", "   ", "ABCDEFGHI", "8ABC 123", "8-ABC", "ÄBC1", "８ABC", None, 123]
)
def test_a_bad_plate_is_refused(typed: object) -> None:
    with pytest.raises(Refusal) as caught:
        _sell(plate=typed)
    assert caught.value.code == "bad_plate"


def test_addresses_compare_without_case_and_with_runs_of_spaces_as_one() -> None:
    a = _sell(address="12  Oak   St ")
    b = _sell(address="12 OAK st")
    assert a.address_key == b.address_key == "12 oak st"
    assert a.address == "12 Oak St"
    assert permits.address_key("12\tOak St") == "12 oak st"


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_a_permit_needs_an_address(typed: object) -> None:
    with pytest.raises(Refusal) as caught:
        _sell(address=typed)
    assert caught.value.code == "bad_text"


def test_the_per_address_limit() -> None:
    assert _sell(count=2).total == M("35.00")  # the third one
    with pytest.raises(Refusal) as caught:
        _sell(count=3)
    assert caught.value.code == "permit_limit"


def test_other_rules_and_versions() -> None:
    rules = parse_rules(
        '[[parking_permit]]\neffective = "2027-01-01"\nper_address = 1\nyear_end = "12-31"\n'
        "advance_days = 0\n"
    )
    before = date(2026, 12, 6)
    assert _sell(on=before, rules=rules.parking_permit(before)).valid_through == date(2027, 6, 30)
    on = date(2027, 3, 1)
    sold = _sell(on=on, rules=rules.parking_permit(on))
    assert sold.valid_through == date(2027, 12, 31)
    last_day = date(2027, 12, 30)  # 1 day away, advance_days 0: still this year's
    assert permits.valid_through(last_day, rules.parking_permit(last_day)) == date(2027, 12, 31)
    with pytest.raises(Refusal) as caught:
        _sell(on=on, rules=rules.parking_permit(on), count=1)
    assert caught.value.code == "permit_limit"


def test_a_leap_day_year_end() -> None:
    rules = parse_rules('[parking_permit]\nyear_end = "02-29"\nadvance_days = 0\n')
    on = date(2026, 12, 6)
    assert permits.valid_through(on, rules.parking_permit(on)) == date(2027, 2, 28)
    on = date(2027, 3, 1)
    assert permits.valid_through(on, rules.parking_permit(on)) == date(2028, 2, 29)
