"""The papers of cash that leaves the drawer, for the receipt printer: the drop slip that goes
in the safe bag, and the petty-cash voucher that the person paid signs.

Both are laid out from the movement as the ledger holds it, so a copy made later is the same
paper.  They go to the receipt printer like a receipt (:class:`ReceiptDoc`).
"""

from __future__ import annotations

from datetime import datetime

from cashier_desk.config import local_time
from cashier_desk.ledger.drawer import Movement
from cashier_desk.paper import COLUMNS, Line, ReceiptDoc
from cashier_desk.paper import pair as _pair
from cashier_desk.paper import wrap as _wrap

SIGN_HERE = "_"


def _when(moment: str, timezone: str | None) -> str:
    return local_time(datetime.fromisoformat(moment), timezone).strftime("%Y-%m-%d %H:%M")


def _head(
    city: str, title: str, subtitle: str, m: Movement, w: int, timezone: str | None
) -> list[Line]:
    lines = [Line(x, bold=True, align="center") for x in _wrap(city, w)]
    lines += [Line(), Line(title, bold=True, big=len(title) <= w // 2, align="center")]
    lines.append(Line(subtitle, bold=True, align="center"))
    lines += [Line(x) for x in _pair(_when(m.at, timezone), f"Station {m.workstation}", w)]
    lines += [Line(x) for x in _pair(f"Session {m.session_id}", f"Drawer {m.drawer}", w)]
    lines.append(Line(f"Cashier: {m.cashier}"[:w]))
    lines.append(Line("-" * w))
    return lines


def _signature(caption: str, w: int) -> list[Line]:
    """Room to sign: a blank line, the rule to sign on, and whose signature it is."""
    return [Line(), Line(), Line(SIGN_HERE * w), Line(caption[:w])]


def drop_slip(
    m: Movement, *, city: str, columns: int = 42, timezone: str | None = None
) -> ReceiptDoc:
    """The drop slip: amount and bag number, for the bag and the safe log."""
    if columns not in COLUMNS:
        raise ValueError(f"a slip is 42 or 48 columns wide, not {columns}")
    w = columns
    lines = _head(city, "SAFE DROP", "Cash from the drawer to the safe", m, w, timezone)
    lines += [Line(x, bold=True, big=True) for x in _pair("AMOUNT", str(m.amount), w // 2)]
    bag = m.bag or "(none given)"
    lines += [Line(x, bold=True) for x in _pair("Bag / envelope", bag, w)]
    lines += _signature(f"Cashier {m.cashier}", w)
    lines += _signature("Witness", w)
    lines += [Line(), Line("Put this slip in the bag", align="center")]
    return ReceiptDoc(columns, tuple(lines))


def paid_out_voucher(
    m: Movement, *, city: str, columns: int = 42, timezone: str | None = None
) -> ReceiptDoc:
    """The petty-cash voucher: amount, what for, the GL account, cashier and approver, and the
    line the person paid signs on."""
    if columns not in COLUMNS:
        raise ValueError(f"a voucher is 42 or 48 columns wide, not {columns}")
    w = columns
    lines = _head(city, "PETTY CASH", "PAID-OUT VOUCHER", m, w, timezone)
    lines += [Line(x, bold=True, big=True) for x in _pair("AMOUNT", str(m.amount), w // 2)]
    lines += [Line(x) for x in _wrap(f"Paid for: {m.reason}", w)]
    lines += [Line(x) for x in _pair("GL account", m.gl or "", w)]
    lines += [Line(x) for x in _pair("Approved by", m.approver or "(within the limit)", w)]
    lines += _signature("Received by (signature)", w)
    lines += _signature("Name (print)", w)
    if m.approver:
        lines += _signature(f"Approver {m.approver}", w)
    lines += [Line(), Line("Keep with the drawer's records", align="center")]
    return ReceiptDoc(columns, tuple(lines))
