"""Citations, plans and the cumulative split as pure rules: every worked example of
programs.md for citations and plans, and rules other than the defaults (a fixed penalty, two
steps, another plan fee)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cashier_desk.errors import Refusal
from cashier_desk.money import GlSplit, Money
from cashier_desk.programs import citations, plans
from cashier_desk.programs.rules import defaults, parse_rules
from cashier_desk.programs.split import cumulative_share

M = Money.parse
FINE_SPLIT = GlSplit.parse(
    "250-0000-22010=3.00;250-0000-22020=4.50;250-0000-22030=5.00;101-0000-41300"
)
DUE = date(2026, 11, 30)
RULES = defaults()


def _due(on: date, contested: date | None = None) -> Money:
    rules = RULES.citation(on)
    as_of = citations.as_of(on, contested)
    return M("50.00") + sum(citations.penalties(M("50.00"), DUE, as_of, rules), Money(0))


def test_the_citation_examples() -> None:
    assert _due(date(2026, 11, 30)) == M("50.00")  # on the due date: no penalty
    assert FINE_SPLIT.allocate(M("50.00")) == [
        ("250-0000-22010", M("3.00")), ("250-0000-22020", M("4.50")),
        ("250-0000-22030", M("5.00")), ("101-0000-41300", M("37.50")),
    ]  # fmt: skip
    assert citations.penalties(M("50.00"), DUE, date(2026, 12, 1), RULES.citation(DUE)) == [
        M("50.00")
    ]
    assert _due(date(2026, 12, 1)) == M("100.00")
    # Contested 2026-12-10, paid 2027-02-01: as of the contest date.
    assert _due(date(2027, 2, 1), contested=date(2026, 12, 10)) == M("100.00")
    # A quote dated before the contest is computed as of its own date.
    assert _due(date(2026, 11, 15), contested=date(2026, 12, 10)) == M("50.00")


def test_a_fixed_penalty_and_two_steps() -> None:
    rules = parse_rules(
        '[citation]\npenalties = [ { after_days = 0, amount = "25.00" },'
        ' { after_days = 30, amount = "50%" } ]\n'
    ).citation(DUE)
    fine = M("63.00")
    assert citations.penalties(fine, DUE, date(2026, 11, 30), rules) == []
    assert citations.penalties(fine, DUE, date(2026, 12, 30), rules) == [M("25.00")]  # 30 late
    assert citations.penalties(fine, DUE, date(2026, 12, 31), rules) == [M("25.00"), M("31.50")]


def test_the_review_window_includes_its_last_day() -> None:
    rules = RULES.citation(DUE)
    issued = date(2026, 11, 1)
    assert citations.review_window_open(date(2026, 11, 22), issued, None, rules)  # day 21
    assert not citations.review_window_open(date(2026, 11, 23), issued, None, rules)
    notice = date(2027, 1, 5)
    assert citations.review_window_open(date(2027, 1, 19), issued, notice, rules)  # notice + 14
    assert not citations.review_window_open(date(2027, 1, 20), issued, notice, rules)
    assert not citations.review_window_open(date(2026, 11, 2), None, None, rules)  # no issued


def test_the_indigent_plan_example() -> None:
    rules = RULES.plan(DUE)
    total = plans.plan_total(M("100.00"), M("50.00"), indigent_citation=True,
                             fee=rules.fee_for(indigent=True))  # fmt: skip
    assert total == M("55.00")
    schedule = plans.schedule(total, M("25.00"), date(2027, 1, 31), rules.months_for(True))
    assert [(i.due, i.amount) for i in schedule] == [
        (date(2027, 1, 31), M("25.00")), (date(2027, 2, 28), M("25.00")),
        (date(2027, 3, 31), M("5.00")),
    ]  # fmt: skip


def test_another_plan_fee_and_the_limit() -> None:
    rules = parse_rules('[plan]\nfee = "40.00"\nmax_months = 3\n').plan(DUE)
    total = plans.plan_total(M("100.00"), M("50.00"), False, rules.fee_for(False))
    assert total == M("140.00")
    with pytest.raises(Refusal) as refused:
        plans.schedule(total, M("40.00"), DUE, rules.months_for(False))
    assert refused.value.code == "plan_too_long" and "46.67" in refused.value.message
    assert len(plans.schedule(total, M("46.67"), DUE, rules.months_for(False))) == 3


def test_payments_go_to_instalments_in_due_order_and_delinquency_waits_for_grace() -> None:
    schedule = plans.schedule(M("55.00"), M("25.00"), date(2027, 1, 31), 24)
    states = plans.apply_paid(schedule, M("30.00"))
    assert [s.paid for s in states] == [M("25.00"), M("5.00"), M("0.00")]
    assert plans.next_rest(states) == M("20.00")
    assert not plans.delinquent(states, date(2027, 3, 10), grace_days=10)  # 02-28 + 10
    assert plans.delinquent(states, date(2027, 3, 11), grace_days=10)
    assert plans.next_rest(plans.apply_paid(schedule, M("55.00"))) == M("0.00")


def test_partial_payments_of_a_code_with_fixed_parts_take_the_add_ons_once() -> None:
    """The contract change issue 14 owns: each instalment no longer takes the 12.50 again."""
    parts = [cumulative_share(FINE_SPLIT, M(p), M(a)) for p, a in
             (("0.00", "10.00"), ("10.00", "10.00"), ("20.00", "30.00"))]  # fmt: skip
    assert parts[0] == [("250-0000-22010", M("3.00")), ("250-0000-22020", M("4.50")),
                        ("250-0000-22030", M("2.50"))]  # fmt: skip
    assert parts[1] == [("250-0000-22030", M("2.50")), ("101-0000-41300", M("7.50"))]
    assert parts[2] == [("101-0000-41300", M("30.00"))]


@given(st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=12))
def test_cumulative_shares_add_up_to_the_split_of_all_payments(payments: list[int]) -> None:
    paid = Money(0)
    totals: dict[str, Money] = {}
    for cents in payments:
        share = cumulative_share(FINE_SPLIT, paid, Money(cents))
        assert sum((m for _, m in share), Money(0)) == Money(cents)
        assert all(m.is_positive() for _, m in share)
        for account, m in share:
            totals[account] = totals.get(account, Money(0)) + m
        paid += Money(cents)
    assert totals == dict(FINE_SPLIT.allocate(paid))
