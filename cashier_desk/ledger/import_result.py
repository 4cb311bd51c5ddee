"""What an import did: the rows it wrote, and the cells whose card numbers it masked.

A card number is never kept (PCI DSS 3.3.1, 3.4.1), yet one look-alike account number must not
refuse a nightly file of a million rows: an import masks such a cell to its last four and
imports the row.  The masked cells are counted and the first few named (line and column), so
the office can look at them in the billing system the file came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cashier_desk.text import mask_card_numbers

#: How many masked cells an import names (line and column); it counts them all.
MASKED_NAMED = 20


@dataclass(frozen=True)
class Imported:
    """What an import did: the rows written, and the cells whose card numbers were masked."""

    rows: int
    masked: int = 0
    masked_at: tuple[str, ...] = ()  # "line 5, column account": the first MASKED_NAMED

    def summary(self) -> dict[str, Any]:
        """The figures for a person or a script (the CLI's JSON, the audit record)."""
        out: dict[str, Any] = {"rows": self.rows, "masked": self.masked}
        if self.masked:
            out["masked_at"] = list(self.masked_at)
        return out


@dataclass
class Masked:
    """The cells of a file whose card numbers were masked, counted as the rows are read."""

    count: int = 0
    where: list[str] = field(default_factory=list)
    line: int = 0  # the line being read

    def value(self, column: str, text: str) -> str:
        """``text`` with its card numbers masked (counted and named when there were any)."""
        masked = mask_card_numbers(text)
        if masked != text:
            self.count += 1
            if len(self.where) < MASKED_NAMED:
                self.where.append(f"line {self.line}, column {column}")
        return masked

    def result(self, rows: int) -> Imported:
        return Imported(rows, self.count, tuple(self.where))
