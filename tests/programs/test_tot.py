"""Transient occupancy tax returns as pure rules: programs.md's worked examples, the refusals
the rules own, and rules other than the defaults (another rate and interest, versions)."""

from __future__ import annotations

from datetime import date

import pytest

from cashier_desk.errors import Refusal
from cashier_desk.money import GlSplit, Money
from cashier_desk.programs import tot
from cashier_desk.programs.rules import defaults, parse_rules

M = Money.parse
RULES = defaults()


def _file(
    on: date, gross: str = "50000.00", exempt: str = "5000.00", **kw: object
) -> tot.TotReturn:
    return tot.tot_return("TOT-0042", "2026-Q3", gross, exempt, on, RULES.tot(on), **kw)  # type: ignore[arg-type]


def _lines(r: tot.TotReturn) -> list[tuple[str, str, str]]:
    return [(p.what, str(p.amount), str(p.split)) for p in r.parts]


def test_the_contracts_examples() -> None:
    on_time = _file(date(2026, 10, 31))
    assert on_time.total == M("4500.00")
    assert _lines(on_time) == [("tax", "4500.00", "101-0000-31300")]
    ten_days = _file(date(2026, 11, 10))
    assert ten_days.total == M("4972.50")
    assert _lines(ten_days) == [
        ("tax", "4500.00", "101-0000-31300"),
        ("penalty", "450.00", "101-0000-31310"),
        ("interest", "22.50", "101-0000-31320"),
    ]
    assert (ten_days.days_late, ten_days.months_late) == (10, 1)
    later = _file(date(2026, 12, 15))
    assert later.total == M("5445.00")
    assert [p.amount for p in later.parts] == [M("4500.00"), M("900.00"), M("45.00")]
    assert (later.days_late, later.months_late) == (45, 2)


def test_the_second_penalty_starts_after_second_after_days() -> None:
    day_30 = _file(date(2026, 11, 30))  # 30 days late: one step; months late 1 (11-30)
    assert [p.amount for p in day_30.parts] == [M("4500.00"), M("450.00"), M("22.50")]
    day_31 = _file(date(2026, 12, 1))  # 31 days: both steps; months late 2
    assert [p.amount for p in day_31.parts] == [M("4500.00"), M("900.00"), M("45.00")]


