"""Days and months late as programs.md's "Common rules" define them.

- days late on D for a due date U: ``D − U`` in days (0 or less: not late);
- ``add_months(d, m)`` keeps the day of the month, clamped to the month's last day
  (``add_months(2026-10-31, 1) = 2026-11-30``);
- months late (started months): the smallest m ≥ 0 with ``add_months(U, m) ≥ D``; 0 on or
  before U.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime


class DateError(ValueError):
    """A date a person or a file gave that is not a ``YYYY-MM-DD`` date."""


def is_iso_date(text: str) -> bool:
    """``text`` is a calendar date written ``YYYY-MM-DD`` and nothing else (Python reads
    ``2026-W48-1``, a week date, as a date too: that is not one a person wrote here)."""
    try:
        return len(text) == 10 and date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def parse_date(text: object, what: str = "the date") -> date:
    """A date given as ``"YYYY-MM-DD"`` or as a date value (a TOML date); a date-time (a TOML
    local or offset date-time, ``2026-12-01T00:00:00``) is not a date and is refused."""
    if isinstance(text, datetime):
        raise DateError(f"{what} must be a date like 2026-12-01, not a date and time")
    if isinstance(text, date):
        return text
    if not isinstance(text, str):
        raise DateError(f"{what} must be a date like 2026-12-01")
    if not is_iso_date(text):
        raise DateError(f"{what} {text!r} is not a date like 2026-12-01")
    return date.fromisoformat(text)


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole months, the day kept and clamped to the month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last))


def days_late(on: date, due: date) -> int:
    """Days after the due date (0 when not late)."""
    return max(0, (on - due).days)


def months_late(on: date, due: date) -> int:
    """Started months after the due date: the smallest m ≥ 0 with add_months(due, m) ≥ on."""
    if on <= due:
        return 0
    # A first guess from the calendar months between them, then the exact smallest m.
    m = max(0, (on.year - due.year) * 12 + on.month - due.month - 1)
    while add_months(due, m) < on:
        m += 1
    return m


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
