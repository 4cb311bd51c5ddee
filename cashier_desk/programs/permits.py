"""Parking permits (programs.md, rule ``parking_permit``, and its Precise readings).

The fee is the permit code's own fixed amount and GL.  A plate is 1–8 letters and digits.  A
permit is valid through the first ``year_end`` strictly after the sale's date — or, when that is
at most ``advance_days`` away, through the one after it (next year's permit, sold ahead).  At
most ``per_address`` permits of the same code at the same address (compared without case, runs
of spaces as one) valid through the same ``year_end`` at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cashier_desk.errors import Refusal
from cashier_desk.money import GlSplit, Money
from cashier_desk.programs.parts import Part, kept, part, parts_total

_PLATE = re.compile(r"[A-Z0-9]{1,8}", re.ASCII)


@dataclass(frozen=True, slots=True)
class PermitRules:
    per_address: int
    year_end: str  # "MM-DD"
    advance_days: int

    def year_end_in(self, year: int) -> date:
        """This year's ``year_end`` (02-29 falls on 02-28 in a common year)."""
        month, day = (int(x) for x in self.year_end.split("-"))
        try:
            return date(year, month, day)
        except ValueError:
            return date(year, month, day - 1)


def plate(text: object) -> str:
    """A plate as kept: upper case, blanks around it dropped; 1–8 letters and digits, nothing
    else → ``bad_plate``."""
    found = text.strip().upper() if isinstance(text, str) else ""
    if _PLATE.fullmatch(found) is None:
        raise Refusal("bad_plate", f"{text!r} is not a plate of 1 to 8 letters and digits.")
    return found


def address_key(text: object) -> str:
    """An address as the limit compares it: without case, runs of blanks as one, none around
    it.  A blank address → ``bad_text``."""
    key = " ".join(text.split()).casefold() if isinstance(text, str) else ""
    if not key:
        raise Refusal("bad_text", "A parking permit needs the address it is for.")
    return key


def valid_through(on: date, rules: PermitRules) -> date:
    """The first ``year_end`` strictly after ``on``, or the next one when that is at most
    ``advance_days`` away."""
    end = rules.year_end_in(on.year)
    if end <= on:
        end = rules.year_end_in(on.year + 1)
    if (end - on).days <= rules.advance_days:
        end = rules.year_end_in(end.year + 1)
    return end


@dataclass(frozen=True, slots=True)
class Permit:
    plate: str
    address: str  # as typed, blanks tidied
    address_key: str  # as the limit compares it
    valid_through: date
    parts: tuple[Part, ...]

    @property
    def total(self) -> Money:
        return parts_total(self.parts)


def parking_permit(
    description: str,
    fee: Money,
    gl: GlSplit,
    plate_text: object,
    address: object,
    on: date,
    rules: PermitRules,
    *,
    valid_at_address: int = 0,
) -> Permit:
    """A permit sold on ``on`` under a code of ``description``, ``fee`` and ``gl``.
    ``valid_at_address`` counts the permits of the same code at the same address (see
    :func:`address_key`) valid through the same year end as this one (see
    :func:`valid_through`); when that is already ``per_address`` → ``permit_limit``."""
    kept_plate = plate(plate_text)
    key = address_key(address)
    through = valid_through(on, rules)
    if valid_at_address >= rules.per_address:
        raise Refusal(
            "permit_limit",
            f"{address} already has {valid_at_address} permits valid through "
            f"{through.isoformat()}; at most {rules.per_address} are allowed at one address.",
        )
    tidy = " ".join(str(address).split())
    parts = kept([part("fee", f"{description} {kept_plate}", fee, gl)])
    return Permit(kept_plate, tidy, key, through, parts)
