"""Corrections after the day is closed (programs.md: returned checks, refunds, transfers;
issue 16). Each is one transaction, audited, approved by a lead (a refund: a supervisor) whose
credentials are the authority (no login needed), and goes into this workstation's next closeout
batch as an adjustment — never into a drawer's tenders or deposit.

What is taken back comes from the receipt's lines in order (a refund may name one line), each
up to what it brought in less what earlier corrections took from it; cash rounding lines are
never taken back. A line that paid an open item is reversed cumulatively (the item's latest
payment unwound first: split(P) − split(P − x)); any other line by its own split of the amount
taken (:mod:`cashier_desk.desk.taking_back` reckons it)."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.desk import taking_back
from cashier_desk.desk.pricing import Pricing
from cashier_desk.desk.printing import Spooler
from cashier_desk.desk.requests import ItemRequest, positive, text
from cashier_desk.desk.station import Station
from cashier_desk.errors import Refusal
from cashier_desk.ledger import corrections, item_programs, program_rules
from cashier_desk.ledger.approvals import recheck_approver
from cashier_desk.ledger.auth import User
from cashier_desk.ledger.corrections import Correction, Receipt
from cashier_desk.ledger.import_write import write_open_items
from cashier_desk.money import Money
from cashier_desk.paper import Line, ReceiptDoc, wrap
from cashier_desk.reports.letters import ReturnedCheckLetter, write_returned_check_letter

log = logging.getLogger(__name__)


def _gl_json(gl: dict[str, Money]) -> dict[str, str]:
    return {a: str(m) for a, m in gl.items()}


@dataclass(frozen=True)
class ReturnedCheck:
    number: str
    amount: Money
    reinstated: tuple[tuple[str, Money], ...]
    new_items: tuple[tuple[str, Money], ...]
    fee: tuple[str, Money]
    gl: dict[str, Money]
    letter: str | None = None  # the letter's PDF (not part of the contract's result)

    def as_json(self) -> dict[str, Any]:
        return {
            "amount": str(self.amount),
            "reinstated": [{"ref": r, "amount": str(m)} for r, m in self.reinstated],
            "new_items": [{"ref": r, "amount": str(m)} for r, m in self.new_items],
            "fee": {"ref": self.fee[0], "amount": str(self.fee[1])},
            "gl": _gl_json(self.gl),
        }


@dataclass(frozen=True)
class RefundResult:
    request: str
    amount: Money
    gl: dict[str, Money]

    def as_json(self) -> dict[str, Any]:
        return {"amount": str(self.amount), "request": self.request, "gl": _gl_json(self.gl)}


@dataclass(frozen=True)
class TransferResult:
    number: str
    amount: Money
    from_ref: str
    to_ref: str
    gl: dict[str, Money]
    printed: bool = False  # the transfer notice (not part of the contract's result)

    def as_json(self) -> dict[str, Any]:
        return {"amount": str(self.amount), "from_ref": self.from_ref, "to_ref": self.to_ref,
                "gl": _gl_json(self.gl)}  # fmt: skip


class Corrections:
    """Returned checks, refunds and transfers (see the module's docstring)."""

    def __init__(self, station: Station, pricing: Pricing, spooler: Spooler) -> None:
        self.st = station
        self.pricing = pricing
        self.spooler = spooler

    # -- shared ------------------------------------------------------------------------------

    def _receipt(self, conn: sa.Connection, number: str) -> Receipt:
        rec = corrections.receipt(conn, number)
        if rec is None or rec.voided:
            said = "was voided" if rec is not None else "does not exist here"
            raise Refusal("unknown_receipt", f"Receipt {number} {said}: there is nothing to take "
                          "back.")  # fmt: skip
        return rec

    @staticmethod
    def _closed_out(rec: Receipt) -> None:
        if not rec.closed_out:
            raise Refusal(
                "not_closed_out",
                f"Receipt {rec.receipt_no} is not closed out yet: void it instead (a lead "
                "approves the void at the counter).",
            )

    def _who(self, conn: sa.Connection, lead: User, role: str) -> str:
        recheck_approver(conn, lead, not_=(), min_role=role)
        return self.st.user.login if self.st.user is not None else lead.login

    # -- returned checks ---------------------------------------------------------------------

    def returned_check(
        self, receipt: str, number: str, reason: str, approver: str, approver_pin: str
    ) -> ReturnedCheck:
        """A check of a closed-out receipt came back unpaid (programs.md, "Returned checks")."""
        receipt_no = text(receipt, "the receipt", max_len=40)
        check_no = text(number, "the check number", max_len=40)
        why = text(reason, "the reason", max_len=400)
        lead = self.st.authenticate(approver, approver_pin, "returned check", min_role="lead")
        on = self.st.business_date()
        self.st.ledger_whole()
        with self.st.ledger.write() as conn:
            actor = self._who(conn, lead, "lead")
            rec = self._receipt(conn, receipt_no)
            check = next((t for t in rec.tenders if t.kind == "check" and t.number == check_no),
                         None)  # fmt: skip
            if check is None:
                raise Refusal("unknown_check", f"Receipt {receipt_no} took no check {check_no}.")
            self._closed_out(rec)
            if corrections.returned(conn, receipt_no, check_no):
                raise Refusal("already_returned", f"Check {check_no} of {receipt_no} was "
                              "returned already.")  # fmt: skip
            taken, short = taking_back.allocate(rec, check.amount, rec.lines)
            if short.is_positive():
                raise Refusal(
                    "taken_back_already",
                    f"Receipt {receipt_no} has only {check.amount - short} left to take back "
                    f"(refunds, transfers or returned checks took the rest); the check is "
                    f"{check.amount}.",
                )
            nsf = program_rules.in_force(conn).in_force("nsf", date.fromisoformat(on))
            fee_code = self.pricing.code(conn, str(nsf["fee_code"]))
            account, name, address = self._payer(conn, rec)
            first = corrections.returned_checks_of(conn, account) == 0
            fee_amount: Money = nsf["fee_first"] if first else nsf["fee_subsequent"]
            fee = fee_amount.cents
            revenue = taking_back.reverse(conn, self.pricing, rec, taken)
            offsets = taking_back.by_fund(revenue, str(nsf["bank_account"]))
            values = {"business_date": on, "receipt_no": receipt_no, "amount_cents":
                      check.amount.cents, "check_number": check_no, "account": account,
                      "fee_cents": fee, "reason": why, "actor": actor, "approver": lead.login,
                      "created_at": self.st.now().isoformat()}  # fmt: skip
            made = Correction("returned_check", values, [(ln.id, x) for ln, x in taken],
                              taking_back.put_back(taken), revenue, offsets)  # fmt: skip
            cid, done = corrections.add(conn, self.st.workstation, made)
            reinstated: dict[str, Money] = {}
            for line, x in taken:
                if line.ref:
                    taking_back.add(reinstated, line.ref, x)
            new_items = [(corrections.made_ref(done, line.line_no), line, x)
                         for line, x in taken if not line.ref]  # fmt: skip
            after = item_programs.last_line(conn)
            records = [
                self._new_item(conn, ref, ln.code, x, on, account, name, address, after)
                for ref, ln, x in new_items
            ]
            fee_ref = f"{done}-FEE"
            records.append(self._new_item(conn, fee_ref, fee_code.code, Money(fee), on, account,
                                          name, address, after))  # fmt: skip
            write_open_items(conn, iter(records))
            for ref, ln, _ in new_items:
                split = taking_back.line_split(conn, self.pricing, rec, ln)
                said = corrections.made_description(receipt_no, ln.line_no)
                corrections.set_split(conn, ref, split, said)
            corrections.flag(conn, account, cid, at=self.st.now().isoformat(), actor=actor)
            result = ReturnedCheck(done, check.amount, tuple(reinstated.items()),
                                   tuple((r, x) for r, _, x in new_items), (fee_ref, Money(fee)),
                                   revenue)  # fmt: skip
            self.st.audit(conn, "returned_check", done, {"receipt": receipt_no, "check": check_no,
                          **result.as_json()}, actor=lead.login)  # fmt: skip
            letter = ReturnedCheckLetter(
                self.st.config.city, self.st.config.address, done, on, name, address, account,
                receipt_no, check_no, check.amount, why,
                [*((r, "Due again", m) for r, m in result.reinstated),
                 *((r, corrections.made_description(receipt_no, ln.line_no), x)
                   for r, ln, x in new_items),
                 (fee_ref, "Returned check fee", Money(fee))],
            )  # fmt: skip
        return dataclasses.replace(result, letter=self._write_letter(letter))

    def _write_letter(self, letter: ReturnedCheckLetter) -> str | None:
        """The returned-check letter in the data folder's ``letters``; None when it cannot be
        written there (the returned check stands; the letter is logged as missing)."""
        path = self.st.ledger.path.parent / "letters" / f"returned-check-{letter.number}.pdf"
        try:
            write_returned_check_letter(path, letter)
        except OSError:
            log.exception("the returned-check letter %s could not be written", path)
            return None
        return str(path)

    def _payer(self, conn: sa.Connection, rec: Receipt) -> tuple[str, str, str]:
        """The account a returned check's fee goes on: the receipt's first open item's, else
        the payer as written, else one named after the receipt; with a name and address."""
        for line in rec.lines:
            if line.ref:
                found = corrections.item_account(conn, line.ref)
                if found is not None:
                    return str(found.account), str(found.name), str(found.address)
        if rec.payer:
            return rec.payer, rec.payer, ""
        return rec.receipt_no, f"Payer of receipt {rec.receipt_no}", ""

    def _new_item(
        self, conn: sa.Connection, ref: str, code: str, amount: Money, on: str, account: str,
        name: str, address: str, after: int,
    ) -> dict[str, Any]:  # fmt: skip
        """An open item a returned check makes (a line taken back, the fee), as an import
        writes one: due on the day it is made, paid only by receipts made after it."""
        program = self.pricing.code(conn, code).program
        return {"ref": ref, "program": program, "account": account, "name": name,
                "address": address, "amount_due_cents": amount.cents, "due_date": on,
                "revenue_code": code, "status": "open", "plate": "", "as_of": "",
                "issued": None, "notice": None, "paid_before_line": after}  # fmt: skip

    # -- refunds -----------------------------------------------------------------------------

    def refund(
        self,
        receipt: str,
        amount: Money,
        payee: str,
        address: str,
        reason: str,
        approver: str,
        approver_pin: str,
        *,
        line: int | None = None,
        method: str = "check",
        auth: str | None = None,
    ) -> RefundResult:
        """A supervisor's refund of (part of) a closed-out receipt (programs.md, "Refunds")."""
        receipt_no = text(receipt, "the receipt", max_len=40)
        money = self.st.at_most(positive(amount, "The refund"), "the refund")
        to, where = text(payee, "the payee"), text(address, "the payee's address")
        why = text(reason, "the reason", max_len=400)
        if method not in ("check", "card"):
            raise Refusal("bad_request", f"{method!r} is not a refund method (check, card).")
        approval = None
        if method == "card":
            approval = text(auth, "the processor's authorisation", max_len=20)
            if not approval.isalnum() or not approval.isascii():
                raise Refusal("bad_card", "The authorisation code is letters and digits only.")
        if line is not None and (type(line) is not int or line < 1):
            raise Refusal("unknown_line", "The line is a receipt line's number: 1, 2, ...")
        boss = self.st.authenticate(approver, approver_pin, "refund", min_role="supervisor")
        on = self.st.business_date()
        self.st.ledger_whole()
        with self.st.ledger.write() as conn:
            actor = self._who(conn, boss, "supervisor")
            rec = self._receipt(conn, receipt_no)
            self._closed_out(rec)
            lines = [x for x in rec.lines if not x.is_rounding]
            if line is not None:
                lines = [x for x in lines if x.line_no == line]
                if not lines:
                    raise Refusal("unknown_line", f"Receipt {receipt_no} has no line {line} "
                                  "to refund.")  # fmt: skip
            # What the receipt brought in and is left: its lines, less a cash rounding down.
            rounded = sum(x.amount.cents for x in rec.lines if x.is_rounding)
            whole = Money(sum(rec.left(x).cents for x in rec.lines if not x.is_rounding))
            whole += Money(min(0, rounded))
            room = Money(min(sum(rec.left(x).cents for x in lines), whole.cents))
            by_card = Money(sum(t.amount.cents for t in rec.tenders if t.kind == "card"))
            card_left = by_card - corrections.card_refunded(conn, receipt_no)
            if money > room:
                raise Refusal("refund_too_large", f"Receipt {receipt_no} has only {room} left "
                              f"to refund; {money} is more.")  # fmt: skip
            if method == "card" and money > card_left:
                raise Refusal("refund_too_large", f"Only {card_left} of receipt {receipt_no} "
                              "came by card and can go back to it.")  # fmt: skip
            if method == "check" and money > whole - card_left:
                raise Refusal("refund_too_large", f"{card_left} of receipt {receipt_no} came "
                              "by card and goes back to the card, never by a city check; "
                              f"{whole - card_left} can be refunded by check.")  # fmt: skip
            taken, _ = taking_back.allocate(rec, money, lines)
            revenue = taking_back.reverse(conn, self.pricing, rec, taken)
            offsets = taking_back.by_fund(revenue, self.st.config.refund_ap_account)
            values = {"business_date": on, "receipt_no": receipt_no, "amount_cents": money.cents,
                      "method": method, "auth": approval, "payee": to, "address": where,
                      "line_no": line, "reason": why, "actor": actor, "approver": boss.login,
                      "created_at": self.st.now().isoformat()}  # fmt: skip
            made = Correction("refund", values, [(ln.id, x) for ln, x in taken], (), revenue,
                              offsets)  # fmt: skip
            _, request = corrections.add(conn, self.st.workstation, made)
            result = RefundResult(request, money, revenue)
            self.st.audit(conn, "refund", request, {"receipt": receipt_no, "method": method,
                          **result.as_json()}, actor=boss.login)  # fmt: skip
        return result

    # -- transfers ---------------------------------------------------------------------------

    def transfer(
        self,
        receipt: str,
        from_ref: str,
        to_ref: str,
        amount: Money,
        approver: str,
        approver_pin: str,
        reason: str | None = None,
    ) -> TransferResult:
        """A payment keyed to the wrong item moved to the right one (programs.md)."""
        receipt_no = text(receipt, "the receipt", max_len=40)
        source = text(from_ref, "the item paid by mistake (from_ref)", max_len=60)
        target = text(to_ref, "the item meant (to_ref)", max_len=60)
        money = self.st.at_most(positive(amount, "The transfer"), "the transfer")
        why = text(reason, "the reason", max_len=400, required=False)
        if source == target:
            raise Refusal("bad_request", "A transfer moves a payment to another item.")
        lead = self.st.authenticate(approver, approver_pin, "transfer", min_role="lead")
        on = self.st.business_date()
        self.st.ledger_whole()
        with self.st.ledger.write() as conn:
            actor = self._who(conn, lead, "lead")
            rec = self._receipt(conn, receipt_no)
            self._closed_out(rec)
            lines = [x for x in rec.lines if x.ref == source]
            room = Money(sum(rec.left(x).cents for x in lines))
            if money > room:
                raise Refusal("transfer_too_large", f"Receipt {receipt_no} paid {room} on "
                              f"{source} that can be moved; {money} is more.")  # fmt: skip
            priced = self.pricing.price(conn, [ItemRequest(ref=target, amount=money)])
            taken, _ = taking_back.allocate(rec, money, lines)
            revenue = taking_back.reverse(conn, self.pricing, rec, taken)
            after = item_programs.last_line(conn) + 1
            moved = taking_back.put_back(taken)
            for p in priced:
                part = (
                    "other" if p.description.startswith(corrections.UNSPLIT_PREFIXES) else "split"
                )
                moved.append((target, part, after, p.amount))
                for account, m in p.gl():
                    taking_back.add(revenue, account, m)
            gl = {a: m for a, m in revenue.items() if m}
            values = {"business_date": on, "receipt_no": receipt_no, "amount_cents": money.cents,
                      "from_ref": source, "to_ref": target, "reason": why, "actor": actor,
                      "approver": lead.login, "created_at": self.st.now().isoformat()}  # fmt: skip
            made = Correction("transfer", values, [(ln.id, x) for ln, x in taken], moved, gl)
            _, number = corrections.add(conn, self.st.workstation, made)
            result = TransferResult(number, money, source, target, gl)
            self.st.audit(conn, "transfer", number, {"receipt": receipt_no, **result.as_json()},
                          actor=lead.login)  # fmt: skip
        notice = self._transfer_notice(result, receipt_no, on)
        return dataclasses.replace(result, printed=self.spooler.print_document(notice))

    def clear_certified_funds(
        self, account: str, approver: str, approver_pin: str, reason: str
    ) -> None:
        """A supervisor lets an account pay by check again (programs.md: "a supervisor can
        clear the flag in the window"), audited."""
        named = text(account, "the account", max_len=200)
        why = text(reason, "the reason", max_len=400)
        boss = self.st.authenticate(approver, approver_pin, "clear certified funds",
                                    min_role="supervisor")  # fmt: skip
        with self.st.ledger.write() as conn:
            actor = self._who(conn, boss, "supervisor")
            if not corrections.is_flagged(conn, named):
                raise Refusal("not_flagged", f"Account {named} is not for certified funds only.")
            at = self.st.now().isoformat()  # the record's too: central holds the clear to it
            corrections.clear_flag(conn, named, at=at, actor=actor)
            self.st.audit(conn, "clear_certified_funds", named, {"reason": why, "at": at},
                          actor=boss.login)  # fmt: skip

    def _transfer_notice(self, done: TransferResult, receipt_no: str, on: str) -> ReceiptDoc:
        """The printed transfer notice for the payer: what moved from where to where."""
        w = self.st.printer.columns
        said = (f"{done.amount} paid on receipt {receipt_no} for {done.from_ref} now pays "
                f"{done.to_ref}. {done.from_ref} is due again.")  # fmt: skip
        lines = [
            Line(self.st.config.city[:w], bold=True, align="center"),
            Line("PAYMENT TRANSFERRED", bold=True, align="center"),
            Line(f"Transfer {done.number}"[:w], align="center"),
            Line("-" * w),
            Line(f"Date {on}"),
            *(Line(t) for t in wrap(said, w)),
        ]
        return ReceiptDoc(w, tuple(lines))
