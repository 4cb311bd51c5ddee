"""The city's programs at the counter (programs.md): a contest of a citation and a payment
plan on an open item. Each is one transaction, audited; a contest prints its acknowledgement
on the receipt printer after the commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.desk.lookup import citation_owed
from cashier_desk.desk.pricing import Pricing
from cashier_desk.desk.printing import Spooler
from cashier_desk.desk.requests import iso_day, positive, text
from cashier_desk.desk.station import Station
from cashier_desk.errors import Refusal
from cashier_desk.ledger import item_programs, items, program_rules
from cashier_desk.ledger.item_programs import Plan
from cashier_desk.money import Money
from cashier_desk.paper import Line, ReceiptDoc, wrap
from cashier_desk.programs.citations import review_window_open
from cashier_desk.programs.plans import plan_total, schedule

LEVELS = ("review", "hearing")
NEXT_STEPS = {
    "review": "The processing agency reviews the citation and mails its decision to the "
    "contact given. Penalties stop growing while it is contested.",
    "hearing": "The processing agency sets a hearing and writes to the contact given. The "
    "deposit is returned if the citation is dismissed.",
}


@dataclass(frozen=True)
class ContestResult:
    contest: str
    ref: str
    level: str
    printed: bool

    def as_json(self) -> dict[str, Any]:
        return {"contest": self.contest, "ref": self.ref, "level": self.level,
                "printed": self.printed}  # fmt: skip


@dataclass(frozen=True)
class PlanResult:
    plan: str
    total: Money
    instalments: tuple[tuple[date, Money], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "total": str(self.total),
            "instalments": [{"due": d.isoformat(), "amount": str(m)} for d, m in self.instalments],
        }


class Programs:
    """Contests and payment plans (see the module's docstring)."""

    def __init__(self, station: Station, pricing: Pricing, spooler: Spooler) -> None:
        self.st = station
        self.pricing = pricing
        self.spooler = spooler

    def _item_row(self, conn: sa.Connection, ref: object) -> tuple[sa.Row[Any], sa.Row[Any]]:
        if not isinstance(ref, str) or not ref:
            raise Refusal("bad_request", "Name the open item by its reference (ref).")
        row = items.item_row(conn, ref)
        if row is None:
            raise Refusal("unknown_ref", f"There is no open item {ref!r}.")
        return row, self.pricing.code(conn, row.revenue_code)

    def contest(
        self,
        ref: str,
        level: str,
        reason: str,
        contact: str,
        *,
        inability_to_pay: bool = False,
        approver: str | None = None,
        approver_pin: str | None = None,
    ) -> ContestResult:
        """Record a request for initial review (or a hearing) of a citation and print its
        acknowledgement; penalties stop growing at its date."""
        user = self.st.need_user()
        if level not in LEVELS:
            raise Refusal("bad_request", f"{level!r} is not a contest level (review, hearing).")
        said = text(reason, "the reason", max_len=400)
        reach = text(contact, "the contact", max_len=200)
        if not isinstance(inability_to_pay, bool):
            raise Refusal("bad_request", "inability_to_pay is true or false.")
        on = date.fromisoformat(self.st.business_date())
        # A lead's leave for a late contest is checked before the writing transaction (a
        # wrong PIN is counted in one of its own); it is recorded only when it was needed.
        lead = None
        if approver is not None:
            lead = self.st.approver(approver, approver_pin, "late contest", not_={user.login})
        with self.st.ledger.write() as conn:
            row, code = self._item_row(conn, ref)
            if code.rule != "citation":
                raise Refusal(
                    "not_a_citation",
                    f"{row.ref} is billed under {code.code} ({code.description}), a code "
                    "without the citation rule: it cannot be contested at the counter.",
                )
            levels = [c.level for c in item_programs.contests_of(conn, row.ref)]
            owed = citation_owed(conn, row, on)
            paid_whole = owed is None
            allowed_by = None
            if level == "review":
                if paid_whole:
                    raise Refusal("already_paid", f"{row.ref} is paid: there is nothing to review.")
                if "review" in levels:
                    raise Refusal("already_contested", f"{row.ref} is already under review.")
                rules = program_rules.in_force(conn).citation(on)
                issued = date.fromisoformat(row.issued) if row.issued else None
                notice = date.fromisoformat(row.notice) if row.notice else None
                if not review_window_open(on, issued, notice, rules):
                    if lead is None:
                        raise Refusal(
                            "contest_window_closed",
                            f"The time to contest {row.ref} has passed; a lead may allow it.",
                        )
                    allowed_by = lead.login
            else:
                if "hearing" in levels:
                    raise Refusal("already_contested", f"{row.ref} already has a hearing.")
                if "review" not in levels and row.status != "appeal":
                    raise Refusal(
                        "review_required", f"{row.ref} needs an initial review before a hearing."
                    )
                if owed is not None and inability_to_pay is not True:
                    raise Refusal(
                        "deposit_required",
                        f"A hearing of {row.ref} needs the amount due ({owed.total}) paid as a "
                        "deposit first, unless the person cannot pay.",
                    )
            number = item_programs.add_contest(
                conn,
                workstation=self.st.workstation,
                ref=row.ref,
                level=level,
                business_date=on.isoformat(),
                reason=said,
                contact=reach,
                inability_to_pay=inability_to_pay,
                actor=user.login,
                approver=allowed_by,
                created_at=self.st.now().isoformat(),
            )
            self.st.audit(conn, "contest", row.ref, {"contest": number, "level": level,
                                                    "approver": allowed_by})  # fmt: skip
        slip = self._acknowledgement(number, row.ref, str(level), on)
        return ContestResult(number, row.ref, str(level), self.spooler.print_document(slip))

    def _acknowledgement(self, number: str, ref: str, level: str, on: date) -> ReceiptDoc:
        w = self.st.printer.columns
        title = "INITIAL REVIEW" if level == "review" else "HEARING REQUEST"
        lines = [
            Line(self.st.config.city[:w], bold=True, align="center"),
            Line(title, bold=True, big=True, align="center"),
            Line(f"Contest {number}"[:w], align="center"),
            Line("-" * w),
            Line(f"Citation {ref}"[:w]),
            Line(f"Received {on.isoformat()}"),
            Line("-" * w),
            *(Line(t) for t in wrap(NEXT_STEPS[level], w)),
        ]
        return ReceiptDoc(w, tuple(lines))

    def plan(
        self,
        ref: str,
        monthly: Money,
        first_due: str,
        approver: str,
        approver_pin: str,
        *,
        indigent: bool = False,
    ) -> PlanResult:
        """Put an open item on a payment plan, approved by a lead who is not the cashier."""
        user = self.st.need_user()
        amount, first_due = self._plan_terms(monthly, first_due, indigent)
        lead = self.st.approver(approver, approver_pin, "payment plan", not_={user.login})
        with self.st.ledger.write() as conn:
            made = self._priced_plan(conn, ref, amount, first_due, indigent)
            number = item_programs.add_plan(
                conn, made, monthly=amount, workstation=self.st.workstation, actor=user.login,
                approver=lead.login, created_at=self.st.now().isoformat(),
            )  # fmt: skip
            self.st.audit(conn, "plan", made.ref, {"plan": number, "total": str(made.total),
                                                  "approver": lead.login})  # fmt: skip
        return PlanResult(number, made.total, tuple((i.due, i.amount) for i in made.instalments))

    def plan_preview(
        self, ref: str, monthly: Money, first_due: str, *, indigent: bool = False
    ) -> PlanResult:
        """What ``plan`` would make (its total and schedule; ``plan``, its number, empty),
        refused as it would be, writing nothing and asking no lead: shown to the payer
        before a lead approves.  Anyone logged in may ask."""
        self.st.need_user()
        amount, first_due = self._plan_terms(monthly, first_due, indigent)
        with self.st.ledger.read() as conn:
            made = self._priced_plan(conn, ref, amount, first_due, indigent)
        return PlanResult("", made.total, tuple((i.due, i.amount) for i in made.instalments))

    @staticmethod
    def _plan_terms(monthly: Money, first_due: str, indigent: object) -> tuple[Money, str]:
        amount = positive(monthly, "The monthly amount")
        day = iso_day(first_due)
        if not isinstance(indigent, bool):
            raise Refusal("bad_request", "indigent is true or false.")
        return amount, day

    def _priced_plan(
        self, conn: sa.Connection, ref: str, amount: Money, first_due: str, indigent: bool
    ) -> Plan:
        """The plan of ``ref`` on the business date (not yet numbered), or the refusal."""
        on = date.fromisoformat(self.st.business_date())
        row, code = self._item_row(conn, ref)
        if row.status == "hold":
            raise Refusal("item_on_hold", f"{row.ref} is on hold.")
        if code.rule not in (None, "citation"):
            raise Refusal("plan_not_allowed", f"{code.description} takes no payment plan.")
        if item_programs.plan_of(conn, row.ref) is not None:
            raise Refusal("already_on_plan", f"{row.ref} is already on a payment plan.")
        if item_programs.contests_of(conn, row.ref) or row.status == "appeal":
            raise Refusal("in_contest", f"{row.ref} is contested: no plan while it is.")
        plan_rules = program_rules.in_force(conn).plan(on)
        paid = Money(int(row.paid_cents))
        if code.rule == "citation":
            owed = citation_owed(conn, row, on)
            if owed is None:
                raise Refusal("already_paid", f"{row.ref} is already paid in full.")
            fine = owed.fine
            penalty = Money(0) if indigent else Money(sum(p.cents for p in owed.penalties))
        else:
            fine, penalty = Money(row.amount_due_cents) - paid, Money(0)
            if row.status == "paid" or not fine.is_positive():
                raise Refusal("already_paid", f"{row.ref} is already paid in full.")
        fee = plan_rules.fee_for(indigent)
        total = plan_total(fine + penalty, fine, False, fee)
        limit = plan_rules.months_for(indigent)
        instalments = schedule(total, amount, date.fromisoformat(first_due), limit)
        return Plan("", row.ref, on, indigent, fee, fine, penalty, total,
                    item_programs.last_line(conn), tuple(instalments),
                    item_programs.last_correction(conn))  # fmt: skip
