"""The city's program rules: reference data a city sets by resolution, imported from a TOML
file (programs.md, "Rules are reference data" and "Precise readings / Versions").

Each table (``[citation]``, ``[plan]``, ``[tot]``, …) is checked key by key against its shape;
a table may be an array of versions (``[[tot]]``), each with ``effective`` (a TOML date or a
``"YYYY-MM-DD"`` string), in force from that day inclusive.  A key a version leaves out keeps
the previous version's value (the first version's: the default); a table the file leaves out,
and a date before its first version, take the defaults — the demo city's, written below.
A bad key, rate, amount or account names its table and key, and nothing is taken."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from cashier_desk.money import GlSplit, Money, MoneyError, parse_gl_account
from cashier_desk.programs.animals import AnimalRules
from cashier_desk.programs.citations import CitationRules, PenaltyStep
from cashier_desk.programs.dates import DateError, parse_date
from cashier_desk.programs.licences import LicenceRules
from cashier_desk.programs.permits import PermitRules
from cashier_desk.programs.plans import PlanRules
from cashier_desk.programs.rates import Rate, RateError, RateOrAmount
from cashier_desk.programs.tot import TotRules


class RulesError(ValueError):
    """A rules file that cannot be taken; the message names the table and the key."""


def _amount(v: object) -> Money:
    m = Money.parse(v)
    if m.is_negative():
        raise MoneyError("must not be negative")
    return m


def _per_thousand(v: object) -> Fraction:
    """Dollars per 1,000 dollars, exactly, written like an amount but to the thousandth of a
    cent if the city's resolution says so (``"0.735"``)."""
    if not isinstance(v, str) or not re.fullmatch(r"\d{1,6}(\.\d{1,5})?", v):
        raise ValueError('must be dollars per 1,000 like "0.50" or "0.735"')
    return Fraction(Decimal(v))


def _count(v: object) -> int:
    if type(v) is not int or v < 0:
        raise ValueError("must be a whole number, 0 or more")
    return v


def _account(v: object) -> str:
    """A GL account, or a pattern with ``{fund}`` for the fund of the line it offsets."""
    if isinstance(v, str) and "{fund}" in v:
        parse_gl_account(v.replace("{fund}", "101"))
        return v
    return parse_gl_account(v)


def _month_day(v: object) -> str:
    if not isinstance(v, str):
        raise ValueError('must be a month and day like "06-30"')
    parse_date(f"2024-{v}", "the month and day")  # 2024: a leap year takes 02-29
    return v


def _code(v: object) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ValueError("must be a revenue code")
    return v


def _steps(v: object) -> tuple[PenaltyStep, ...]:
    if not isinstance(v, list):
        raise ValueError('must be a list like [ { after_days = 0, amount = "100%" } ]')
    out = []
    for i, step in enumerate(v, 1):
        if not isinstance(step, dict) or set(step) != {"after_days", "amount"}:
            raise ValueError(f"step {i} must have after_days and amount, and nothing else")
        out.append(PenaltyStep(_count(step["after_days"]), RateOrAmount.parse(step["amount"])))
    return tuple(out)


def _fees(v: object) -> dict[str, tuple[Money, Money]]:
    kinds = ("dog_altered", "dog_unaltered", "cat_altered", "cat_unaltered")
    if not isinstance(v, dict) or set(v) - set(kinds):
        raise ValueError(f"must give {', '.join(kinds)}, each [1-year, 3-year]")
    out = {}
    for kind, prices in v.items():
        if not isinstance(prices, list) or len(prices) != 2:
            raise ValueError(f"{kind} must be two prices: [1-year, 3-year]")
        out[kind] = (_amount(prices[0]), _amount(prices[1]))
    return out


Parse = Callable[[object], Any]

#: Every table, its keys with their defaults (the demo city's) and how each is read.
SHAPES: dict[str, dict[str, tuple[Parse, object]]] = {
    "citation": {
        "penalties": (_steps, [{"after_days": 0, "amount": "100%"}]),
        "penalty_gl": (_account, "101-0000-45110"),
        "review_days": (_count, 21),
        "notice_days": (_count, 14),
    },
    "plan": {
        "fee": (_amount, "25.00"),
        "indigent_fee": (_amount, "5.00"),
        "fee_gl": (_account, "101-0000-45120"),
        "max_months": (_count, 12),
        "indigent_max_months": (_count, 24),
        "grace_days": (_count, 10),
    },
    "tot": {
        "rate": (Rate.parse, "10%"),
        "penalty": (Rate.parse, "10%"),
        "second_penalty": (Rate.parse, "10%"),
        "second_after_days": (_count, 30),
        "interest_monthly": (Rate.parse, "0.5%"),
        "tax_gl": (_account, "101-0000-31300"),
        "penalty_gl": (_account, "101-0000-31310"),
        "interest_gl": (_account, "101-0000-31320"),
    },
    "business_licence": {
        "rate_per_1000": (_per_thousand, "0.50"),
        "minimum": (_amount, "50.00"),
        "state_fee": (_amount, "4.00"),
        "state_fee_gl": (GlSplit.parse, "260-0000-22040=0.40;101-0000-41150"),
        "tax_gl": (_account, "101-0000-41100"),
        "renewal_due": (_month_day, "01-31"),
        "monthly_penalty": (Rate.parse, "20%"),
        "penalty_cap": (Rate.parse, "100%"),
        "penalty_gl": (_account, "101-0000-41110"),
    },
    "animal_licence": {
        "senior_discount": (Rate.parse, "50%"),
        "late_fee": (_amount, "20.00"),
        "late_after_days": (_count, 30),
        "gl": (_account, "101-2200-42100"),
        "fees": (
            _fees,
            {
                "dog_altered": ["15.00", "40.00"],
                "dog_unaltered": ["50.00", "150.00"],
                "cat_altered": ["10.00", "25.00"],
                "cat_unaltered": ["20.00", "50.00"],
            },
        ),
    },
    "parking_permit": {
        "per_address": (_count, 3),
        "year_end": (_month_day, "06-30"),
        "advance_days": (_count, 45),
    },
    "nsf": {
        "fee_first": (_amount, "25.00"),
        "fee_subsequent": (_amount, "35.00"),
        "fee_code": (_code, "NSF-FEE"),
        "bank_account": (_account, "{fund}-0000-10100"),
    },
}


