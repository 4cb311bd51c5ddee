"""A business licence's certificate (programs.md, "Business licences"; issue 15 item 3): one
page, letter, to be displayed at the place of business, saved as
``<data-dir>/reports/licences/<licence>-<year>.pdf`` once the sale has committed.

It says the city, the licence number, the business's name and address, the licence year and
the last day it is valid, when and on which receipt it was issued, and what was paid (tax,
state fee, late renewal penalty).  Amounts reach reportlab as text (``str(Money)``); the file
is written whole or not at all (a temporary file renamed into place)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cashier_desk.ledger.program_documents import CertificateView

FOLDER = "licences"
_FONT = "Helvetica"
_BOLD = "Helvetica-Bold"


def certificate_name(cert: CertificateView) -> str:
    """The file's name: a renewal's number is its account's and repeats each year."""
    return f"{cert.number}-{cert.year}.pdf"


def write_certificate(cert: CertificateView, folder: Path, *, city: str) -> Path:
    """Draw ``cert`` into ``folder`` (created when missing); the file's path."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / certificate_name(cert)
    partial = path.with_name(path.name + ".part")
    width, height = letter
    pdf = Canvas(str(partial), pagesize=letter, invariant=1)
    pdf.setTitle(f"Business licence {cert.number} ({cert.year})")
    pdf.setAuthor("cashier_desk")
    _frame(pdf, width, height)
    y = height - 120
    y = _centred(pdf, width, y, [(city, _BOLD, 20)], 28)
    y = _centred(pdf, width, y, [("BUSINESS LICENCE", _BOLD, 30)], 40)
    y = _centred(pdf, width, y, [(f"Licence No. {cert.number}", _BOLD, 16)], 46)
    y = _centred(pdf, width, y, [("is granted to", _FONT, 12)], 30)
    y = _centred(pdf, width, y, [(cert.name or "(account closed)", _BOLD, 22)], 28)
    if cert.address:
        y = _centred(pdf, width, y, [(cert.address, _FONT, 14)], 22)
    kind = "New licence" if cert.kind == "new" else "Renewal"
    y = _centred(pdf, width, y - 20, [(f"Licence year {cert.year}  ({kind})", _FONT, 14)], 24)
    y = _centred(pdf, width, y, [(f"Valid through {cert.valid_through}", _BOLD, 18)], 56)
    rows = [
        ("Issued", cert.issued),
        ("Receipt", f"{cert.receipt_no} (station {cert.workstation})"),
        ("Business licence tax", str(cert.tax)),
        ("State fee (GC 4467, CASp)", str(cert.state_fee)),
    ]
    if cert.penalty.cents:
        rows.append(("Late renewal penalty", str(cert.penalty)))
    rows.append(("Total paid", str(cert.total)))
    left, right = 170, width - 170
    for n, (label, value) in enumerate(rows):
        bold = n == len(rows) - 1
        if bold:
            pdf.setLineWidth(1)
            pdf.line(left, y + 13, right, y + 13)
        pdf.setFont(_BOLD if bold else _FONT, 12)
        pdf.drawString(left, y, label)
        pdf.drawRightString(right, y, value)
        y -= 20
    _centred(
        pdf,
        width,
        110,
        [
            ("This licence is not transferable. Display it where the public can see it", _FONT, 10),
            ("at the place of business named above.", _FONT, 10),
        ],
        14,
    )
    pdf.showPage()
    pdf.save()
    os.replace(partial, path)
    return path


def _frame(pdf: Any, width: float, height: float) -> None:
    pdf.setLineWidth(3)
    pdf.rect(36, 36, width - 72, height - 72)
    pdf.setLineWidth(1)
    pdf.rect(44, 44, width - 88, height - 88)


def _centred(
    pdf: Any, width: float, y: float, texts: list[tuple[str, str, int]], step: float
) -> float:
    """Draw each text centred, one under the other ``step`` apart; the next line's y."""
    for text, font, size in texts:
        while size > 8 and pdf.stringWidth(text, font, size) > width - 130:
            size -= 1  # a long name shrinks to fit inside the frame
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y, text)
        y -= step
    return y
