"""At the counter: open items, sales and voids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.desk import lookup
from cashier_desk.desk.pricing import Pricing
from cashier_desk.desk.printing import Spooler
from cashier_desk.desk.requests import (
    MAX_LINES,
    ItemRequest,
    OpenItemView,
    PricedLine,
    SaleResult,
    ScanResult,
    TenderRequest,
    amounts_in_range,
    positive,
    text,
    typed,
)
from cashier_desk.desk.station import Station
from cashier_desk.errors import Refusal
from cashier_desk.events import ReceiptVoided
from cashier_desk.ids import ReceiptNo
from cashier_desk.ledger import corrections, drawer, evidence, items, sales, search
from cashier_desk.ledger.approvals import recheck_approver
from cashier_desk.ledger.auth import User
from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.posting import TENDER_KINDS, drawer_account, post_entry
from cashier_desk.ledger.receipts import LineView, ReceiptView, TenderView
from cashier_desk.money import Money
from cashier_desk.words import ScanKind


def tender_sums(checked: Sequence[TenderRequest]) -> dict[str, Money]:
    """The tenders' amounts summed per kind (a sale may take two checks)."""
    sums: dict[str, Money] = {}
    for t in checked:
        sums[t.kind] = sums.get(t.kind, Money(0)) + t.amount
    return sums


