"""The printed schedule of a payment plan (issue 14, item 5): what the person takes home when a
plan is made at the counter — the plan number, the item, the total and each instalment's due
date and amount. A slip like a contest's acknowledgement, printed in turn with the receipts;
nothing is written but the audit record of the print."""

from __future__ import annotations

from cashier_desk.desk.printing import Spooler
from cashier_desk.desk.program_ops import PlanResult
from cashier_desk.desk.requests import text
from cashier_desk.desk.station import Station
from cashier_desk.paper import Line, ReceiptDoc, pair, wrap

AFTER = (
    "Pay each instalment by its date at the counter. An instalment unpaid after the grace "
    "period makes the plan delinquent."
)


class PlanPapers:
    """Prints a payment plan's schedule (see the module's docstring)."""

    def __init__(self, station: Station, spooler: Spooler) -> None:
        self.st = station
        self.spooler = spooler

    def print_plan_schedule(self, ref: str, plan: PlanResult) -> bool:
        """Print ``plan`` (as :meth:`plan` returned it) for the open item ``ref``; anyone
        logged in may. True when it printed."""
        self.st.need_user()
        item = text(ref, "the open item's reference", max_len=128)
        w = self.st.printer.columns
        lines = [
            Line(self.st.config.city[:w], bold=True, align="center"),
            Line("PAYMENT PLAN", bold=True, big=True, align="center"),
            Line(f"Plan {plan.plan}"[:w], align="center"),
            Line("-" * w),
            *(Line(t) for t in pair("Open item", item, w)),
            *(Line(t) for t in pair("Total", str(plan.total), w)),
            Line("-" * w),
            *(Line(t) for t in pair("Due", "Amount", w)),
            *(
                Line(t)
                for due, amount in plan.instalments
                for t in pair(due.isoformat(), str(amount), w)
            ),
            Line("-" * w),
            *(Line(t) for t in wrap(AFTER, w)),
        ]
        return self.spooler.print_document(ReceiptDoc(w, tuple(lines)))
