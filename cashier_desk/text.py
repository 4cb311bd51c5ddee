"""Checks for free text typed or imported at the counter (payer, reason, comment, names).

Text is refused when it holds control characters, is too long, or looks like a payment card
number (13 to 19 digits, spaces or dashes allowed between them, passing the Luhn check): a
full card number must never be stored (PCI DSS 3.3.1 and 3.4.1).
"""

from __future__ import annotations

import re
import unicodedata

# 13 or more digits, single separators (space, dash, dot, slash) allowed between them.
_DIGIT_RUN = re.compile(r"[0-9](?:[ ./-]?[0-9]){12,}", re.ASCII)
_SEPARATORS = re.compile(r"[ ./-]")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def looks_like_card_number(text: str) -> bool:
    if _DIGIT_RUN.search(text) is None:  # the common case, in one call
        return False
    return any(_pan_in(_SEPARATORS.sub("", m.group())) for m in _DIGIT_RUN.finditer(text))


def _pan_in(digits: str) -> bool:
    return any(
        luhn_ok(digits[start : start + size])
        for size in range(13, 20)
        for start in range(0, len(digits) - size + 1)
    )


def mask_card_numbers(text: str) -> str:
    """The text with every card-number-like run of digits masked to its last four."""

    def mask(m: re.Match[str]) -> str:
        digits = _SEPARATORS.sub("", m.group())
        return f"****{digits[-4:]}" if _pan_in(digits) else m.group()

    return _DIGIT_RUN.sub(mask, text)


class TextError(ValueError):
    """Free text that cannot be kept."""


def clean_text(value: object, what: str, *, max_len: int = 200, required: bool = True) -> str:
    """Return the text stripped of surrounding blanks, or raise :class:`TextError`."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise TextError(f"{what} must be text")
    text = value.strip()
    if required and not text:
        raise TextError(f"{what} is required")
    if len(text) > max_len:
        raise TextError(f"{what} is longer than {max_len} characters")
    # str.isprintable() is False for every character of those categories (and for spaces other
    # than ' '): the per-character check runs only when it is.
    if not text.isprintable() and any(
        unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text
    ):
        raise TextError(f"{what} holds characters that cannot be printed")
    if looks_like_card_number(text):
        raise TextError(f"{what} looks like a card number; card numbers are never kept")
    return text
