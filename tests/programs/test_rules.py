"""Program rules as reference data: defaults, versions by effective date, and a bad file named
by table and key (programs.md, "Rules are reference data" and "Precise readings / Versions")."""

from __future__ import annotations

from datetime import date

import pytest

from cashier_desk.money import Money
from cashier_desk.programs.rates import Rate
from cashier_desk.programs.rules import RulesError, defaults, parse_rules


def test_the_defaults_are_the_contracts() -> None:
    rules = defaults()
    tot = rules.in_force("tot", date(2026, 12, 1))
    assert tot["rate"] == Rate.parse("10%") and tot["second_after_days"] == 30
    assert rules.plan(date(2026, 12, 1)).indigent_fee == Money.parse("5.00")
    fees = rules.in_force("animal_licence", date(2026, 12, 1))["fees"]
    assert fees["dog_unaltered"] == (Money.parse("50.00"), Money.parse("150.00"))


def test_versions_take_effect_on_their_day_and_keep_what_they_leave_out() -> None:
    rules = parse_rules(
        '[[tot]]\neffective = 2027-01-01\nrate = "12%"\n'
        '[[tot]]\neffective = "2027-07-01"\npenalty = "15%"\n'
    )
    before = rules.in_force("tot", date(2026, 12, 31))
    first = rules.in_force("tot", date(2027, 1, 1))
    second = rules.in_force("tot", date(2027, 7, 1))
    assert before["rate"] == Rate.parse("10%")  # before the first version: the defaults
    assert (first["rate"], first["penalty"]) == (Rate.parse("12%"), Rate.parse("10%"))
    assert (second["rate"], second["penalty"]) == (Rate.parse("12%"), Rate.parse("15%"))
    # A table the file leaves out takes the defaults.
    assert rules.plan(date(2027, 7, 1)).fee == Money.parse("25.00")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[tot]\nrate = "ten"\n', "[tot] rate"),
        ('[tot]\nrates = "10%"\n', "[tot] has no key 'rates'"),
        ('[citation]\npenalty_gl = "41300"\n', "[citation] penalty_gl"),
        ("[citations]\n", "no program table [citations]"),
        ('[plan]\nfee = "-1.00"\n', "[plan] fee"),
        ("[plan]\nmax_months = 1.5\n", "[plan] max_months"),
        ("[citation]\npenalties = [ { after_days = 0 } ]\n", "[citation] penalties"),
        ('[parking_permit]\nyear_end = "02-30"\n', "[parking_permit] year_end"),
        ('[[tot]]\neffective = 2027-01-01\n[[tot]]\nrate = "9%"\n', "version 2 has no effective"),
        ('[[tot]]\nrate = "9%"\n', "version 1 has no effective"),
        ("[[tot]]\neffective = 2027-06-01\n[[tot]]\neffective = 2027-01-01\n", "in order"),
        ("[tot\n", "not a TOML file"),
        ("[[tot]]\neffective = 2026-12-01T00:00:00\n", "[tot] effective"),
        ("[tot]\neffective = 2026-12-01T00:00:00-08:00\n", "[tot] effective"),
        ("[[nsf]]\neffective = 2026-12-01 08:00:00Z\n", "[nsf] effective"),
        ("[[tot]]\neffective = 08:00:00\n", "[tot] effective"),
    ],
)
def test_a_bad_file_names_its_table_and_key(text: str, named: str) -> None:
    with pytest.raises(RulesError) as refused:
        parse_rules(text)
    assert named in str(refused.value)
