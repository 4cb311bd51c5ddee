"""The Desk: the one application service behind the cashier's window and the command line.

Every use case at the counter is a method here (log in, open a drawer, take a payment, void,
drop, paid-out, no-sale, close with a blind count, approve, close out).  A method either
completes in ONE durable transaction or raises :class:`~cashier_desk.errors.Refusal` having
changed nothing.  The one exception is a wrong PIN, which is counted towards the lockout.
Devices are used only after the commit: commit → print → mark printed → open the drawer.
"""

from __future__ import annotations

from cashier_desk.desk.cash import CashOps
from cashier_desk.desk.closing import ClosingOps
from cashier_desk.desk.counter import CounterOps
from cashier_desk.desk.plan_paper import PlanPaperOps
from cashier_desk.desk.reporting import ReportingOps
from cashier_desk.desk.requests import (
    BlindCount,
    CashMovement,
    Clock,
    CloseResult,
    CountedItem,
    ItemRequest,
    OpenItemView,
    PricedLine,
    Quote,
    SaleResult,
    ScanResult,
    TenderRequest,
    is_iso_date,
    system_clock,
)


class Desk(CounterOps, CashOps, ClosingOps, ReportingOps, PlanPaperOps):
    """The application service of one workstation."""


__all__ = [
    "BlindCount",
    "CashMovement",
    "Clock",
    "CloseResult",
    "CountedItem",
    "Desk",
    "ItemRequest",
    "OpenItemView",
    "PricedLine",
    "Quote",
    "SaleResult",
    "ScanResult",
    "TenderRequest",
    "is_iso_date",
    "system_clock",
]
