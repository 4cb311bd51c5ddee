"""Business licences (programs.md, rule ``business_licence``; GC 4467 for the state fee).

tax = round(gross receipts / 1000 × rate_per_1000), at least ``minimum``; the state fee per
licence issued or renewed, split by its own GL split; a renewal paid after ``renewal_due`` (a
month-day in the licence year) adds round(tax × min(started months late × monthly_penalty,
penalty_cap)).  Lines: tax, state fee, penalty.  The licence is valid to 31 December of its
year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from cashier_desk.errors import Refusal
from cashier_desk.money import GlAccount, GlSplit, Money
from cashier_desk.programs.dates import months_late
from cashier_desk.programs.parts import Part, declared, kept, part, parts_total, registered
from cashier_desk.programs.rates import Rate, round_half_up

KINDS = ("new", "renewal")
RULE = "business_licence"


@dataclass(frozen=True, slots=True)
class LicenceRules:
    rate_per_1000: Fraction  # dollars of tax per 1,000 dollars of gross receipts, exactly
    minimum: Money
    state_fee: Money
    state_fee_gl: GlSplit
    tax_gl: GlAccount
    renewal_due: str  # "MM-DD" in the licence year
    monthly_penalty: Rate
    penalty_cap: Rate
    penalty_gl: GlAccount

    def due(self, year: int) -> date:
        """The renewal's due date in ``year`` (02-29 falls on 02-28 in a common year)."""
        month, day = (int(x) for x in self.renewal_due.split("-"))
        try:
            return date(year, month, day)
        except ValueError:
            return date(year, month, day - 1)


@dataclass(frozen=True, slots=True)
class Licence:
    kind: str
    year: int
    gross_receipts: Money
    tax: Money
    state_fee: Money
    penalty: Money
    months_late: int
    valid_through: date
    parts: tuple[Part, ...]

    @property
    def total(self) -> Money:
        return parts_total(self.parts)


def licence_tax(gross_receipts: Money, rules: LicenceRules) -> Money:
    """gross / 1000 × rate_per_1000, rounded once, at least the minimum."""
    exact = gross_receipts.cents * rules.rate_per_1000 / 1000
    return max(round_half_up(exact), rules.minimum)


def renewal_penalty(tax: Money, months: int, rules: LicenceRules) -> Money:
    """round(tax × min(months × monthly_penalty, penalty_cap)): one amount, rounded once."""
    share = min(rules.monthly_penalty.fraction * months, rules.penalty_cap.fraction)
    return round_half_up(tax.cents * share)


def licence_year(year: object, on: date) -> int:
    """A licence year: a whole year, at most the one after the sale's (sold ahead); an earlier
    year may be licensed late."""
    if type(year) is not int or not 1900 <= year <= on.year + 1:
        raise Refusal(
            "bad_request",
            f"The licence year must be a year up to {on.year + 1}, not {year!r}.",
        )
    return year


def business_licence(
    kind: object,
    year: object,
    gross_receipts: object,
    on: date,
    rules: LicenceRules,
    *,
    account: str | None = None,
    account_rule: str | None = None,
    licensed_that_year: bool = False,
) -> Licence:
    """A new licence or a renewal sold on ``on``.  A renewal names its ``account``, whose rule
    in the accounts table is ``account_rule`` (None: no such account) → ``unknown_account``
    unless it is a business licence; ``licensed_that_year`` (a licence, new or renewed, of the
    account for ``year`` already on record) → ``already_licensed``.  A bad kind is
    ``bad_kind``."""
    if kind not in KINDS:
        raise Refusal("bad_kind", f"A licence is new or a renewal, not {kind!r}.")
    the_year = licence_year(year, on)
    gross = declared(gross_receipts, "The gross receipts")
    renewal = kind == "renewal"
    if renewal:
        registered(str(account), account_rule, RULE, "a business licence")
    if licensed_that_year:
        raise Refusal(
            "already_licensed", f"{account or 'The business'} is already licensed for {the_year}."
        )
    tax = licence_tax(gross, rules)
    months = months_late(on, rules.due(the_year)) if renewal else 0
    penalty = renewal_penalty(tax, months, rules)
    parts = kept(
        [
            part("tax", f"Business licence tax {the_year}", tax, rules.tax_gl),
            part("state_fee", "State fee (CASp, GC 4467)", rules.state_fee, rules.state_fee_gl),
            part("penalty", f"Late renewal penalty {the_year}", penalty, rules.penalty_gl),
        ]
    )
    return Licence(
        str(kind), the_year, gross, tax, rules.state_fee, penalty, months,
        date(the_year, 12, 31), parts,
    )  # fmt: skip
