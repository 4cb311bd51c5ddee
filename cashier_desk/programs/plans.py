"""Payment plans (programs.md, "Payment plans" and "Precise readings / Plans"): the total, the
schedule of instalments, how a payment is applied to them in due order, and delinquency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cashier_desk.errors import Refusal
from cashier_desk.money import GlAccount, Money
from cashier_desk.programs.dates import add_months, days_late


@dataclass(frozen=True, slots=True)
class PlanRules:
    fee: Money
    indigent_fee: Money
    fee_gl: GlAccount
    max_months: int
    indigent_max_months: int
    grace_days: int

    def fee_for(self, indigent: bool) -> Money:
        return self.indigent_fee if indigent else self.fee

    def months_for(self, indigent: bool) -> int:
        return self.indigent_max_months if indigent else self.max_months


@dataclass(frozen=True, slots=True)
class Instalment:
    due: date
    amount: Money


def plan_total(due_today: Money, fine: Money, indigent_citation: bool, fee: Money) -> Money:
    """The amount due today — for an indigent citation the fine only (late penalties waived,
    the add-ons, part of the fine, stay) — plus the plan fee."""
    return (fine if indigent_citation else due_today) + fee


def schedule(total: Money, monthly: Money, first_due: date, limit: int) -> list[Instalment]:
    """Instalments of ``monthly``, the last one the rest, due monthly from ``first_due`` (the
    day of the month kept, clamped).  More than ``limit`` → ``plan_too_long``."""
    if not monthly.is_positive():
        raise Refusal("bad_amount", "the monthly instalment must be more than 0.00")
    count = -(-total.cents // monthly.cents)  # ceiling
    if count > limit:
        raise Refusal(
            "plan_too_long",
            f"{total} at {monthly} a month takes {count} instalments; at most {limit} are "
            f"allowed: raise the monthly amount to at least {Money(-(-total.cents // limit))}",
        )
    out: list[Instalment] = []
    left = total
    for i in range(count):
        amount = min(monthly, left)
        out.append(Instalment(add_months(first_due, i), amount))
        left -= amount
    return out


@dataclass(frozen=True, slots=True)
class InstalmentState:
    due: date
    amount: Money
    paid: Money

    @property
    def rest(self) -> Money:
        return self.amount - self.paid


def apply_paid(instalments: list[Instalment], paid: Money) -> list[InstalmentState]:
    """What ``paid`` (all payments on the plan together) has paid of each instalment, taken in
    due order."""
    left = paid
    out: list[InstalmentState] = []
    for inst in instalments:
        share = min(inst.amount, left)
        out.append(InstalmentState(inst.due, inst.amount, share))
        left -= share
    return out


def next_rest(states: list[InstalmentState]) -> Money:
    """What a payment without an amount pays: the rest of the next instalment not fully paid
    (0.00 when the plan is paid)."""
    for s in states:
        if s.rest:
            return s.rest
    return Money(0)


def delinquent(states: list[InstalmentState], on: date, grace_days: int) -> bool:
    """An instalment still unpaid more than ``grace_days`` after its due date."""
    return any(s.rest and days_late(on, s.due) > grace_days for s in states)


def payment_parts(
    parts: list[tuple[str, Money]], paid: Money, payment: Money
) -> list[tuple[str, Money, Money]]:
    """How a payment on a plan falls on the plan's parts, taken in their order (programs.md:
    the fee, then the fine, then penalties): each part's name, what this payment puts on it
    and what was paid on it before. Parts it does not reach are left out."""
    out: list[tuple[str, Money, Money]] = []
    start = Money(0)
    for name, size in parts:
        end = start + size
        before = min(max(paid - start, Money(0)), size)
        after = min(max(paid + payment - start, Money(0)), size)
        if after > before:
            out.append((name, after - before, before))
        start = end
    return out
