"""Money as an integer number of cents, and the GL split rule.

No float ever holds money here: a :class:`Money` is built from an ``int`` of cents or parsed
from a string such as ``"12.30"``; anything else is refused.  Rates (penalties, interest, TOT)
round half-up explicitly through :meth:`Money.apply_rate`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NewType

GlAccount = NewType("GlAccount", str)

# Plain ASCII digits only, an optional minus, at most two decimals.  No exponents, no
# thousands separators, no leading plus, no surrounding blanks.
_MONEY_RE = re.compile(r"(-?)([0-9]{1,13})(?:\.([0-9]{1,2}))?", re.ASCII)
# fund-department-object (or any dash-separated run of letters and digits).
_GL_RE = re.compile(r"[A-Za-z0-9]{1,10}(?:-[A-Za-z0-9]{1,10}){1,5}", re.ASCII)

MAX_CENTS = 10**15  # far below SQLite's and PostgreSQL's 64-bit integers


class MoneyError(ValueError):
    """A string or value that is not an amount of money."""


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount of money in integer cents."""

    cents: int

    def __post_init__(self) -> None:
        # bool is an int subclass; a float is refused outright.
        if type(self.cents) is not int:
            raise MoneyError(f"money must be built from integer cents, not {self.cents!r}")
        if abs(self.cents) >= MAX_CENTS:
            raise MoneyError("amount is too large")

    @classmethod
    def parse(cls, text: object) -> Money:
        """Parse ``"12.30"``, ``"12.3"``, ``"12"`` or ``"-0.25"``; refuse everything else."""
        if not isinstance(text, str):
            raise MoneyError(f'an amount must be written as a string like "12.30", not {text!r}')
        m = _MONEY_RE.fullmatch(text)
        if m is None:
            if not text.strip():
                raise MoneyError("the amount is blank")
            if re.fullmatch(r"-?[0-9]+\.[0-9]{3,}", text, re.ASCII):
                raise MoneyError(f"{text!r} has more than two decimals")
            raise MoneyError(f'{text!r} is not an amount like "12.30"')
        sign, whole, frac = m.groups()
        cents = int(whole) * 100 + int((frac or "0").ljust(2, "0"))
        return cls(-cents if sign else cents)

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        whole, frac = divmod(abs(self.cents), 100)
        return f"{sign}{whole}.{frac:02d}"

    def __repr__(self) -> str:
        return f"Money('{self}')"

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.cents + other.cents)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.cents - other.cents)

    def __neg__(self) -> Money:
        return Money(-self.cents)

    def __mul__(self, qty: int) -> Money:
        if type(qty) is not int:
            return NotImplemented
        return Money(self.cents * qty)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.cents != 0

    def is_positive(self) -> bool:
        return self.cents > 0

    def is_negative(self) -> bool:
        return self.cents < 0

    def apply_rate(self, rate: str) -> Money:
        """This amount times a decimal rate given as a string (``"0.12"``), rounded half-up."""
        if not isinstance(rate, str):
            raise MoneyError('a rate must be written as a string like "0.12"')
        exact = Decimal(self.cents) * Decimal(rate)
        return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def total(amounts: Iterable[Money]) -> Money:
    """The sum of some amounts (zero when there are none)."""
    return Money(sum(a.cents for a in amounts))


def is_gl_account(text: str) -> bool:
    return _GL_RE.fullmatch(text) is not None


def parse_gl_account(text: object) -> GlAccount:
    from cashier_desk.text import looks_like_card_number

    if not isinstance(text, str) or not is_gl_account(text):
        raise MoneyError(f"{text!r} is not a GL account like 101-0000-41100")
    if looks_like_card_number(text):
        raise MoneyError("that looks like a card number, not a GL account")
    return GlAccount(text)


@dataclass(frozen=True, slots=True)
class GlSplit:
    """How one item's money is distributed: fixed parts per item first, then the remainder.

    Written ``250-0000-22010=4.50;101-0000-41300``: every part but one is ``ACCOUNT=AMOUNT``,
    exactly one is a bare ``ACCOUNT`` that takes the remainder.
    """

    fixed: tuple[tuple[GlAccount, Money], ...]
    remainder: GlAccount

    @classmethod
    def parse(cls, text: object) -> GlSplit:
        if not isinstance(text, str) or not text:
            raise MoneyError("the GL distribution is blank")
        fixed: list[tuple[GlAccount, Money]] = []
        bare: list[GlAccount] = []
        seen: set[str] = set()
        for part in text.split(";"):
            account, eq, amount = part.partition("=")
            acct = parse_gl_account(account)
            if acct in seen:
                raise MoneyError(f"account {acct} appears twice in the GL distribution")
            seen.add(acct)
            if eq:
                value = Money.parse(amount)
                if not value.is_positive():
                    raise MoneyError(f"the fixed part for {acct} must be more than 0.00")
                fixed.append((acct, value))
            else:
                bare.append(acct)
        if len(bare) != 1:
            raise MoneyError(
                "the GL distribution needs exactly one account without an amount "
                f"(it takes the remainder); found {len(bare)}"
            )
        return cls(tuple(fixed), bare[0])

    def __str__(self) -> str:
        parts = [f"{a}={m}" for a, m in self.fixed]
        parts.append(self.remainder)
        return ";".join(parts)

    def allocate(self, amount: Money, qty: int = 1) -> list[tuple[GlAccount, Money]]:
        """Distribute a line's ``amount``: each fixed part × qty, in the order written, capped by
        what is left of the line; the bare account takes the rest.  Parts of zero are left out;
        the result always sums to ``amount``."""
        if amount.is_negative():
            raise MoneyError("only a positive line amount can be distributed")
        left = amount
        out: list[tuple[GlAccount, Money]] = []
        for account, per_item in self.fixed:
            share = min(per_item * qty, left)
            if share:
                out.append((account, share))
                left -= share
        if left or not out:
            out.append((self.remainder, left))
        return out
