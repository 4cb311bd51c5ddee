"""Parking citations (programs.md, rule ``citation``): the penalty steps in force on a date, and
the contest window.  A citation's fine follows its code's GL split; each step in force is one
line ``Late penalty <ref>`` wholly on the rule's ``penalty_gl``; a step's percentage is of the
fine as issued, rounded once.  While contested, penalties are computed as of the contest date;
a paid citation grows nothing (the caller stops asking)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cashier_desk.money import GlAccount, Money
from cashier_desk.programs.dates import days_late
from cashier_desk.programs.rates import RateOrAmount


@dataclass(frozen=True, slots=True)
class PenaltyStep:
    after_days: int  # the step applies when days late > after_days
    amount: RateOrAmount


@dataclass(frozen=True, slots=True)
class CitationRules:
    penalties: tuple[PenaltyStep, ...]
    penalty_gl: GlAccount
    review_days: int
    notice_days: int


def penalties(fine: Money, due: date, on: date, rules: CitationRules) -> list[Money]:
    """Each step in force on ``on`` (days late > its after_days), in the rules' order, with
    its amount; steps of 0.00 are left out (lines of 0.00 are never made)."""
    late = days_late(on, due)
    found = [step.amount.on(fine) for step in rules.penalties if late > step.after_days]
    return [amount for amount in found if amount]


def as_of(on: date, contested: date | None) -> date:
    """The date a citation's amount is computed on: the contest's date while it is contested
    (penalties stop growing), else ``on`` — and never later than ``on`` (a quote dated before
    the contest is computed as of its own date)."""
    return on if contested is None else min(on, contested)


def review_window_open(
    on: date, issued: date | None, notice: date | None, rules: CitationRules
) -> bool:
    """Within ``review_days`` of issue, day 21 included — or within ``notice_days`` of a
    delinquency notice.  A citation without ``issued`` has the notice window only."""
    if issued is not None and on <= issued + timedelta(days=rules.review_days):
        return True
    return notice is not None and on <= notice + timedelta(days=rules.notice_days)


def still_owed(
    fine: Money, grown: list[Money], fine_kept: Money, penalties_kept: Money
) -> tuple[Money, list[Money]]:
    """What a citation some of whose payments were taken back (a returned check, a transfer
    off it) still owes: the fine less what is kept of it, and each penalty step in force less
    what is kept of the penalties, the earliest steps first (programs.md: taking back "puts its
    fine back (penalties are recomputed by date)"; "that much is due on the item again").
    Nothing is ever owed below zero; steps fully kept are left out (no line of 0.00)."""
    fine_due = fine - fine_kept if fine > fine_kept else Money(0)
    left = penalties_kept.cents if penalties_kept.is_positive() else 0
    owed: list[Money] = []
    for step in grown:
        kept = min(step.cents, left)
        left -= kept
        if step.cents > kept:
            owed.append(Money(step.cents - kept))
    return fine_due, owed
