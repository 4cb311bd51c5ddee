"""Receipt layout: a receipt as a small printable document (:class:`ReceiptDoc`, defined in
``cashier_desk/paper.py`` with the rest of the paper model and re-exported here).

The document is what a print job stores: lines of text with a little style (bold, large,
centred) and the receipt number as a CODE128 barcode.  It is rendered to ESC/POS bytes for a
real printer (``devices/escpos_render.py``) and to plain text (``ReceiptDoc.as_text``) — the
text is what the golden tests compare and what the simulated printer shows.  Widths are 42 or
48 columns (from the printer's profile).
"""

from __future__ import annotations

from datetime import datetime

from cashier_desk.config import local_time
from cashier_desk.ledger.program_documents import CertificateView, IssuedView
from cashier_desk.ledger.receipts import ReceiptView
from cashier_desk.money import Money
from cashier_desk.paper import COLUMNS as COLUMNS
from cashier_desk.paper import TENDER_NAMES as TENDER_NAMES
from cashier_desk.paper import Line as Line
from cashier_desk.paper import ReceiptDoc as ReceiptDoc
from cashier_desk.paper import pair as _pair
from cashier_desk.paper import wrap as _wrap

#: The heading of a business licence's certificate section.
CERTIFICATE = "BUSINESS LICENCE"


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
    for line_no, item in enumerate(r.lines, 1):
        lines += [Line(x) for x in _pair(item.description, str(item.amount), w)]
        detail = []
        if item.ref:
            detail.append(f"Ref {item.ref}")
        if item.qty != 1:
            detail.append(f"Qty {item.qty} @ {Money(item.amount.cents // item.qty)}")
        if detail:
            lines += [Line(x) for x in _wrap("  ".join(detail), w, "  ")]
        for issued in r.issued:
            if issued.line_no == line_no:
                lines += _issued_lines(issued, w)
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
    if not (r.voided or mark == "VOID"):
        for cert in r.certificates:
            lines += certificate_lines(cert, city=city, columns=w, mark=mark)
    return ReceiptDoc(columns, tuple(lines))


def _issued_lines(issued: IssuedView, w: int) -> list[Line]:
    """What a program line issued, printed under it (programs.md: the licence number and
    valid-through, the animal licence, its tag and expiry, the permit and its expiry)."""
    if issued.kind == "animal":
        said = [f"Licence {issued.number}", f"Tag {issued.tag}", f"Expires {issued.through}"]
    elif issued.kind == "permit":
        said = [f"Permit {issued.number}", f"Plate {issued.plate}"]
        said += [f"Zone {issued.what}"] if issued.what else []
        said.append(f"Valid through {issued.through}")
    else:
        said = [f"Licence {issued.number}", f"Valid through {issued.through}"]
    return [Line(x, bold=n == 0) for n, x in enumerate(_wrap_each(said, w))]


def _wrap_each(said: list[str], w: int) -> list[str]:
    out: list[str] = []
    for text in said:
        out += _wrap(text, w, "  ")
    return [x if x.startswith("  ") else f"  {x}" for x in out]


def certificate_lines(
    cert: CertificateView, *, city: str, columns: int, mark: str | None = None
) -> list[Line]:
    """A business licence's certificate, printed after the receipt in the same print job (so
    the one is never printed without the other): to be displayed at the place of business."""
    w = columns
    lines: list[Line] = [Line(), Line("=" * w), Line()]
    lines += [Line(x, bold=True, align="center") for x in _wrap(city, w)]
    lines.append(Line(CERTIFICATE, bold=True, big=True, align="center"))
    if mark:
        lines.append(Line(f"*** {mark} ***", bold=True, align="center"))
    lines.append(Line(cert.number, bold=True, align="center"))
    lines.append(Line())
    lines += [Line(x, bold=True) for x in _wrap(cert.name, w)] if cert.name else []
    lines += [Line(x) for x in _wrap(cert.address, w)] if cert.address else []
    lines.append(Line())
    kind = "New licence" if cert.kind == "new" else "Renewal"
    lines += [Line(x) for x in _pair("Licence year", f"{cert.year} ({kind})", w)]
    lines += [Line(x, bold=True) for x in _pair("Valid through", cert.valid_through, w)]
    lines += [Line(x) for x in _pair("Issued", cert.issued, w)]
    lines += [Line(x) for x in _pair("Receipt", cert.receipt_no, w)]
    lines += [Line(x) for x in _pair("Business licence tax", str(cert.tax), w)]
    lines += [Line(x) for x in _pair("State fee (GC 4467)", str(cert.state_fee), w)]
    if cert.penalty.cents:
        lines += [Line(x) for x in _pair("Late renewal penalty", str(cert.penalty), w)]
    lines += [Line(x) for x in _pair("Paid", str(cert.total), w)]
    lines.append(Line())
    lines += [Line(x, align="center") for x in _wrap("Display at the place of business.", w)]
    lines.append(Line(barcode=cert.number))
    return lines
