"""Checks for free text typed or imported at the counter (payer, reason, comment, names).

Text is refused when it holds control characters, is too long, or looks like a payment card
number: a full card number must never be stored (PCI DSS 3.3.1 and 3.4.1).  "Looks like" is
decided on the text as a person would read it: Unicode NFKC first (fullwidth and other compat
digits become 0-9), digits of any script read as digits, and any run of up to three
non-alphanumeric characters (space, no-break space, dash, dot, slash, underscore, ...) between
two digits taken as a separator; then a run of 13 to 19 digits that passes the Luhn check and
starts with a card issuer's prefix is a card number.
"""

from __future__ import annotations

import re
import unicodedata

# The issuers' number prefixes (ISO/IEC 7812 IINs of the card brands a counter can meet):
# Mir 2200-2204; Mastercard 2221-2720 and 51-55; Amex 34/37, Diners 30/36/38/39 and JCB 35
# (all of 3); Visa 4; Maestro 50/56-59 (all of 5); Discover, UnionPay, Maestro, RuPay 60-65
# (all of 6); RuPay 81-82; Troy 9792.  A Luhn-valid run with any other start (an account
# number from 0, 1, 7, 8 or 9, a GL account from 1) is not taken for a card.
_ISSUER_RANGES = (
    ("2200", "2204"),
    ("2221", "2720"),
    ("3", "6"),
    ("81", "82"),
    ("9792", "9792"),
)

# What separates the numbers of a list ("101-1200-52100, 101-1200-52200"), never the groups
# of one card number: these end a run of digits as a letter does.
_LIST_BREAKS = frozenset(",;\n\r\u2028\u2029")

# 13 or more digits, with up to three separators between any two, in the normalised view.
_DIGIT_RUN = re.compile(r"[0-9](?:_{0,3}[0-9]){12,}", re.ASCII)

#: 13 digits with up to three separators between any two, in ASCII text as it is: ASCII text
#: where this finds nothing holds no card number (``ASCII_CANDIDATE.search(text) is None``).
#: The one check an import makes of nearly every cell, so it is a single regex search.
ASCII_CANDIDATE = re.compile(r"[0-9](?:[^0-9A-Za-z,;\n\r]{0,3}[0-9]){12}", re.ASCII)
# The same for other text once folded (NFKC), more generous (any three characters between two
# digits of any script): text where it finds nothing needs no closer look.
_CANDIDATE = re.compile(r"\d(?:\D{0,3}\d){12}")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def issuer_prefix(digits: str) -> bool:
    """Whether ``digits`` start as a payment card's number does."""
    return any(digits[: len(lo)] >= lo and digits[: len(hi)] <= hi for lo, hi in _ISSUER_RANGES)


def _view(text: str) -> tuple[str, list[int]]:
    """The text as digits, separators (``_``) and other characters (``x``), with the index in
    ``text`` each character of the view came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if c.isdecimal():
                out.append(str(unicodedata.decimal(c)))
            elif c.isalnum() or c in _LIST_BREAKS:
                out.append("x")
            else:
                out.append("_")
            where.append(i)
    return "".join(out), where


def _pan_in(digits: str) -> bool:
    return any(
        luhn_ok(digits[start : start + size]) and issuer_prefix(digits[start : start + size])
        for size in range(13, 20)
        for start in range(0, len(digits) - size + 1)
    )


# The view of ASCII text, made in one call: NFKC leaves ASCII as it is.
_ASCII_VIEW = str.maketrans(
    {
        chr(c): (
            chr(c)
            if chr(c).isdigit()
            else "x"
            if chr(c).isalnum() or chr(c) in _LIST_BREAKS
            else "_"
        )
        for c in range(128)
    }
)


def looks_like_card_number(text: str) -> bool:
    if text.isascii():  # the common case, fast: an import checks every cell of a big file
        if ASCII_CANDIDATE.search(text) is None:
            return False
        view = text.translate(_ASCII_VIEW)
    else:
        if _CANDIDATE.search(unicodedata.normalize("NFKC", text)) is None:
            return False
        view, _ = _view(text)
    return any(_pan_in(m.group().replace("_", "")) for m in _DIGIT_RUN.finditer(view))


def mask_card_numbers(text: str) -> str:
    """The text with every card-number-like run of digits masked to its last four
    (``****1111``), the rest kept: the one masking of every message, log line, file name and
    imported value that could quote a card number."""
    if not looks_like_card_number(text):
        return text
    view, where = _view(text)
    parts: list[str] = []
    done = 0
    for m in _DIGIT_RUN.finditer(view):
        digits = m.group().replace("_", "")
        if not _pan_in(digits):
            continue
        first, last = where[m.start()], where[m.end() - 1]
        parts += [text[done:first], f"****{digits[-4:]}"]
        done = last + 1
    parts.append(text[done:])
    return "".join(parts)


class TextError(ValueError):
    """Free text that cannot be kept."""


def clean_text(value: object, what: str, *, max_len: int = 200, required: bool = True) -> str:
    """Return the text stripped of surrounding blanks, or raise :class:`TextError` (a card
    number in it too: typed at the counter, it is refused)."""
    text = printable_text(value, what, max_len=max_len, required=required)
    if looks_like_card_number(text):
        raise TextError(f"{what} looks like a card number; card numbers are never kept")
    return text


def printable_text(value: object, what: str, *, max_len: int = 200, required: bool = True) -> str:
    """:func:`clean_text` without the card-number check (an import masks them instead)."""
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
    return text
