"""Rates and rounding as programs.md's "Common rules" say: a rate is written ``"10%"``,
``"0.5%"`` or ``"12.345%"`` and held as an exact fraction; every computed amount (a tax, a
penalty, an interest charge, a discount) is computed exactly and rounded once, half up, to the
cent.  No float ever holds a rate or money."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from cashier_desk.money import Money, MoneyError

_RATE = re.compile(r"(\d{1,3})(?:\.(\d{1,6}))?%")


class RateError(ValueError):
    """A rate or amount a rules file cannot use (the message says what is expected)."""


@dataclass(frozen=True, slots=True)
class Rate:
    """A percentage, exactly: ``Rate.parse("12.345%").fraction == Fraction(12345, 100000)``."""

    fraction: Fraction
    text: str

    @classmethod
    def parse(cls, text: object) -> Rate:
        if not isinstance(text, str):
            raise RateError(f'a rate is written as a string like "10%", not {text!r}')
        found = _RATE.fullmatch(text.strip())
        if found is None:
            raise RateError(f'{text!r} is not a rate like "10%", "0.5%" or "12.345%"')
        whole, decimals = found.group(1), found.group(2) or ""
        fraction = Fraction(int(whole + decimals), 100 * 10 ** len(decimals))
        return cls(fraction, text.strip())

    def __str__(self) -> str:
        return self.text

    def of(self, amount: Money, times: Fraction | int = 1) -> Money:
        """``amount × rate × times``, computed exactly and rounded once, half up."""
        return round_half_up(amount.cents * self.fraction * times)


def round_half_up(cents: Fraction | int) -> Money:
    """An exact number of cents rounded to a whole cent, halves away from zero (a negative
    amount rounds as its positive mirror, so a reversal is the exact negative)."""
    exact = Fraction(cents)
    sign = -1 if exact < 0 else 1
    whole, rest = divmod(abs(exact.numerator), exact.denominator)
    if 2 * rest >= exact.denominator:
        whole += 1
    return Money(sign * whole)


@dataclass(frozen=True, slots=True)
class RateOrAmount:
    """What a penalty step is: a rate of some base (``"100%"``) or a fixed amount
    (``"25.00"``)."""

    rate: Rate | None = None
    amount: Money | None = None

    @classmethod
    def parse(cls, text: object) -> RateOrAmount:
        if isinstance(text, str) and text.strip().endswith("%"):
            return cls(rate=Rate.parse(text))
        try:
            value = Money.parse(text)
        except MoneyError:
            raise RateError(
                f'{text!r} is neither a rate like "10%" nor an amount like "25.00"'
            ) from None
        if value.is_negative():
            raise RateError(f"{text!r} must not be negative")
        return cls(amount=value)

    def on(self, base: Money) -> Money:
        """The step's amount for this base (a rate of it, rounded once; or the fixed amount)."""
        if self.rate is not None:
            return self.rate.of(base)
        if self.amount is None:
            raise ValueError("a penalty step with neither a rate nor an amount")
        return self.amount

    def __str__(self) -> str:
        return str(self.rate if self.rate is not None else self.amount)
