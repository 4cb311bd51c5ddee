"""Receipt layout: a receipt as a small printable document, and that document as text.

The document (:class:`ReceiptDoc`) is what a print job stores: lines of text with a little style
(bold, large, centred) and the receipt number as a CODE128 barcode.  It is rendered to ESC/POS
bytes for a real printer (``devices/escpos_render.py``) and to plain text here — the text is what
the golden tests compare and what the simulated printer shows.  Widths are 42 or 48 columns
(from the printer's profile); large type is double width, so half as many characters.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cashier_desk.config import local_time
from cashier_desk.ledger.receipts import ReceiptView
from cashier_desk.money import Money

TENDER_NAMES = {"cash": "Cash", "check": "Check", "money_order": "Money order", "card": "Card"}
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


def _pair(left: str, right: str, width: int) -> list[str]:
    """``left`` and ``right`` on one line; a left part too long for it wraps onto lines above,
    so nothing that identifies a payment is ever cut off."""
    room = width - len(right) - 1
    if len(left) <= room:
        return [f"{left:<{room}} {right}"]
    head = textwrap.wrap(left, width) or [""]
    if len(head[-1]) <= room:
        return [*head[:-1], f"{head[-1]:<{room}} {right}"]
    return [*head, right.rjust(width)]


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(
        text, width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    ) or [""]


def build_receipt(
    r: ReceiptView,
    *,
    city: str,
    address: str = "",
    columns: int = 42,
    mark: str | None = None,
    timezone: str | None = None,
    printed_at: str | None = None,
) -> ReceiptDoc:
    """Lay out a receipt; ``mark`` is ``"REPRINT"`` or ``"VOID"`` when it applies, and
    ``printed_at`` the moment a copy was made."""
    if columns not in COLUMNS:
        raise ValueError(f"a receipt is 42 or 48 columns wide, not {columns}")
    w = columns

    def stamp(moment: str) -> str:
        return local_time(datetime.fromisoformat(moment), timezone).strftime("%Y-%m-%d %H:%M")

    lines: list[Line] = [Line(x, bold=True, align="center") for x in _wrap(city, w)]
    lines += [Line(x, align="center") for x in _wrap(address, w)] if address else []
    lines.append(Line())
    if mark:
        lines.append(Line(f"*** {mark} ***", bold=True, big=True, align="center"))
        if mark == "REPRINT" and printed_at:
            lines.append(Line(f"Copy made {stamp(printed_at)}", align="center"))
    lines.append(Line("RECEIPT", align="center"))
    number_big = len(r.receipt_no) <= w // 2
    lines.append(Line(r.receipt_no, bold=True, big=number_big, align="center"))
    lines += [Line(x) for x in _pair(stamp(r.created_at), f"Station {r.workstation}", w)]
    lines.append(Line(f"Cashier: {r.cashier}"[:w]))
    if r.payer:
        lines += [Line(x) for x in _wrap(f"Payer: {r.payer}", w)]
    lines.append(Line("-" * w))
    for item in r.lines:
        lines += [Line(x) for x in _pair(item.description, str(item.amount), w)]
        detail = []
        if item.ref:
            detail.append(f"Ref {item.ref}")
        if item.qty != 1:
            detail.append(f"Qty {item.qty} @ {Money(item.amount.cents // item.qty)}")
        if detail:
            lines += [Line(x) for x in _wrap("  ".join(detail), w, "  ")]
    lines.append(Line("-" * w))
    lines += [Line(x, bold=True, big=True) for x in _pair("TOTAL", str(r.total), w // 2)]
    for t in r.tenders:
        name = TENDER_NAMES.get(t.kind, t.kind)
        if t.kind in ("check", "money_order") and t.number:
            name = f"{name} #{t.number}"
        elif t.kind == "card":
            name = f"Card ****{t.last4} Auth {t.auth}"
        lines += [Line(x) for x in _pair(name, str(t.amount), w)]
    if r.change.cents:
        lines += [Line(x, bold=True, big=True) for x in _pair("CHANGE", str(r.change), w // 2)]
    if r.voided or mark == "VOID":
        lines.append(Line())
        lines.append(Line("VOIDED", bold=True, big=True, align="center"))
        if r.voided_at:
            lines.append(Line(f"Voided {stamp(r.voided_at)}"))
        if r.void_approver:
            lines.append(Line(f"Approved by: {r.void_approver}"[:w]))
        if r.void_reason:
            lines += [Line(x) for x in _wrap(f"Reason: {r.void_reason}", w)]
    lines.append(Line())
    lines.append(Line(barcode=r.receipt_no))
    footer = "Keep with the day's records" if r.voided else "Thank you"
    lines.append(Line(footer, align="center"))
    return ReceiptDoc(columns, tuple(lines))
