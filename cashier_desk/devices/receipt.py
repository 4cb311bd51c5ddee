"""Receipt layout: a receipt as a small printable document, and that document as text.

The document (:class:`ReceiptDoc`) is what a print job stores: lines of text with a little style
(bold, large, centred) and the receipt number as a CODE128 barcode.  It is rendered to ESC/POS
bytes for a real printer (``devices/escpos_render.py``) and to plain text here — the text is what
the golden tests compare and what the simulated printer shows.  Widths are 42 or 48 columns
(from the printer's profile); large type is double width, so half as many characters.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cashier_desk.ledger.receipts import ReceiptView

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
        return json.dumps({"columns": self.columns, "lines": [asdict(x) for x in self.lines]})

    @classmethod
    def from_json(cls, text: str) -> ReceiptDoc:
        data: dict[str, Any] = json.loads(text)
        return cls(int(data["columns"]), tuple(Line(**x) for x in data["lines"]))

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


def _pair(left: str, right: str, width: int) -> str:
    room = width - len(right) - 1
    if len(left) > room:
        left = left[: max(room, 0)]
    return f"{left:<{room}} {right}"


def build_receipt(
    r: ReceiptView,
    *,
    city: str,
    address: str = "",
    columns: int = 42,
    mark: str | None = None,
) -> ReceiptDoc:
    """Lay out a receipt; ``mark`` is ``"REPRINT"`` or ``"VOID"`` when it applies."""
    if columns not in COLUMNS:
        raise ValueError(f"a receipt is 42 or 48 columns wide, not {columns}")
    w = columns
    lines: list[Line] = [Line(city, bold=True, align="center")]
    if address:
        lines.append(Line(address, align="center"))
    lines.append(Line())
    if mark:
        lines.append(Line(f"*** {mark} ***", bold=True, big=True, align="center"))
    lines.append(Line("RECEIPT", align="center"))
    lines.append(Line(r.receipt_no, bold=True, big=True, align="center"))
    when = datetime.fromisoformat(r.created_at).astimezone()
    lines.append(Line(_pair(when.strftime("%Y-%m-%d %H:%M"), f"Station {r.workstation}", w)))
    lines.append(Line(f"Cashier: {r.cashier}"))
    if r.payer:
        lines.append(Line(f"Payer: {r.payer}"[:w]))
    lines.append(Line("-" * w))
    for item in r.lines:
        lines.append(Line(_pair(item.description, str(item.amount), w)))
        detail = []
        if item.ref:
            detail.append(f"Ref {item.ref}")
        if item.qty != 1:
            detail.append(f"Qty {item.qty}")
        if detail:
            lines.append(Line(("  " + "  ".join(detail))[:w]))
    lines.append(Line("-" * w))
    lines.append(Line(_pair("TOTAL", str(r.total), w // 2), bold=True, big=True))
    for t in r.tenders:
        name = TENDER_NAMES.get(t.kind, t.kind)
        if t.kind in ("check", "money_order") and t.number:
            name = f"{name} #{t.number}"
        elif t.kind == "card":
            name = f"Card ****{t.last4} Auth {t.auth}"
        lines.append(Line(_pair(name, str(t.amount), w)))
    if r.change.cents:
        lines.append(Line(_pair("CHANGE", str(r.change), w // 2), bold=True, big=True))
    if r.voided or mark == "VOID":
        lines.append(Line())
        lines.append(Line("VOIDED", bold=True, big=True, align="center"))
        if r.void_reason:
            lines.append(Line(f"Reason: {r.void_reason}"[:w]))
    lines.append(Line())
    lines.append(Line(barcode=r.receipt_no))
    lines.append(Line("Thank you", align="center"))
    return ReceiptDoc(columns, tuple(lines))
