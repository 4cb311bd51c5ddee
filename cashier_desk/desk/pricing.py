"""Pricing: the lines requested items make, priced and split — the one path of a quote and a
sale (issue 13, item 3). A revenue code's program rule (programs.md) prices its lines here: a
citation's fine and each late penalty in force on the date of the computation."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.desk import lookup
from cashier_desk.desk.lookup import Lookup
from cashier_desk.desk.program_items import Pending, ProgramItems
from cashier_desk.desk.requests import (
    MAX_LINES,
    MAX_QTY,
    AnimalOnFile,
    ItemRequest,
    PricedLine,
    Quote,
    amounts_in_range,
    check_count,
    iso_day,
    positive,
    text,
    typed,
)
from cashier_desk.desk.station import Station
from cashier_desk.errors import Refusal
from cashier_desk.ledger import (
    accounts,
    corrections,
    item_programs,
    items,
    program_records,
    program_rules,
)
from cashier_desk.money import GlSplit, Money
from cashier_desk.programs.plans import apply_paid, next_rest, payment_parts
from cashier_desk.programs.rounding import rounding_difference


class Pricing:
    """Prices requested items (see the module's docstring)."""

    def __init__(self, station: Station) -> None:
        self.st = station
        self.programs = ProgramItems(station)

    def code(self, conn: sa.Connection, code: str) -> sa.Row[Any]:
        row = items.code_row(conn, code)
        if row is None:
            raise Refusal("unknown_code", f"There is no revenue code {code!r}.")
        return row

    def price(
        self, conn: sa.Connection, items: Sequence[ItemRequest], on: date | None = None
    ) -> list[PricedLine]:
        """The lines the items make, priced on ``on`` (the business date by default): the one
        path of a quote and a sale."""
        day = on if on is not None else date.fromisoformat(self.st.business_date())
        paying: dict[str, Money] = {}
        pending = Pending()
        return [
            dataclasses.replace(line, item=n)
            for n, item in enumerate(items)
            for line in self._resolve(conn, item, paying, pending, day)
        ]

    def _resolve(
        self,
        conn: sa.Connection,
        item: ItemRequest,
        paying: dict[str, Money],
        pending: Pending,
        on: date,
    ) -> list[PricedLine]:
        if item.program is not None:
            if item.code is not None or item.ref is not None or item.amount is not None:
                raise Refusal(
                    "bad_item", "A program's item (a return, licence or permit) is an item alone."
                )
            check_count(item.qty, "The quantity", low=1, high=1)
            return self.programs.price(conn, item.program, pending, on)
        if (item.code is None) == (item.ref is None):
            raise Refusal("bad_item", "Each item needs either a revenue code or an open-item ref.")
        qty = check_count(item.qty, "The quantity", low=1, high=MAX_QTY)
        if item.code is not None:
            code = self.code(conn, typed(item.code, "the revenue code"))
            if code.fee_type == "open":
                if item.amount is None:
                    raise Refusal("amount_required", f"Key the amount for {code.description}.")
                unit = positive(item.amount, f"The amount for {code.description}")
                self.st.at_most(unit, f"the amount for {code.description}")
            else:
                if item.amount is not None:
                    raise Refusal(
                        "amount_not_allowed",
                        f"The fee for {code.description} is set at {Money(code.amount_cents)}; "
                        "do not key an amount.",
                    )
                unit = Money(code.amount_cents)
            line = self.st.at_most(unit * qty, f"the line {code.description}")
            return [
                PricedLine(code.code, None, code.description, qty, line, GlSplit.parse(code.gl))
            ]
        ref = typed(str(item.ref), "the open item's reference")
        if qty != 1:
            raise Refusal("bad_quantity", "A payment on an open item has no quantity.")
        row = items.item_row(conn, ref)
        if row is None:
            raise Refusal("unknown_ref", f"There is no open item {ref!r}.")
        if row.status == "hold":
            raise Refusal("item_on_hold", f"{ref} is on hold and cannot be paid at the counter.")
        code = self.code(conn, row.revenue_code)
        plan = item_programs.plan_of(conn, ref)
        if plan is not None:
            return self._plan_payment(conn, row, code, plan, item, paying)
        if code.rule == "citation":
            return self._citation(conn, row, code, item, paying, on)
        due = Money(row.amount_due_cents - int(row.paid_cents))
        if row.status == "paid" or not due.is_positive():
            raise Refusal("already_paid", f"{ref} is already paid in full.")
        due -= paying.get(ref, Money(0))
        if not due.is_positive():
            raise _paid_by_this_sale(ref)
        amount = due if item.amount is None else positive(item.amount, f"The payment on {ref}")
        self.st.at_most(amount, f"the payment on {ref}")
        if amount > due:
            raise Refusal("overpayment", f"{ref} has only {due} due; {amount} is more than that.")
        if amount < due and not code.partial_allowed:
            raise Refusal(
                "partial_not_allowed",
                f"{ref} must be paid in full ({due}); {code.description} takes no part payments.",
            )
        before = Money(int(row.paid_cents)) + paying.get(ref, Money(0))
        paying[ref] = paying.get(ref, Money(0)) + amount
        split = GlSplit.parse(row.own_gl or code.gl)  # a returned check's new item: its line's
        what = row.own_description or code.description  # ... and its own description
        return [PricedLine(code.code, ref, what, 1, amount, split, paid_before=before)]

    def _citation(
        self,
        conn: sa.Connection,
        row: sa.Row[Any],
        code: sa.Row[Any],
        item: ItemRequest,
        paying: dict[str, Money],
        on: date,
    ) -> list[PricedLine]:
        """A parking citation (programs.md): the fine as issued on its code's split, then one
        line ``Late penalty <ref>`` per step in force on ``on``, wholly on the rules'
        ``penalty_gl``. Paid whole or not at all; a paid citation grows nothing; one whose
        payment was taken back owes what :func:`lookup.citation_owed` says."""
        ref = row.ref
        owed = lookup.citation_owed(conn, row, on, paying.get(ref, Money(0)))
        if owed is None:
            if paying.get(ref) and lookup.citation_owed(conn, row, on) is not None:
                raise _paid_by_this_sale(ref)
            raise Refusal("already_paid", f"{ref} is already paid in full.")
        lines = []
        split = GlSplit.parse(code.gl)
        if owed.fine.is_positive():  # what is left of a fine partly taken back: split onwards
            lines.append(PricedLine(code.code, ref, code.description, 1, owed.fine, split,
                                    paid_before=owed.fine_kept))  # fmt: skip
        penalty_gl = GlSplit((), owed.rules.penalty_gl)
        lines += [
            PricedLine(code.code, ref, f"Late penalty {ref}", 1, p, penalty_gl)
            for p in owed.penalties
        ]
        self.st.lines_at_most(lines)
        total = Money(sum(line.amount.cents for line in lines))
        if item.amount is not None:
            keyed = positive(item.amount, f"The payment on {ref}")
            if keyed > total:
                raise Refusal(
                    "overpayment", f"{ref} has only {total} due; {keyed} is more than that."
                )
            if keyed < total:
                raise Refusal(
                    "partial_not_allowed",
                    f"{ref} must be paid in full ({total}): a citation takes no part payments.",
                )
        paying[ref] = paying.get(ref, Money(0)) + total
        return lines

    def lookup(self, ref: str, on: str | None = None) -> Lookup:
        """An open item as the counter sees it on ``on`` (today by default): its status, what
        is due and of what parts; anyone logged in may look. Nothing is written."""
        day = self.st.business_date() if on is None else on
        day = iso_day(day)
        if not isinstance(ref, str) or not ref:
            raise Refusal("bad_request", "The lookup needs the open item's reference as text.")
        wanted = typed(ref, "the open item's reference")
        self.st.need_user()
        with self.st.ledger.read() as conn:
            row = items.item_row(conn, wanted)
            if row is None:
                raise lookup.unknown(wanted)
            code = items.code_row(conn, row.revenue_code)
            rule = None if code is None else code.rule
            found = lookup.look_up(row, rule, conn, date.fromisoformat(day))
            if corrections.certified_only(conn, [row.ref]):
                found = dataclasses.replace(found, flags=(*found.flags, "certified_funds_only"))
            return found

    def _plan_payment(
        self,
        conn: sa.Connection,
        row: sa.Row[Any],
        code: sa.Row[Any],
        plan: item_programs.Plan,
        item: ItemRequest,
        paying: dict[str, Money],
    ) -> list[PricedLine]:
        """A payment on an item on a plan (programs.md): any amount up to what is left (no
        amount: the next instalment's rest), applied to the fee, then the fine (split
        cumulatively), then the penalties."""
        ref = row.ref
        paid = item_programs.paid_after(conn, plan) + paying.get(ref, Money(0))
        left = plan.total - paid
        if not left.is_positive():
            raise Refusal("already_paid", f"{ref} is already paid in full (its plan is paid).")
        if item.amount is None:
            amount = next_rest(apply_paid(list(plan.instalments), paid))
        else:
            amount = positive(item.amount, f"The payment on {ref}")
        if amount > left:
            raise Refusal(
                "overpayment", f"{ref} has only {left} left on its plan; {amount} is more."
            )
        in_force = program_rules.in_force(conn)
        fee_gl = in_force.plan(plan.on).fee_gl
        penalty_gl = in_force.citation(plan.on).penalty_gl
        # What was paid on the item before the plan took it, for the fine's cumulative split.
        before_plan = Money(row.amount_due_cents) - plan.fine
        parts = [("fee", plan.fee), ("fine", plan.fine), ("penalty", plan.penalty)]
        lines = []
        for part, share, before in payment_parts(parts, paid, amount):
            if part == "fee":
                split, what, paid_before = GlSplit((), fee_gl), f"Payment plan fee {ref}", None
            elif part == "fine":
                split = GlSplit.parse(row.own_gl or code.gl)
                what = row.own_description or code.description
                paid_before = before_plan + before
            else:
                split, what, paid_before = GlSplit((), penalty_gl), f"Late penalty {ref}", None
            lines.append(PricedLine(code.code, ref, what, 1, share, split, paid_before=paid_before))
        self.st.lines_at_most(lines)
        paying[ref] = paying.get(ref, Money(0)) + amount
        return lines

    def cash_rounding(
        self, lines: Sequence[PricedLine], non_cash: Money, item: int
    ) -> list[PricedLine]:
        """The ``Cash rounding`` line (programs.md) when what is left after the non-cash
        tenders is paid in cash and ``[policy] cash_rounding`` rounds it; else none."""
        total = Money(sum(line.amount.cents for line in lines))
        diff = rounding_difference(total - non_cash, self.st.config.cash_rounding)
        if not diff:
            return []
        account = GlSplit((), self.st.config.cash_rounding_account)
        return [PricedLine("", None, "Cash rounding", 1, diff, account, item=item)]

    def account(self, account: str) -> dict[str, str]:
        """A registered account (programs.md, "Accounts") as the counter looks it up: its
        ``account``, ``rule``, ``name``, ``address`` and ``opened`` ("" when not known);
        ``unknown_account`` when there is none. Anyone logged in may look; nothing is written."""
        if not isinstance(account, str) or not account.strip():
            raise Refusal("bad_request", "The lookup needs the account as text.")
        wanted = typed(account.strip(), "the account")
        self.st.need_user()
        with self.st.ledger.read() as conn:
            row = accounts.account_row(conn, wanted)
        if row is None:
            raise Refusal("unknown_account", f"There is no account {wanted}.")
        return row

    def animal_licence(self, number: str) -> AnimalOnFile:
        """The animal licence ``number`` in force as the counter looks it up to renew it: its
        animal, owner, rabies certificate and term (the renewal form fills its fields from
        it); ``unknown_licence`` when there is none (or its receipt was voided), as a renewal
        of it would be refused. Anyone logged in may look; nothing is written."""
        if not isinstance(number, str) or not number.strip():
            raise Refusal("bad_request", "The lookup needs the licence number as text.")
        wanted = text(number, "the licence number", max_len=40)
        self.st.need_user()
        with self.st.ledger.read() as conn:
            row = program_records.animal_licence_row(conn, wanted)
            later = None if row is None else program_records.renewed_by(conn, wanted)
        if row is None:
            raise Refusal("unknown_licence", f"There is no animal licence {wanted} to renew.")
        return AnimalOnFile(
            **{k: v for k, v in row.items() if k not in ("altered", "senior")},
            altered=bool(row["altered"]), senior=bool(row["senior"]), renewed_by=later,
        )  # fmt: skip

    def quote(
        self, items: Sequence[ItemRequest], on: str | None = None, tender: str | None = None
    ) -> Quote:
        """What a sale of the items would be on ``date`` (today by default): its lines, priced
        and split, as the sale would post them, and their total; refused for exactly what the
        sale would refuse of the items. Nothing is written."""
        day = self.st.business_date() if on is None else on
        day = iso_day(day)
        if not items:
            raise Refusal("no_items", "Ring up at least one item.")
        if len(items) > MAX_LINES:
            raise Refusal("too_many_items", f"A receipt holds at most {MAX_LINES} lines.")
        self.st.need_user()  # anyone logged in may quote (programs.md); no drawer needed
        with self.st.ledger.read() as conn, amounts_in_range():
            lines = self.price(conn, items, date.fromisoformat(day))
        if tender == "cash":  # all of it paid in cash: rounded as the sale would round it
            lines += self.cash_rounding(lines, Money(0), len(items))
        return Quote(day, tuple(lines), Money(sum(line.amount.cents for line in lines)))


def _paid_by_this_sale(ref: str) -> Refusal:
    """The item named again in one sale (or quote) after an earlier line paid it in full."""
    return Refusal(
        "overpayment",
        f"{ref} is paid in full by an earlier line of this sale; nothing more is due.",
    )
