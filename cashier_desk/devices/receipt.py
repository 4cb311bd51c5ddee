"""Receipt layout as plain text for a 42- or 48-column receipt printer."""

from __future__ import annotations

from datetime import datetime

from cashier_desk.ledger.receipts import ReceiptView
from cashier_desk.money import Money

TENDER_NAMES = {"cash": "Cash", "check": "Check", "money_order": "Money order", "card": "Card"}


def _pair(left: str, right: str, width: int) -> str:
    room = width - len(right) - 1
    if len(left) > room:
        left = left[: max(room, 0)]
    return f"{left:<{room}} {right}"


def render_receipt(
    r: ReceiptView,
    *,
    city: str,
    address: str = "",
    width: int = 42,
    mark: str | None = None,
) -> str:
    """The receipt as lines of text; ``mark`` is ``"REPRINT"`` or ``"VOID"`` when it applies."""
    out: list[str] = [city.center(width).rstrip()]
    if address:
        out.append(address.center(width).rstrip())
    out.append("")
    if mark:
        out.append(f"*** {mark} ***".center(width).rstrip())
    out.append(f"RECEIPT {r.receipt_no}".center(width).rstrip())
    when = datetime.fromisoformat(r.created_at).astimezone()
    out.append(_pair(when.strftime("%Y-%m-%d %H:%M"), f"Station {r.workstation}", width))
    out.append(_pair(f"Cashier {r.cashier}", "", width).rstrip())
    if r.payer:
        out.append(f"Payer: {r.payer}"[:width])
    out.append("-" * width)
    for line in r.lines:
        out.append(_pair(line.description, str(line.amount), width))
        detail = []
        if line.ref:
            detail.append(line.ref)
        if line.qty != 1:
            detail.append(f"qty {line.qty}")
        if detail:
            out.append(("  " + "  ".join(detail))[:width])
    out.append("-" * width)
    out.append(_pair("TOTAL", str(r.total), width))
    for t in r.tenders:
        name = TENDER_NAMES.get(t.kind, t.kind)
        if t.kind in ("check", "money_order") and t.number:
            name = f"{name} #{t.number}"
        elif t.kind == "card":
            name = f"Card ****{t.last4} auth {t.auth}"
        out.append(_pair(name, str(t.amount), width))
    if r.change != Money(0):
        out.append(_pair("CHANGE", str(r.change), width))
    if r.voided or mark == "VOID":
        out.append("")
        out.append("VOIDED".center(width).rstrip())
        if r.void_reason:
            out.append(f"Reason: {r.void_reason}"[:width])
    out.append("")
    out.append("Thank you".center(width).rstrip())
    return "\n".join(out) + "\n"