class Counter:
    """Open items, sales and voids (see the module's docstring)."""

    def __init__(self, station: Station, pricing: Pricing, spooler: Spooler) -> None:
        self.st = station
        self.pricing = pricing
        self.spooler = spooler

    # -- open items ------------------------------------------------------------------------

    def _item_views(self, conn: sa.Connection, rows: Sequence[sa.Row[Any]]) -> list[OpenItemView]:
        """Open items as ``ledger.items`` reads them, each with its ``status`` and what is still
        due as ``lookup`` gives them on the business date (``desk.lookup``: penalties grown,
        frozen at a contest; what is left of a plan, fee included), read in one go."""
        day = date.fromisoformat(self.st.business_date())
        flagged = set(corrections.certified_only(conn, [row.ref for row in rows]))
        seen = lookup.look_up_many(conn, rows, day)
        return [
            OpenItemView(
                ref=row.ref,
                program=row.program,
                account=row.account,
                name=row.name,
                address=row.address,
                amount_due=Money(row.amount_due_cents),
                still_due=found.amount_due,
                due_date=row.due_date,
                revenue_code=row.revenue_code,
                status=found.status,
                certified_funds_only=row.ref in flagged,
                description=row.own_description,
            )
            for row, found in zip(rows, seen, strict=True)
        ]

    def open_item(self, ref: str) -> OpenItemView | None:
        typed(ref, "the reference")
        with self.st.ledger.read() as conn:
            row = items.item_row(conn, ref)
            return None if row is None else self._item_views(conn, [row])[0]

    def search_open_items(self, query: str, limit: int = 20) -> list[OpenItemView]:
        """The counter's search (``spec/operations.md`` "Search"): every open item, whatever
        its status, for which each word of ``query`` starts some word of its reference,
        account, plate, name or address (any case, accents ignored); an exact reference
        first, then by reference.  Fewer than 2 letters or digits find nothing.  Each item
        found is as ``lookup`` sees it (see ``_item_views``), reckoned for those returned."""
        if limit <= 0:
            return []
        exact = typed(query, "the search").strip()
        with self.st.ledger.read() as conn:
            keys = search.matching_keys(conn, query, limit)
            rows = items.items_by_keys(conn, keys)
            folded = exact.casefold()
            if rows and exact and not any(r.ref.casefold() == folded for r in rows):
                rows += items.item_rows(conn, sorted({exact, exact.upper()}))
            rows.sort(key=lambda r: (r.ref.casefold() != folded, r.ref))
            return self._item_views(conn, rows[:limit])

    def fee_codes(self) -> list[tuple[str, str, str, Money | None]]:
        """Every revenue code: (code, description, fee type, amount or None for open fees)."""
        with self.st.ledger.read() as conn:
            return [
                (
                    r.code,
                    r.description,
                    r.fee_type,
                    None if r.amount_cents is None else Money(r.amount_cents),
                )
                for r in items.all_codes(conn)
            ]

    def rule_codes(self, rule: str) -> list[str]:
        """The revenue codes of a program rule (programs.md: ``citation``, ``tot``,
        ``business_licence``, ``animal_licence``, ``parking_permit``, ``nsf_fee``), in code
        order; none for a rule no code names."""
        with self.st.ledger.read() as conn:
            return sorted(code for code, named in items.code_rules(conn).items() if named == rule)

    def lookup_scan(self, code: str) -> ScanResult:
        """Resolve a scanned (or keyed) bill stub, citation, licence, revenue code or receipt
        barcode: as given, else in capitals (a cashier keys ``copies`` for ``COPIES``)."""
        scanned = text(code, "the scanned code", max_len=128)
        for candidate in dict.fromkeys((scanned, scanned.upper())):
            found = self._look_up_code(candidate)
            if found is not None:
                return found
        raise Refusal("unknown_scan", f"Nothing is known by the code {scanned!r}.")

    def _look_up_code(self, scanned: str) -> ScanResult | None:
        item = self.open_item(scanned)
        if item is not None:
            return ScanResult(
                ScanKind.OPEN_ITEM, item.ref, f"{item.name}, {item.still_due} due", item
            )
        with self.st.ledger.read() as conn:
            fee = items.code_row(conn, scanned)
            if fee is not None:
                return ScanResult(ScanKind.REVENUE_CODE, fee.code, fee.description)
            receipt = items.receipt_total(conn, scanned)
            if receipt is not None:
                return ScanResult(
                    ScanKind.RECEIPT,
                    receipt.receipt_no,
                    f"receipt for {Money(receipt.total_cents)}",
                )
        return None

    # -- sale ------------------------------------------------------------------------------

    def _check_tender(self, t: TenderRequest) -> TenderRequest:
        if t.kind not in TENDER_KINDS:
            raise Refusal(
                "bad_tender", f"{t.kind!r} is not a tender (cash, check, money_order, card)."
            )
        positive(t.amount, "A tender's amount")
        self.st.at_most(t.amount, f"the {t.kind.replace('_', ' ')} tender")
        if t.kind in ("check", "money_order"):
            what = "the check number" if t.kind == "check" else "the money order number"
            return TenderRequest(t.kind, t.amount, number=text(t.number, what, max_len=40))
        if t.kind == "card":
            if not isinstance(t.last4, str) or len(t.last4) != 4 or not t.last4.isdigit():
                raise Refusal("bad_card", "Give exactly the last four digits of the card.")
            auth_code = text(t.auth, "the authorisation code", max_len=20)
            if not auth_code.isalnum() or not auth_code.isascii():
                raise Refusal("bad_card", "The authorisation code is letters and digits only.")
            return TenderRequest(t.kind, t.amount, auth=auth_code, last4=t.last4)
        return TenderRequest(t.kind, t.amount)

    def sale(
        self,
        items: Sequence[ItemRequest],
        tender_list: Sequence[TenderRequest],
        payer: str | None = None,
    ) -> SaleResult:
        payer_name = text(payer, "the payer's name", required=False)
        if not items:
            raise Refusal("no_items", "Ring up at least one item.")
        if len(items) > MAX_LINES:
            raise Refusal("too_many_items", f"A receipt holds at most {MAX_LINES} lines.")
        # Only program items may come to 0.00 (a nil TOT return, a free licence), and such a
        # sale is made with no tender; any other needs one.
        if not tender_list and not all(i.program is not None for i in items):
            raise Refusal("no_tender", "Take at least one tender.")
        checked = [self._check_tender(t) for t in tender_list]
        if self.st.config.drawer_must_close and self.st.cash_drawer.is_open():
            raise Refusal(
                "cash_drawer_open", "Close the cash drawer before starting the next sale."
            )
        with self.st.ledger.write() as conn, amounts_in_range():
            user, session = self.st.need_session(conn)
            lines = self.pricing.price(conn, items)
            if any(t.kind == "check" for t in checked):
                flagged = corrections.certified_only(conn, [x.ref for x in lines if x.ref])
                if flagged:
                    raise Refusal(
                        "certified_funds_only",
                        f"{flagged[0]} is on an account that pays by certified funds only (a "
                        "check of it came back): take cash, a money order or a card.",
                    )
            non_cash = Money(sum(t.amount.cents for t in checked if t.kind != "cash"))
            if any(t.kind == "cash" for t in checked):
                lines += self.pricing.cash_rounding(lines, non_cash, len(items))
            total = Money(sum(line.amount.cents for line in lines))
            tendered = Money(sum(t.amount.cents for t in checked))
            if not checked and total:
                raise Refusal("no_tender", "Take at least one tender.")
            if non_cash > total:
                raise Refusal(
                    "non_cash_over_total",
                    f"Checks, money orders and cards ({non_cash}) may not exceed the total "
                    f"({total}); change is given only from cash.",
                )
            if tendered < total:
                raise Refusal(
                    "tenders_short", f"The tenders ({tendered}) do not cover the total ({total})."
                )
            change = tendered - total
            view, sealed = self._write_receipt(
                conn, user, session, lines, checked, total, change, payer_name
            )
            receipt_no = view.receipt_no
            issued = self.pricing.programs.record(conn, receipt_no, lines)
            job_id, doc = self.spooler.queue_print(
                conn, receipt_no, view.id, "original", view, issued=bool(issued)
            )
            self.st.audit(
                conn,
                "sale",
                receipt_no,
                {
                    "session": session.id,
                    "total": str(total),
                    "change": str(change),
                    "tenders": {k: str(m) for k, m in tender_sums(checked).items()},
                    **sealed,
                    **({"issued": [i.as_json() for i in issued]} if issued else {}),
                },
            )
        sold = SaleResult(receipt_no, total, change, printed=False, issued=issued)
        cash_like = any(t.kind in ("cash", "check", "money_order") for t in checked)
        return self.spooler.after_sale(sold, job_id, doc, opens_drawer=cash_like)

    def _write_receipt(
        self,
        conn: sa.Connection,
        user: User,
        session: drawer.Session,
        lines: list[PricedLine],
        checked: list[TenderRequest],
        total: Money,
        change: Money,
        payer: str,
    ) -> tuple[ReceiptView, dict[str, Any]]:
        """Write the receipt, its lines, tenders and journal entry; return it and the seals of
        those rows for its audit record (``ledger/evidence.py``)."""
        seq = next_number(conn, self.st.workstation, "receipt")
        receipt_no = ReceiptNo(f"{self.st.workstation}-{seq:06d}")
        now = self.st.now()
        receipt = {
            "receipt_no": receipt_no,
            "workstation": self.st.workstation,
            "seq": seq,
            "session_id": session.id,
            "cashier": user.login,
            "payer": payer,
            "created_at": now.isoformat(),
            "business_date": session.business_date,
            "total_cents": total.cents,
            "change_cents": change.cents,
        }
        receipt_id = sales.add_receipt(conn, receipt)
        line_rows = [
            {
                "receipt_id": receipt_id,
                "line_no": i,
                "code": line.code,
                "ref": line.ref,
                "description": line.description,
                "qty": line.qty,
                "amount_cents": line.amount.cents,
            }
            for i, line in enumerate(lines, 1)
        ]
        sales.add_lines(conn, line_rows)
        tender_rows = [
            {
                "receipt_id": receipt_id,
                "kind": t.kind,
                "amount_cents": t.amount.cents,
                "number": t.number,
                "auth": t.auth,
                "last4": t.last4,
            }
            for t in checked
        ]
        sales.add_tenders(conn, tender_rows)
        entry: list[tuple[str, Money]] = []
        by_tender = tender_sums(checked)
        by_tender["cash"] = by_tender.get("cash", Money(0)) - change
        entry.extend((drawer_account(kind), amount) for kind, amount in by_tender.items())
        for line in lines:
            entry.extend((acct, -share) for acct, share in line.gl())
        post_entry(
            conn,
            session_id=session.id,
            kind="sale",
            at=now.isoformat(),
            lines=entry,
            receipt_id=receipt_id,
        )
        sealed = evidence.seals(
            receipts=[evidence.row_of("receipts", receipt)],
            receipt_lines=[evidence.row_of("receipt_lines", r) for r in line_rows],
            tenders=[evidence.row_of("tenders", r) for r in tender_rows],
            postings=evidence.entry_rows(session.id, "sale", entry),
        )
        view = ReceiptView(
            id=receipt_id,
            receipt_no=receipt_no,
            workstation=self.st.workstation,
            session_id=session.id,
            cashier=user.login,
            payer=payer,
            created_at=now.isoformat(),
            business_date=session.business_date,
            total=total,
            change=change,
            lines=tuple(LineView(x.description, x.code, x.ref, x.qty, x.amount) for x in lines),
            tenders=tuple(TenderView(t.kind, t.amount, t.number, t.auth, t.last4) for t in checked),
            voided=False,
            void_reason=None,
        )
        return view, sealed

    # -- corrections -----------------------------------------------------------------------

    def void(
        self, receipt_no: ReceiptNo, approver: str, approver_pin: str, reason: str
    ) -> tuple[ReceiptNo, Money, bool]:
        number = text(receipt_no, "the receipt number", max_len=40)
        why = text(reason, "the reason")
        with self.st.ledger.read() as conn:
            user, session = self.st.need_session(conn)
            self._voidable(conn, number, session)
        approver_user = self.st.approver(approver, approver_pin, "void", not_={user.login})
        with self.st.ledger.write() as conn:
            user, session = self.st.need_session(conn)
            recheck_approver(conn, approver_user, not_={user.login, session.cashier})
            receipt_id, total = self._voidable(conn, number, session)
            now = self.st.now().isoformat()
            void_row = {"approver": approver_user.login, "reason": why, "voided_at": now}
            sales.add_void(conn, receipt_id, void_row)
            taken_back = self.pricing.programs.void(conn, number, now)
            reversal = [(a, -m) for a, m in sales.sale_postings(conn, receipt_id)]
            post_entry(
                conn,
                session_id=session.id,
                kind="void",
                at=now,
                lines=reversal,
                receipt_id=receipt_id,
            )
            sealed = evidence.seals(
                voids=[evidence.row_of("voids", void_row)],
                postings=evidence.entry_rows(session.id, "void", reversal),
            )
            job_id, doc = self.spooler.queue_print(conn, number, receipt_id, "void")
            self.st.audit(
                conn,
                "void",
                number,
                {
                    "approver": approver_user.login,
                    "reason": why,
                    "total": str(total),
                    **({"programs_voided": taken_back} if taken_back else {}),
                    **sealed,
                },
            )
        printed = self.spooler.print_job(job_id, doc)
        self.st.events.publish(ReceiptVoided(ReceiptNo(number)))
        return ReceiptNo(number), total, printed

    @staticmethod
    def _voidable(conn: sa.Connection, number: str, session: drawer.Session) -> tuple[int, Money]:
        row = sales.receipt_for_void(conn, number)
        if row is None:
            raise Refusal("unknown_receipt", f"There is no receipt {number}.")
        if row.session_id != session.id:
            raise Refusal(
                "not_in_session",
                f"{number} is not from your open drawer session; after close use a refund.",
            )
        if sales.is_voided(conn, row.id):
            raise Refusal("already_voided", f"{number} is already void.")
        # The cash the sale brought in goes back to the customer from this drawer.
        cash_back = sales.cash_taken(conn, row.id).cents
        available = drawer.expected_cash_in_drawer(conn, session)
        if int(cash_back) > available.cents:
            raise Refusal(
                "more_than_drawer",
                f"Voiding {number} gives back {Money(int(cash_back))} in cash, but the drawer "
                f"should hold only {available}; bring cash back from the safe first.",
            )
        return int(row.id), Money(row.total_cents)
