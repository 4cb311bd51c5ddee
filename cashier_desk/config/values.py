"""How a config key is declared, and the parsers its value goes through.

A key is declared once, as a field of :class:`~cashier_desk.config.Config` made with
:func:`setting`: its section and name in ``config.toml``, its default (the field's default), the
parser that turns the TOML value into the field's type, and the comment the default file shows
beside it.  Loading, validation and the default file are all read off those declarations.

A parser takes the TOML value and where it stands (``"[policy] max_amount"``) and returns the
typed value, or raises :class:`ConfigError` with a message that begins with that place.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cashier_desk.money import GlAccount, Money, MoneyError, parse_gl_account
from cashier_desk.text import mask_card_numbers

T = TypeVar("T")

#: The key of a field's metadata that holds its :class:`Setting`.
SETTING = "config.toml"


class ConfigError(ValueError):
    """The configuration file cannot be used; the message names the key (and never shows a
    card number that was typed into the file by mistake)."""

    def __init__(self, message: str) -> None:
        super().__init__(mask_card_numbers(message))


@dataclass(frozen=True)
class Setting:
    """One key of ``config.toml``: where it stands, how it is read, how the default file shows it.

    ``example``: the key is written commented out, with this TOML value (its default is not a
    value to write, or is better left to the program).  ``column``: where the comment starts.
    """

    section: str
    key: str
    parse: Callable[[Any, str], Any]
    help: str = ""
    example: str | None = None
    column: int = 0

    @property
    def where(self) -> str:
        return f"[{self.section}] {self.key}"


def setting(
    section: str,
    key: str,
    default: T,
    parse: Callable[[Any, str], T],
    help: str = "",
    *,
    example: str | None = None,
    column: int = 0,
) -> T:
    """A :class:`~cashier_desk.config.Config` field that is the key ``[section] key``."""
    declared = Setting(section, key, parse, help, example, column)
    return field(default=default, metadata={SETTING: declared})


def toml_value(value: object) -> str:
    """A default as ``config.toml`` writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, "g")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return json.dumps([str(v) for v in value])
    return json.dumps(str(value), ensure_ascii=False)


# -- parsers ------------------------------------------------------------------------------------


def text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string in quotes")
    return value


def path_text(what: str) -> Callable[[Any, str], str | None]:
    """A file or folder path in quotes, not blank (``what``: "a file path")."""

    def parse(value: Any, where: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where} must be {what} in quotes")
        return value

    return parse


def whole(low: int, high: int, message: str = "") -> Callable[[Any, str], int]:
    def parse(value: Any, where: str) -> int:
        if type(value) is not int or not low <= value <= high:
            said = message or f"a whole number from {low} to {high}"
            raise ConfigError(f"{where} must be {said}")
        return value

    return parse


def number(low: int, high: int) -> Callable[[Any, str], float]:
    def parse(value: Any, where: str) -> float:
        if type(value) not in (int, float) or not low <= value <= high:
            raise ConfigError(f"{where} must be a number from {low} to {high}")
        return cast(float, value)

    return parse


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false")
    return value


def choice(*words: str) -> Callable[[Any, str], str]:
    def parse(value: Any, where: str) -> str:
        if value not in words:
            said = ", ".join(f'"{w}"' for w in words[:-1]) + f' or "{words[-1]}"'
            raise ConfigError(f"{where} must be {said}")
        return cast(str, value)

    return parse


def columns(value: Any, where: str) -> int:
    if type(value) is not int or value not in (42, 48):
        raise ConfigError(f"{where} must be 42 or 48")
    return value


def amount(
    low: Money | None = None, high: Money | None = None, message: str = ""
) -> Callable[[Any, str], Money]:
    """An amount in quotes like "5.00", never negative; ``low``/``high`` bound it (``message``
    says how, after the key)."""

    def parse(value: Any, where: str) -> Money:
        try:
            money = Money.parse(text(value, where))
        except MoneyError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        if money.is_negative():
            raise ConfigError(f"{where} may not be negative")
        if (low is not None and money < low) or (high is not None and money > high):
            raise ConfigError(f"{where} {message}")
        return money

    return parse


def gl(value: Any, where: str) -> GlAccount:
    try:
        return parse_gl_account(text(value, where))
    except MoneyError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def gl_list(value: Any, where: str) -> tuple[GlAccount, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where} must be a list of GL accounts, like ["101-1200-52100"]')
    return tuple(gl(item, where) for item in value)


def timezone(value: Any, where: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"{where} {value!r} is not a time zone like America/Chicago") from None
    return cast(str, value)


def database_url(value: Any, where: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a database URL in quotes")
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(value.strip()).get_backend_name()
    except (ArgumentError, ValueError):
        backend = None
    if backend not in ("postgresql", "sqlite"):
        raise ConfigError(
            f"{where} is not a database URL like "
            "postgresql+psycopg://cashier_workstation@central.example.gov/cashier "
            "or sqlite:///central.db"
        )
    return value.strip()
