"""A printed paper as a small document: lines of text with a little style (bold, large,
centred) and a barcode, laid out in 42 or 48 columns.  What the receipt printer prints and what
the slips and reports lay out share it, so neither reaches into the other's package: devices
render it (``devices/escpos_render.py``), ``reports/`` and ``devices/receipt.py`` build it.
Large type is double width, so half as many characters."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from typing import Any

from cashier_desk.words import TenderKind

TENDER_NAMES: dict[str, str] = {k.value: k.label for k in TenderKind}
COLUMNS = (42, 48)


@dataclass(frozen=True)
class Line:
    """One printed line (or a barcode when ``barcode`` is set)."""

    text: str = ""
    bold: bool = False
    big: bool = False
    align: str = "left"  # left, center, right
    barcode: str | None = None


@dataclass(frozen=True)
class ReceiptDoc:
    columns: int
    lines: tuple[Line, ...]

    def to_json(self) -> str:
        lines = [
            {"text": x.text, "bold": x.bold, "big": x.big, "align": x.align, "barcode": x.barcode}
            for x in self.lines
        ]  # not dataclasses.asdict: it deep-copies, and a sale pays for every line
        return json.dumps({"columns": self.columns, "lines": lines})

    @classmethod
    def from_json(cls, text: str) -> ReceiptDoc:
        data: dict[str, Any] = json.loads(text)
        return cls(int(data["columns"]), tuple(Line(**x) for x in data["lines"]))

    def marked(self, mark: str) -> ReceiptDoc:
        """The same receipt with a mark (REPRINT) in large type above its number."""
        lines = list(self.lines)
        at = next((i for i, x in enumerate(lines) if x.text == "RECEIPT"), 1)
        lines.insert(at, Line(f"*** {mark} ***", bold=True, big=True, align="center"))
        return ReceiptDoc(self.columns, tuple(lines))

    def as_text(self) -> str:
        """The document as the printer would lay it out, in plain text."""
        out: list[str] = []
        for line in self.lines:
            width = self.columns // 2 if line.big else self.columns
            if line.barcode is not None:
                out.append(f"||| {line.barcode} |||".center(self.columns).rstrip())
                continue
            text = line.text[:width]
            if line.big:
                text = " ".join(text)  # each character is twice as wide
                width = self.columns
            if line.align == "center":
                text = text.center(width)
            elif line.align == "right":
                text = text.rjust(width)
            out.append(text.rstrip())
        return "\n".join(out) + "\n"


def pair(left: str, right: str, width: int) -> list[str]:
    """``left`` and ``right`` on one line; a left part too long for it wraps onto lines above,
    so nothing that identifies a payment is ever cut off."""
    room = width - len(right) - 1
    if len(left) <= room:
        return [f"{left:<{room}} {right}"]
    head = textwrap.wrap(left, width) or [""]
    if len(head[-1]) <= room:
        return [*head[:-1], f"{head[-1]:<{room}} {right}"]
    return [*head, right.rjust(width)]


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(
        text, width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    ) or [""]
