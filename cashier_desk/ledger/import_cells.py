"""One cell of an import file checked: a key, a text, an amount, a choice, a date or a time.

A bad cell raises :class:`CellError` naming its column (the file's reader adds the line).  A
card number is never kept: in a key or a text it is masked to its last four and noted in the
import's :class:`~cashier_desk.ledger.import_result.Masked`; an amount holding one is refused.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from cashier_desk.ledger.import_result import Masked
from cashier_desk.money import Money, MoneyError
from cashier_desk.programs.dates import is_iso_date
from cashier_desk.text import (
    ASCII_CANDIDATE,
    TextError,
    looks_like_card_number,
    printable_text,
)

_KEY_CHARS = re.compile(r"[A-Za-z0-9_.\-]+")
_MASKED_KEY_CHARS = re.compile(r"[A-Za-z0-9_.\-*]+")  # a masked key has its ****
_PLAIN_AMOUNT = re.compile(r"([0-9]{1,12})\.([0-9]{2})", re.ASCII)
_CARDISH = ASCII_CANDIDATE.search  # None: ASCII text with no card number in it


class CellError(ValueError):
    """A bad cell: its column, what is wrong, and the refusal's code."""

    def __init__(self, column: str, message: str, code: str = "bad_row") -> None:
        super().__init__(message)
        self.column = column
        self.code = code


def key_text(value: str, column: str, masked: Masked, max_len: int = 40) -> str:
    text = value.strip()
    if not text:
        raise CellError(column, "is blank")
    chars = _KEY_CHARS
    if looks_like_card_number(text):
        text, chars = masked.value(column, text), _MASKED_KEY_CHARS
    if len(text) > max_len or chars.fullmatch(text) is None:
        raise CellError(column, f"{text!r} may hold only letters, digits, '-', '_' and '.'")
    return text


def text(
    row: dict[str, str],
    column: str,
    masked: Masked,
    *,
    required: bool = True,
    max_len: int = 200,
) -> str:
    value = row[column].strip()
    if not value and not required:
        return ""
    if (
        value
        and len(value) <= max_len
        and value.isascii()
        and value.isprintable()
        and _CARDISH(value) is None
    ):
        return value  # what nearly every cell is, checked in four calls (clean_text's rules)
    try:
        text = printable_text(value, column, max_len=max_len, required=required)
    except TextError as exc:
        raise CellError(column, str(exc).removeprefix(column).strip()) from exc
    return masked.value(column, text)


def money(row: dict[str, str], column: str) -> Money:
    plain = _PLAIN_AMOUNT.fullmatch(row[column])
    if plain is not None:  # "123.45", the usual cell, without building it twice
        return Money(int(plain[1]) * 100 + int(plain[2]))
    if looks_like_card_number(row[column]):  # an amount cannot be masked: never kept
        raise CellError(column, "looks like a card number; card numbers are never kept")
    try:
        value = Money.parse(row[column].strip())
    except MoneyError as exc:
        raise CellError(column, str(exc)) from exc
    if value.is_negative():
        raise CellError(column, "may not be negative")
    return value


def choice(row: dict[str, str], column: str, choices: tuple[str, ...]) -> str:
    value = row[column].strip()
    if value not in choices:
        raise CellError(column, f"{value!r} is not one of {', '.join(choices)}")
    return value


def date(row: dict[str, str], column: str) -> str | None:
    value = row.get(column, "").strip()
    if not value:
        return None
    if not is_iso_date(value):
        raise CellError(column, f"{value!r} is not a date like 2026-11-30")
    return value


def utc_text(value: str, tz: tzinfo | None) -> str:
    try:
        if len(value) <= 10:
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CellError(
            "as_of", f"{value!r} is not a date and time like 2026-11-30T17:00:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz) if tz else moment.astimezone()
    return moment.astimezone(UTC).isoformat()
