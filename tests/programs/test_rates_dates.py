"""The date and rounding helpers against programs.md's definitions ("Common rules"), by example
and as properties over many values (Hypothesis)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashier_desk.money import Money
from cashier_desk.programs.dates import DateError, add_months, days_late, months_late, parse_date
from cashier_desk.programs.rates import Rate, RateError, RateOrAmount, round_half_up

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))


def test_add_months_clamps_to_the_months_last_day() -> None:
    assert add_months(date(2026, 10, 31), 1) == date(2026, 11, 30)  # the contract's example
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


@given(DATES, st.integers(min_value=-120, max_value=120))
def test_add_months_keeps_the_day_clamped(start: date, m: int) -> None:
    got = add_months(start, m)
    months = (got.year * 12 + got.month) - (start.year * 12 + start.month)
    assert months == m
    assert got.day == min(start.day, calendar.monthrange(got.year, got.month)[1])


def _smallest_m(on: date, due: date) -> int:
    """The definition, literally: the smallest m ≥ 0 with add_months(U, m) ≥ D."""
    m = 0
    while add_months(due, m) < on:
        m += 1
    return m


def test_months_late_counts_started_months() -> None:
    due = date(2026, 10, 31)
    assert months_late(date(2026, 10, 31), due) == 0  # on the due date: not late
    assert months_late(date(2026, 11, 1), due) == 1
    assert months_late(date(2026, 11, 30), due) == 1  # add_months(10-31, 1) = 11-30 ≥ D
    assert months_late(date(2026, 12, 1), due) == 2
    assert months_late(date(2026, 12, 15), due) == 2  # the TOT example: 2 started months
    assert months_late(date(2026, 1, 1), due) == 0  # before: 0


@given(DATES, st.integers(min_value=-400, max_value=3000))
def test_months_late_is_the_smallest_m_of_the_definition(due: date, offset: int) -> None:
    on = due + timedelta(days=offset)
    assert months_late(on, due) == _smallest_m(on, due)
    assert days_late(on, due) == max(0, offset)


def test_a_bad_date_is_named() -> None:
    # 2026-W48-1: a week date Python's fromisoformat reads as 2026-11-23; 2026-11-2T: not a date
    for bad in ("2026-13-01", "2026-2-1", "", 20261201, "2026-02-30", "2026-W48-1", "2026-11-2T"):
        with pytest.raises(DateError):
            parse_date(bad, "the due date")


def test_rates_are_exact_fractions() -> None:
    assert Rate.parse("10%").fraction == Fraction(1, 10)
    assert Rate.parse("0.5%").fraction == Fraction(1, 200)
    assert Rate.parse("12.345%").fraction == Fraction(12345, 100000)
    for bad in ("10", "1e1%", "-5%", "%", "ten%", 10, 0.1):
        with pytest.raises(RateError):
            Rate.parse(bad)


def test_the_tot_examples_round_each_part_once() -> None:
    tax = Rate.parse("10%").of(Money.parse("45000.00"))
    assert tax == Money.parse("4500.00")
    assert Rate.parse("10%").of(tax) == Money.parse("450.00")
    assert Rate.parse("0.5%").of(tax, 1) == Money.parse("22.50")
    assert Rate.parse("0.5%").of(tax, 2) == Money.parse("45.00")
    # One computed amount, rounded once: 0.5% × 3 months of 10.01 = 0.15015 → 0.15, not 3 × 0.05.
    assert Rate.parse("0.5%").of(Money.parse("10.01"), 3) == Money.parse("0.15")


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(1, 10**6))
def test_round_half_up_is_decimals_round_half_up(numerator: int, denominator: int) -> None:
    exact = Fraction(numerator, denominator)
    expected = (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    ) if denominator in (1, 2, 4, 5, 8, 10, 100, 1000) else None  # fmt: skip
    got = round_half_up(exact)
    assert abs(Fraction(got.cents) - exact) <= Fraction(1, 2)
    if abs(Fraction(got.cents) - exact) == Fraction(1, 2):
        assert abs(got.cents) > abs(exact)  # a tie goes away from zero
    if expected is not None:
        assert got.cents == int(expected)
    assert round_half_up(-exact) == Money(-got.cents)


@given(
    st.integers(min_value=0, max_value=10**11),
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=1, max_value=36),
)
def test_a_rate_of_an_amount_is_the_exact_product_rounded_once(
    cents: int, whole: int, thousandths: int, months: int
) -> None:
    text = f"{whole}.{thousandths:03d}%"
    exact = Decimal(cents) * Decimal(f"{whole}.{thousandths:03d}") / 100 * months
    expected = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert Rate.parse(text).of(Money(cents), months) == Money(expected)


def test_a_step_is_a_rate_of_its_base_or_a_fixed_amount() -> None:
    assert RateOrAmount.parse("100%").on(Money.parse("50.00")) == Money.parse("50.00")
    assert RateOrAmount.parse("25.00").on(Money.parse("50.00")) == Money.parse("25.00")
    for bad in ("-1.00", "abc", None):
        with pytest.raises(RateError):
            RateOrAmount.parse(bad)
