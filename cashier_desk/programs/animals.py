"""Animal licences (programs.md, rule ``animal_licence``; FAC 30801, 30804.5; HSC 121690).

The fee comes from the table by species, altered or not and term (1 or 3 years); a senior pays
fee − round(fee × senior_discount).  A new licence runs from the sale's date; a renewal from
the later of the sale's date and the day after the old licence's last day; the last day is
add_months(start, 12 × term) − 1 day.  A dog needs a rabies certificate valid through that last
day; cats need none.  A renewal sold more than ``late_after_days`` after the old licence's last
day adds the late fee (not discounted).  Lines: the fee, the late fee, both on ``gl``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from cashier_desk.errors import Refusal
from cashier_desk.money import GlAccount, Money
from cashier_desk.programs.dates import add_months
from cashier_desk.programs.parts import Part, kept, part, parts_total
from cashier_desk.programs.rates import Rate

SPECIES = ("dog", "cat")
TERMS = (1, 3)


@dataclass(frozen=True, slots=True)
class AnimalRules:
    senior_discount: Rate
    late_fee: Money
    late_after_days: int
    gl: GlAccount
    fees: Mapping[str, tuple[Money, Money]]  # "dog_altered" -> (1-year, 3-year)

    def fee(self, species: str, altered: bool, term_years: int) -> Money:
        kind = f"{species}_{'altered' if altered else 'unaltered'}"
        prices = self.fees.get(kind)
        if prices is None:
            raise Refusal("bad_species", f"There is no licence fee for a {kind.replace('_', ' ')}.")
        return prices[TERMS.index(term_years)]


@dataclass(frozen=True, slots=True)
class AnimalLicence:
    species: str
    altered: bool
    term_years: int
    senior: bool
    starts: date
    expires: date  # the licence's last day
    fee: Money  # after the senior discount
    late_fee: Money
    parts: tuple[Part, ...]

    @property
    def total(self) -> Money:
        return parts_total(self.parts)


def licence_term(start: date, term_years: int) -> date:
    """The last day of a licence from ``start``: add_months(start, 12 × term) − 1 day."""
    return add_months(start, 12 * term_years) - timedelta(days=1)


def senior_fee(fee: Money, rules: AnimalRules) -> Money:
    return fee - rules.senior_discount.of(fee)


def animal_licence(
    species: object,
    altered: object,
    term_years: object,
    on: date,
    rules: AnimalRules,
    *,
    senior: bool = False,
    rabies_cert: str | None = None,
    rabies_expires: date | None = None,
    renews: str | None = None,
    old_expires: date | None = None,
) -> AnimalLicence:
    """A licence sold on ``on``.  ``renews`` names the old licence and ``old_expires`` is its
    last day (None when there is no such licence → ``unknown_licence``).  Species other than
    dog or cat → ``bad_species``; a term other than 1 or 3 years → ``bad_term``; a dog whose
    rabies certificate (number and expiry) is missing or ends before the licence's last day →
    ``rabies_not_current``."""
    if species not in SPECIES:
        raise Refusal("bad_species", f"Animal licences are for dogs and cats, not {species!r}.")
    if type(term_years) is not int or term_years not in TERMS:
        raise Refusal("bad_term", f"A licence is for 1 or 3 years, not {term_years!r}.")
    if type(altered) is not bool or type(senior) is not bool:
        what = "the animal is altered" if type(altered) is not bool else "the owner is a senior"
        raise Refusal("bad_request", f"Say whether {what} (true or false).")
    start = on
    if renews is not None:
        if old_expires is None:
            raise Refusal("unknown_licence", f"There is no animal licence {renews!r} to renew.")
        start = max(on, old_expires + timedelta(days=1))
    expires = licence_term(start, term_years)
    if species == "dog" and (not rabies_cert or rabies_expires is None or rabies_expires < expires):
        shown = "no rabies certificate" if not rabies_cert or rabies_expires is None else (
            f"the rabies certificate {rabies_cert} expires {rabies_expires.isoformat()}"
        )  # fmt: skip
        raise Refusal(
            "rabies_not_current",
            f"A dog's licence needs a rabies certificate valid through {expires.isoformat()}; "
            f"{shown}.",
        )
    full = rules.fee(str(species), altered, term_years)
    fee = senior_fee(full, rules) if senior else full
    late = (
        renews is not None
        and old_expires is not None
        and (on - old_expires).days > rules.late_after_days
    )
    late_fee = rules.late_fee if late else Money(0)
    kind = "altered" if altered else "unaltered"
    term = "1 year" if term_years == 1 else f"{term_years} years"
    what = f"{str(species).capitalize()} licence ({kind}), {term}" + (", senior" if senior else "")
    parts = kept(
        [
            part("fee", what, fee, rules.gl),
            part("late_fee", "Animal licence late fee", late_fee, rules.gl),
        ]
    )
    return AnimalLicence(
        str(species), altered, term_years, senior, start, expires, fee, late_fee, parts
    )
