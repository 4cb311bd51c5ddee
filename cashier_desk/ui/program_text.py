"""What the sale screen and the plan dialog say of an item in one line: its status and what
is due of what parts (``describe``), and what a plan comes to before a lead approves it
(``plan_terms``)."""

from __future__ import annotations

from cashier_desk.desk.lookup import Lookup
from cashier_desk.desk.program_ops import PlanResult


def describe(found: Lookup) -> str:
    """One line for the sale screen: the item's status and what is due of what parts."""
    if found.status == "plan" and found.plan is not None:
        said = f"{found.ref}: plan {found.plan['plan']}"
        owed = [i for i in found.plan["instalments"] if i["paid"] != i["amount"]]
        if owed:  # the next instalment as the Desk gives it: its amount, date, what is paid
            paid = f" ({owed[0]['paid']} paid)" if owed[0]["paid"] != "0.00" else ""
            said += f" · next instalment {owed[0]['amount']} due {owed[0]['due']}{paid}"
        said += f" · {found.amount_due} left"
    else:
        shown = [(what, amount) for what, amount in found.parts if what != "due"]  # said once
        parts = " · ".join(f"{what} {amount}" for what, amount in shown)
        said = f"{found.ref}: {found.status}" + (f" · {parts}" if parts else "")
        said += f" · {found.amount_due} due"
    if found.contest is not None:
        said += f" · contest {found.contest['contest']}"
    if found.flags:
        said += " · " + ", ".join(found.flags).upper()
    return said


def plan_terms(shown: PlanResult) -> str:
    """What a plan comes to, said before a lead approves it."""
    (first_due, first), *rest = shown.instalments
    last = f", the last {rest[-1][1]} on {rest[-1][0]}" if rest and rest[-1][1] != first else ""
    return (
        f"The plan comes to {shown.total}: {len(shown.instalments)} instalment(s) of {first} "
        f"from {first_due}{last}. A lead approves it below."
    )
