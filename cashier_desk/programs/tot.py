"""Transient occupancy tax returns (programs.md, rule ``tot``, and its Precise readings).

A hotel files a return per period (``YYYY-Qn`` or ``YYYY-MM``), due the last day of the month
after the period ends.  taxable = gross − exempt; tax = round(taxable × rate); when paid late
the penalty is round(tax × penalty), plus round(tax × second_penalty) more than
``second_after_days`` late; interest = round(tax × interest_monthly × started months late).
An amended return owes the new tax less the tax already paid for the period, with penalty and
interest on that difference.  Lines: tax, penalty, interest; zero lines left out, except the
one 0.00 tax line of a nil return."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cashier_desk.errors import Refusal
from cashier_desk.money import GlAccount, Money
from cashier_desk.programs.dates import add_months, days_late, month_end, months_late
from cashier_desk.programs.parts import Part, declared, part, parts_total
from cashier_desk.programs.rates import Rate

_PERIOD = re.compile(r"(\d{4})-(?:Q([1-4])|(0[1-9]|1[0-2]))", re.ASCII)


@dataclass(frozen=True, slots=True)
class TotRules:
    rate: Rate
    penalty: Rate
    second_penalty: Rate
    second_after_days: int
    interest_monthly: Rate
    tax_gl: GlAccount
    penalty_gl: GlAccount
    interest_gl: GlAccount


@dataclass(frozen=True, slots=True)
class Period:
    """A return's period: its text as written, first and last day, and the return's due date
    (the last day of the month after the period ends)."""

    text: str
    first: date
    last: date

    @property
    def due(self) -> date:
        after = add_months(date(self.last.year, self.last.month, 1), 1)
        return month_end(after.year, after.month)


def parse_period(text: object) -> Period:
    """``2026-Q3`` (July to September) or ``2026-07``; anything else → ``bad_period``."""
    found = _PERIOD.fullmatch(text.strip()) if isinstance(text, str) else None
    if found is None or not 1900 <= int(found.group(1)) <= 9998:
        raise Refusal("bad_period", f"{text!r} is not a period like 2026-Q3 or 2026-07.")
    year = int(found.group(1))
    if found.group(2) is not None:
        quarter = int(found.group(2))
        first_month, last_month = 3 * quarter - 2, 3 * quarter
        label = f"{year}-Q{quarter}"
    else:
        first_month = last_month = int(found.group(3))
        label = f"{year}-{first_month:02d}"
    return Period(label, date(year, first_month, 1), month_end(year, last_month))


@dataclass(frozen=True, slots=True)
class TotReturn:
    """A return as priced on a date: its figures and its lines."""

    account: str
    period: Period
    gross: Money
    exempt: Money
    taxable: Money
    tax: Money  # the return's whole tax
    owed: Money  # the tax this filing pays: ``tax``, or for an amended return the difference
    penalty: Money
    interest: Money
    days_late: int
    months_late: int
    amended: bool
    parts: tuple[Part, ...]

    @property
    def total(self) -> Money:
        return parts_total(self.parts)


def tot_return(
    account: str,
    period: Period | str,
    gross_rents: object,
    exempt_rents: object,
    on: date,
    rules: TotRules,
    *,
    amended: bool = False,
    tax_paid: Money | None = None,
) -> TotReturn:
    """A return filed on ``on``.  ``tax_paid`` is the tax already paid for this account and
    period by earlier returns, None when none was filed: a second return is ``already_filed``
    unless ``amended``; ``amended`` without an earlier return is ``not_filed``; an amended
    return that owes nothing more is ``nothing_due``.  A period not yet ended (the sale on or
    before its last day) is ``period_not_ended``; exempt above gross is ``bad_return``."""
    if type(amended) is not bool:
        raise Refusal("bad_request", "Say whether the return is amended (true or false).")
    when = period if isinstance(period, Period) else parse_period(period)
    gross = declared(gross_rents, "The gross rents")
    exempt = declared(exempt_rents, "The exempt rents")
    if on <= when.last:
        raise Refusal(
            "period_not_ended",
            f"The period {when.text} ends {when.last.isoformat()}: its return can be filed "
            "from the day after.",
        )
    if exempt > gross:
        raise Refusal(
            "bad_return", f"The exempt rents ({exempt}) are more than the gross rents ({gross})."
        )
    if tax_paid is not None and not amended:
        raise Refusal(
            "already_filed",
            f"{account} has already filed its return for {when.text}; file an amended return.",
        )
    if tax_paid is None and amended:
        raise Refusal(
            "not_filed", f"{account} has no return for {when.text} to amend; file it as new."
        )
    taxable = gross - exempt
    tax = rules.rate.of(taxable)
    owed = tax
    if tax_paid is not None:
        owed = tax - tax_paid
        if not owed.is_positive():
            raise Refusal(
                "nothing_due",
                f"The amended tax for {when.text} ({tax}) is not more than the tax already paid "
                f"({tax_paid}): nothing more is due.",
            )
    late = days_late(on, when.due)
    months = months_late(on, when.due)
    penalty = Money(0)
    if late > 0:
        penalty = rules.penalty.of(owed)
        if late > rules.second_after_days:
            penalty += rules.second_penalty.of(owed)
    interest = rules.interest_monthly.of(owed, months)
    what = f"{account} {when.text}"
    parts = [
        part("tax", f"Transient occupancy tax {what}", owed, rules.tax_gl),
        part("penalty", f"TOT penalty {what}", penalty, rules.penalty_gl),
        part("interest", f"TOT interest {what}", interest, rules.interest_gl),
    ]
    made = tuple(p for p in parts if p.amount or p.what == "tax")
    return TotReturn(
        account, when, gross, exempt, taxable, tax, owed, penalty, interest, late, months,
        amended, made,
    )  # fmt: skip