@dataclass(frozen=True)
class Version:
    effective: date | None  # None: the defaults, in force before any version
    values: Mapping[str, Any]  # key -> parsed value


@dataclass(frozen=True)
class ProgramRules:
    """The rules of every table, each a list of versions oldest first (the defaults first)."""

    tables: Mapping[str, tuple[Version, ...]]
    source: str = ""  # the file's text as imported ('' for the defaults)

    def in_force(self, table: str, on: date) -> Mapping[str, Any]:
        """The values of ``table`` in force on ``on`` (the newest version effective by then)."""
        found = self.tables[table][0]
        for version in self.tables[table]:
            if version.effective is None or version.effective <= on:
                found = version
        return found.values

    def citation(self, on: date) -> CitationRules:
        v = self.in_force("citation", on)
        return CitationRules(v["penalties"], v["penalty_gl"], v["review_days"], v["notice_days"])

    def plan(self, on: date) -> PlanRules:
        v = self.in_force("plan", on)
        return PlanRules(v["fee"], v["indigent_fee"], v["fee_gl"], v["max_months"],
                         v["indigent_max_months"], v["grace_days"])  # fmt: skip

    def tot(self, on: date) -> TotRules:
        return TotRules(**self.in_force("tot", on))

    def business_licence(self, on: date) -> LicenceRules:
        return LicenceRules(**self.in_force("business_licence", on))

    def animal_licence(self, on: date) -> AnimalRules:
        return AnimalRules(**self.in_force("animal_licence", on))

    def parking_permit(self, on: date) -> PermitRules:
        return PermitRules(**self.in_force("parking_permit", on))


def _read(table: str, key: str, raw: object) -> Any:
    parse, _ = SHAPES[table][key]
    try:
        return parse(raw)
    except (ValueError, MoneyError, RateError, DateError) as exc:
        raise RulesError(f"[{table}] {key} = {raw!r}: {exc}") from None


def _defaults(table: str) -> dict[str, Any]:
    return {key: _read(table, key, raw) for key, (_, raw) in SHAPES[table].items()}


def _versions(table: str, given: object) -> tuple[Version, ...]:
    base = Version(None, _defaults(table))
    versioned = isinstance(given, list)  # [[table]]: each version has its effective date
    if isinstance(given, dict):
        given = [given]
    if not isinstance(given, list) or not all(isinstance(v, dict) for v in given):
        raise RulesError(f"[{table}] must be a table, or an array of tables ([[{table}]])")
    out = [base]
    values = dict(base.values)
    for i, raw in enumerate(given, 1):
        version = dict(raw)
        effective_raw = version.pop("effective", None)
        if effective_raw is None and versioned:
            raise RulesError(f"[[{table}]] version {i} has no effective date")
        effective = None
        if effective_raw is not None:
            try:
                effective = parse_date(effective_raw, f"[{table}] effective")
            except DateError as exc:
                raise RulesError(str(exc)) from None
        unknown = sorted(set(version) - set(SHAPES[table]))
        if unknown:
            raise RulesError(f"[{table}] has no key {unknown[0]!r}")
        for key, raw_value in version.items():
            value = _read(table, key, raw_value)
            if isinstance(value, dict):  # a sub-table ([animal_licence.fees]) keeps what it
                value = {**values[key], **value}  # leaves out, as a version keeps its keys
            values = {**values, key: value}
        if (
            effective is not None
            and out[-1].effective is not None
            and effective <= out[-1].effective
        ):
            raise RulesError(f"[[{table}]] versions must be in order of their effective dates")
        out.append(Version(effective, values))
    if len(out) == 2 and out[1].effective is None:
        return (out[1],)  # one table without a date: it replaces the defaults outright
    return tuple(out)


def defaults() -> ProgramRules:
    return ProgramRules({table: (Version(None, _defaults(table)),) for table in SHAPES})


def parse_rules(text: str) -> ProgramRules:
    """The rules a TOML file gives, checked whole; ``RulesError`` names what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"not a TOML file: {exc}") from None
    unknown = sorted(set(data) - set(SHAPES))
    if unknown:
        raise RulesError(f"there is no program table [{unknown[0]}] (known: {', '.join(SHAPES)})")
    tables = {
        table: _versions(table, data[table])
        if table in data
        else (Version(None, _defaults(table)),)
        for table in SHAPES
    }
    return ProgramRules(tables, text)
