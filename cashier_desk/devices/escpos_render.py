"""A receipt document as ESC/POS bytes, produced by python-escpos.

python-escpos's recording printer (``Dummy``) encodes the document; the bytes are then sent
whole by the printer driver, so that a job is one unit that either all reached the printer or
is still pending.  One code page is pinned for the whole job (CP437 by default, selected once
with ``ESC t``): python-escpos's automatic code-page switching is turned off, so no line ever
switches code page halfway, and a character the page lacks prints as ``?``.
"""

from __future__ import annotations

from typing import Any

from cashier_desk.devices import escpos_lib
from cashier_desk.devices.receipt import ReceiptDoc

CODE_PAGE = "CP437"
#: ESC t numbers of the code pages we pin (Epson's table).
CODE_PAGES = {"CP437": 0, "CP1252": 16, "CP858": 19}


def _printer(code_page: str) -> Any:
    if code_page not in CODE_PAGES:
        raise ValueError(f"code page {code_page} is not one of {', '.join(CODE_PAGES)}")
    p = escpos_lib.dummy(magic_encode_args={"disabled": True, "encoding": code_page})
    p.hw("INIT")
    p._raw(b"\x1bt" + bytes([CODE_PAGES[code_page]]))
    return p


def to_escpos(doc: ReceiptDoc, *, code_page: str = CODE_PAGE, cut: bool = True) -> bytes:
    p = _printer(code_page)
    for line in doc.lines:
        if line.barcode is not None:
            p.set(align="center")
            # The hardware renderer directly: barcode() would also print a note on stdout.
            p._hw_barcode(
                "{B" + line.barcode, "CODE128", height=60, width=2, pos="OFF", font="A",
                align_ct=True, function_type="B", check=True,
            )  # fmt: skip
            p.ln()
            continue
        p.set(
            align=line.align,
            bold=line.bold,
            double_height=line.big,
            double_width=line.big,
            normal_textsize=not line.big,
        )
        width = doc.columns // 2 if line.big else doc.columns
        p.textln(line.text[:width])
    p.set(align="left", bold=False, normal_textsize=True)
    if cut:
        p.cut()
    return bytes(p.output)


def drawer_pulse(pin: int = 2) -> bytes:
    """ESC p: the printer fires its drawer port (ignored by most printers while offline)."""
    p = escpos_lib.dummy()
    p.cashdraw(pin)
    return bytes(p.output)


def realtime_drawer_pulse(pin: int = 2, pulse_ms: int = 200) -> bytes:
    """DLE DC4 1 m t: the real-time pulse, obeyed even when out of paper or offline."""
    m = 0 if pin == 2 else 1
    t = max(1, min(8, pulse_ms // 100))
    return bytes([0x10, 0x14, 0x01, m, t])