@pytest.mark.parametrize(
    ("text", "first", "last", "due"),
    [
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30)),
        ("2027-01", date(2027, 1, 1), date(2027, 1, 31), date(2027, 2, 28)),
        ("2028-01", date(2028, 1, 1), date(2028, 1, 31), date(2028, 2, 29)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_periods_and_their_due_dates(text: str, first: date, last: date, due: date) -> None:
    period = tot.parse_period(text)
    assert (period.text, period.first, period.last, period.due) == (text, first, last, due)


@pytest.mark.parametrize(
    "text", ["2026-Q5", "2026-Q0", "2026-13", "2026-1", "26-Q3", "Q3", 3, None]
)
def test_a_bad_period_is_refused(text: object) -> None:
    with pytest.raises(Refusal) as caught:
        tot.parse_period(text)
    assert caught.value.code == "bad_period"


def test_a_period_that_has_not_ended_is_refused() -> None:
    with pytest.raises(Refusal) as caught:
        _file(date(2026, 9, 30))  # the period's last day: not ended yet
    assert caught.value.code == "period_not_ended"
    assert _file(date(2026, 10, 1)).total == M("4500.00")  # the day after: filed early


def test_exempt_above_gross_is_a_bad_return() -> None:
    with pytest.raises(Refusal) as caught:
        _file(date(2026, 10, 10), gross="100.00", exempt="100.01")
    assert caught.value.code == "bad_return"


@pytest.mark.parametrize("gross", ["-1.00", "12.345", "abc", 5])
def test_a_figure_that_is_not_an_amount_is_refused(gross: object) -> None:
    with pytest.raises(Refusal) as caught:
        _file(date(2026, 10, 10), gross=gross)  # type: ignore[arg-type]
    assert caught.value.code == "bad_amount"


def test_a_nil_return_has_its_one_zero_tax_line_even_late() -> None:
    nil = _file(date(2026, 10, 20), gross="0.00", exempt="0.00")
    assert _lines(nil) == [("tax", "0.00", "101-0000-31300")]
    assert nil.total == M("0.00")
    all_exempt = _file(date(2027, 3, 1), gross="800.00", exempt="800.00")
    assert _lines(all_exempt) == [("tax", "0.00", "101-0000-31300")]


def test_a_second_return_is_refused_unless_amended() -> None:
    with pytest.raises(Refusal) as caught:
        _file(date(2026, 10, 20), tax_paid=M("4500.00"))
    assert caught.value.code == "already_filed"


def test_amended_is_true_or_false() -> None:
    with pytest.raises(Refusal) as caught:
        _file(date(2026, 10, 20), amended="yes")
    assert caught.value.code == "bad_request"


def test_an_amendment_without_a_return_is_refused() -> None:
    with pytest.raises(Refusal) as caught:
        _file(date(2026, 10, 20), amended=True)
    assert caught.value.code == "not_filed"


@pytest.mark.parametrize("gross", ["50000.00", "49000.00"])
def test_an_amendment_that_owes_nothing_more_is_refused(gross: str) -> None:
    with pytest.raises(Refusal) as caught:
        _file(date(2026, 10, 20), gross=gross, amended=True, tax_paid=M("4500.00"))
    assert caught.value.code == "nothing_due"


def test_an_amended_return_pays_the_difference_with_penalty_and_interest_on_it() -> None:
    # Rents of 50,000 declared on time (4,500.00 paid); amended on 2026-11-10 to 56,000 gross.
    amended = _file(date(2026, 11, 10), gross="56000.00", amended=True, tax_paid=M("4500.00"))
    assert (amended.tax, amended.owed) == (M("5100.00"), M("600.00"))
    assert [p.amount for p in amended.parts] == [M("600.00"), M("60.00"), M("3.00")]
    assert amended.total == M("663.00")


def test_another_rate_and_interest_round_each_part_once_half_up() -> None:
    rules = parse_rules(
        '[tot]\nrate = "12.345%"\npenalty = "15%"\nsecond_penalty = "5%"\n'
        'second_after_days = 60\ninterest_monthly = "1.5%"\ntax_gl = "201-0000-31300"\n'
    )
    on = date(2027, 1, 5)  # 2026-Q3 due 2026-10-31: 66 days, 3 started months late
    r = tot.tot_return("TOT-0007", "2026-Q3", "12345.67", "0.00", on, rules.tot(on))
    # tax = 12,345.67 × 12.345% = 1,524.072961… → 1,524.07
    assert r.tax == M("1524.07")
    # penalty = round(1,524.07 × 15%) = 228.6105 → 228.61; + round(× 5%) = 76.2035 → 76.20
    assert r.penalty == M("304.81")
    # interest = round(1,524.07 × 1.5% × 3) = 68.58315 → 68.58
    assert r.interest == M("68.58")
    assert r.total == M("1897.46")
    assert r.parts[0].split == GlSplit.parse("201-0000-31300")
    assert r.parts[1].split == GlSplit.parse("101-0000-31310")  # left out: the default


def test_the_version_in_force_on_the_filing_date_applies() -> None:
    rules = parse_rules(
        '[[tot]]\neffective = "2026-01-01"\nrate = "10%"\n'
        '[[tot]]\neffective = 2026-12-01\nrate = "11%"\ninterest_monthly = "1%"\n'
    )
    before = tot.tot_return(
        "T", "2026-Q3", "1000.00", "0.00", date(2026, 11, 30), rules.tot(date(2026, 11, 30))
    )
    assert [p.amount for p in before.parts] == [M("100.00"), M("10.00"), M("0.50")]
    after = tot.tot_return(
        "T", "2026-Q3", "1000.00", "0.00", date(2026, 12, 1), rules.tot(date(2026, 12, 1))
    )
    assert [p.amount for p in after.parts] == [M("110.00"), M("22.00"), M("2.20")]
