"""The new programs' figures checked against an independent reckoning (``Decimal``, half up)
for many rates, amounts and dates: each part computed exactly and rounded once, then added."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from cashier_desk.money import Money
from cashier_desk.programs import animals, licences, tot
from cashier_desk.programs.dates import add_months
from cashier_desk.programs.rules import parse_rules

CENT = Decimal("0.01")


def _round(x: Decimal) -> Money:
    return Money.parse(str(x.quantize(CENT, rounding=ROUND_HALF_UP)))


def pct(text: str) -> Decimal:
    return Decimal(text.rstrip("%")) / 100


def _months(due: date, on: date) -> int:
    m = 0
    while add_months(due, m) < on:
        m += 1
    return m


rates = st.builds(lambda n, d: f"{n}.{d:03d}%", st.integers(0, 30), st.integers(0, 999))
cents = st.integers(0, 10**10)
days = st.integers(-40, 800)


@given(
    rate=rates,
    penalty=rates,
    second=rates,
    interest=rates,
    gross=cents,
    after=st.integers(0, 90),
    late=days,
)
def test_a_tot_return_is_its_parts_each_rounded_once(
    rate: str, penalty: str, second: str, interest: str, gross: int, after: int, late: int
) -> None:
    rules = parse_rules(
        f'[tot]\nrate = "{rate}"\npenalty = "{penalty}"\nsecond_penalty = "{second}"\n'
        f'second_after_days = {after}\ninterest_monthly = "{interest}"\n'
    ).tot(date(2026, 1, 1))
    due = date(2026, 10, 31)
    on = max(due + timedelta(days=late), date(2026, 10, 1))
    r = tot.tot_return("T", "2026-Q3", str(Money(gross)), "0.00", on, rules)
    tax = _round(Decimal(gross) / 100 * pct(rate))
    days_late = max(0, (on - due).days)
    pen = Money(0)
    if days_late > 0:
        pen = _round(Decimal(tax.cents) / 100 * pct(penalty))
        if days_late > after:
            pen += _round(Decimal(tax.cents) / 100 * pct(second))
    months = _months(due, on) if on > due else 0
    intr = _round(Decimal(tax.cents) / 100 * pct(interest) * months)
    assert (r.tax, r.penalty, r.interest, r.months_late) == (tax, pen, intr, months)
    assert r.total == tax + pen + intr
    assert r.parts[0].what == "tax"
    assert all(p.amount for p in r.parts[1:])  # no 0.00 line but the tax's


@given(
    gross=cents,
    per_1000=st.integers(1, 500),
    minimum=st.integers(0, 20000),
    monthly=rates,
    cap=rates,
    late=days,
)
def test_a_licence_renewal_is_its_parts_each_rounded_once(
    gross: int, per_1000: int, minimum: int, monthly: str, cap: str, late: int
) -> None:
    rules = parse_rules(
        f'[business_licence]\nrate_per_1000 = "{Money(per_1000)}"\nminimum = "{Money(minimum)}"\n'
        f'monthly_penalty = "{monthly}"\npenalty_cap = "{cap}"\n'
    ).business_licence(date(2027, 1, 1))
    due = date(2027, 1, 31)
    on = due + timedelta(days=late)
    if on.year > 2028:
        return
    r = licences.business_licence(
        "renewal", 2027, str(Money(gross)), on, rules, account="B", account_rule="business_licence"
    )
    tax = max(_round(Decimal(gross) / 100 / 1000 * Decimal(per_1000) / 100), Money(minimum))
    months = _months(due, on) if on > due else 0
    share = min(Decimal(monthly.rstrip("%")) * months, Decimal(cap.rstrip("%"))) / 100
    assert (r.tax, r.months_late) == (tax, months)
    assert r.penalty == _round(Decimal(tax.cents) / 100 * share)
    assert r.total == tax + Money(400) + r.penalty


@given(
    discount=rates, fee=st.integers(1, 100000), on=st.dates(date(2024, 1, 1), date(2030, 12, 31))
)
def test_a_senior_fee_is_the_fee_less_the_discount_rounded_once(
    discount: str, fee: int, on: date
) -> None:
    rules = parse_rules(
        f'[animal_licence]\nsenior_discount = "{discount}"\n'
        f'[animal_licence.fees]\ncat_altered = ["{Money(fee)}", "{Money(fee * 2)}"]\n'
    ).animal_licence(on)
    sold = animals.animal_licence("cat", True, 3, on, rules, senior=True)
    three_years = Money(fee * 2)
    off = _round(Decimal(three_years.cents) / 100 * pct(discount))
    assert sold.fee == three_years - off
    assert Money(0) <= sold.fee <= three_years
    assert sold.expires == add_months(on, 36) - timedelta(days=1)
