"""Closing: the blind count, the lead's approval and the end-of-day closeout."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.desk.backing_up import back_up_after_closeout
from cashier_desk.desk.papers import PapersWritten, Paperwork
from cashier_desk.desk.printing import Spooler
from cashier_desk.desk.requests import (
    BlindCount,
    CloseResult,
    amounts_in_range,
    check_count,
    iso_day,
    positive,
    text,
)
from cashier_desk.desk.station import Station
from cashier_desk.errors import Refusal
from cashier_desk.events import CloseApproved, CloseoutDone, CloseRejected, DrawerClosed
from cashier_desk.ids import BatchId, SessionId
from cashier_desk.ledger import audit, closeout, closes, drawer, evidence, item_programs
from cashier_desk.ledger.approvals import recheck_approver
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.ledger.drawer_report import DrawerReport, drawer_report
from cashier_desk.ledger.item_programs import ContestRecord
from cashier_desk.ledger.over_short import OverShort, over_short_history
from cashier_desk.ledger.payments import ItemPayment, item_payments
from cashier_desk.ledger.posting import TENDER_KINDS, drawer_account, post_entry
from cashier_desk.ledger.schema import (
    drawer_sessions,
)
from cashier_desk.money import Money
from cashier_desk.reports.deposit import CloseoutPapers
from cashier_desk.reports.drawer import drawer_report_slip
from cashier_desk.reports.exports import ExportFile


class Closing:
    """Blind counts, approvals, the closeout and its papers (see the module's docstring)."""

    def __init__(self, station: Station, spooler: Spooler) -> None:
        self.st = station
        self.spooler = spooler

    # -- close -----------------------------------------------------------------------------

    def close_drawer(self, count: BlindCount) -> CloseResult:
        with amounts_in_range():
            return self._close_drawer(count)

    def _close_drawer(self, count: BlindCount) -> CloseResult:
        cash = Money(0)
        for denom, n in count.cash.items():
            if denom not in drawer.DENOMINATIONS:
                raise Refusal("bad_denomination", f"{denom} is not a denomination of the drawer.")
            cash += denom * check_count(n, f"the count of {denom}", low=0, high=100000)
        counted = {"cash": cash, "card": count.card}
        if count.card.is_negative():
            raise Refusal("bad_amount", "The card batch total may not be negative.")
        for kind, items in (("check", count.checks), ("money_order", count.money_orders)):
            what = "check" if kind == "check" else "money order"
            for item in items:
                text(item.number, f"the {what} number", max_len=40)
                self.st.at_most(positive(item.amount, f"A counted {what}"), f"a counted {what}")
            counted[kind] = Money(sum(i.amount.cents for i in items))
        with self.st.ledger.write() as conn:
            session, count_no = self._session_to_count(conn)
            within = self._within_what_was_taken
            within(conn, session.id, "cash", cash, "the cash counted")
            within(conn, session.id, "card", count.card, "the card batch total")
            # What the drawer should hold: every entry but the over/short of an earlier count.
            balances = drawer.drawer_balances(conn, session.id)
            earlier = drawer.drawer_balances(conn, session.id, kinds=("over_short",))
            expected = {k: balances[k] - earlier[k] for k in TENDER_KINDS}
            expected["cash"] += session.opening
            over_short = {k: counted[k] - expected[k] for k in TENDER_KINDS}
            tolerance = self.st.config.over_short_tolerance
            needs = any(over_short[k] for k in TENDER_KINDS if k != "cash") or (
                abs(over_short["cash"].cents) > tolerance.cents
            )
            now = self.st.now().isoformat()
            close = {
                "session_id": session.id,
                "count_no": count_no,
                "closed_at": now,
                "counted": json.dumps(self._count_json(count), sort_keys=True),
                "needs_approval": needs,
            }
            counts = [
                {
                    "session_id": session.id,
                    "count_no": count_no,
                    "tender": k,
                    "expected_cents": expected[k].cents,
                    "counted_cents": counted[k].cents,
                }
                for k in TENDER_KINDS
            ]
            closes.add_close(conn, close, counts)
            entries = self._post_over_short(conn, session.id, over_short, now)
            details: dict[str, Any] = {
                "counted": {k: str(v) for k, v in counted.items()},
                "over_short": {k: str(v) for k, v in over_short.items()},
                "needs_approval": needs,
                "count": count_no,
                "entries": [eid for eid, _ in entries],
                **evidence.seals(
                    drawer_closes=[evidence.row_of("drawer_closes", close)],
                    close_counts=sorted(evidence.row_of("close_counts", c) for c in counts),
                    postings=[row for _, rows in entries for row in rows],
                ),
            }
            self.st.audit(conn, "close_drawer", session.id, details)
        self.st.events.publish(DrawerClosed(session.id, needs))
        return CloseResult(session.id, over_short, needs)

    def session_to_count(self) -> drawer.Session | None:
        """The logged-in person's session that the close screen counts: the open one, or the
        one whose count a lead sent back (its state then says ``recount``)."""
        if self.st.user is None:
            return None
        with self.st.ledger.read() as conn:
            try:
                return self._session_to_count(conn)[0]
            except Refusal:
                return None

    def sent_back(self, session_id: SessionId) -> tuple[str, str] | None:
        """Who sent the session's count back for a recount, and why (the cashier is told)."""
        self.st.need_user()
        with self.st.ledger.read() as conn:
            return closes.sent_back(conn, session_id)

    def _within_what_was_taken(
        self, conn: sa.Connection, session_id: str, tender: str, amount: Money, what: str
    ) -> None:
        """Refuse ``amount_too_large`` a count of ``tender`` more than the payments of it this
        drawer took (each at most ``[policy] max_amount``; cash also its opening fund) could
        make.  Each counted check and money order is limited on its own; a cash or card total
        is one figure for many payments, so a busy drawer's honest count always closes."""
        limit = self.st.config.max_amount
        taken = drawer.pieces_taken(conn, session_id, tender)
        fund = " and its opening fund" if tender == "cash" else ""
        if amount > limit * max(1, taken + bool(fund)):
            raise Refusal(
                "amount_too_large",
                f"{what[:1].upper()}{what[1:]} ({amount}) is more than this drawer's {taken} "
                f"{tender} payment(s){fund} could hold, at most {limit} each ([policy] "
                "max_amount); nothing was saved.",
            )

    def _session_to_count(self, conn: sa.Connection) -> tuple[drawer.Session, int]:
        """The logged-in cashier's open session (its first count), or the session whose count
        a lead sent back (the next count)."""
        user = self.st.need_user()
        session = drawer.open_session_of_cashier(conn, user.login)
        if session is not None and session.workstation == self.st.workstation:
            return session, 1
        session = drawer.recount_of_cashier(conn, user.login)
        if session is None or session.workstation != self.st.workstation:
            raise Refusal("no_open_drawer", f"{user.name} has no drawer open on this workstation.")
        return session, drawer.count_of(conn, session.id) + 1

    def _post_over_short(
        self, conn: sa.Connection, session_id: str, over_short: dict[str, Money], now: str
    ) -> list[tuple[int, list[tuple[str, str, str, int]]]]:
        """Post the count's over/short; the over/short of a count sent back is reversed first
        by a new entry (nothing posted is ever changed), so only the deciding count's stands.
        Returns each entry's id and its sealed rows (``ledger/evidence.py``)."""
        posted = []
        standing = drawer.over_short_postings(conn, session_id)
        if any(standing.values()):
            reversal = [(account, -amount) for account, amount in standing.items()]
            eid = post_entry(conn, session_id=session_id, kind="over_short", at=now, lines=reversal)
            posted.append((eid, evidence.entry_rows(session_id, "over_short", reversal)))
        if any(over_short.values()):
            account = self.st.config.over_short_account
            lines: list[tuple[str, Money]] = [
                (drawer_account(k), over_short[k]) for k in TENDER_KINDS
            ]
            lines.append((account, -Money(sum(m.cents for m in over_short.values()))))
            eid = post_entry(conn, session_id=session_id, kind="over_short", at=now, lines=lines)
            posted.append((eid, evidence.entry_rows(session_id, "over_short", lines)))
        return posted

    @staticmethod
    def _count_json(count: BlindCount) -> dict[str, Any]:
        return {
            "cash": {str(d): n for d, n in count.cash.items()},
            "checks": [{"number": c.number, "amount": str(c.amount)} for c in count.checks],
            "money_orders": [
                {"number": c.number, "amount": str(c.amount)} for c in count.money_orders
            ],
            "card": str(count.card),
        }

    def close_figures(self, session_id: str) -> dict[str, tuple[Money, Money, Money]]:
        """A closed session's (expected, counted, over/short) per tender, of its deciding
        (newest) count — for the lead who approves it.  Never shown to the cashier before the
        blind count is in."""
        with self.st.ledger.read() as conn:
            figures = closes.deciding_figures(conn, session_id)
        if not figures:
            raise Refusal("unknown_session", f"Session {session_id} has no close yet.")
        return figures

    def approve_close(
        self, session_id: SessionId | None, approver: str, approver_pin: str, comment: str
    ) -> SessionId:
        note = text(comment, "the comment", max_len=500)
        with self.st.ledger.read() as conn:
            session = self._awaiting(conn, session_id)
        approver_user = self.st.approver(
            approver, approver_pin, "approve_close", not_={session.cashier}
        )
        with self.st.ledger.write() as conn:
            session = self._awaiting(conn, session.id)
            recheck_approver(conn, approver_user, not_={session.cashier})
            row = {"approver": approver_user.login, "comment": note}
            row["approved_at"] = self.st.now().isoformat()
            closes.add_approval(conn, session.id, row)
            sealed = evidence.seals(close_approvals=[evidence.row_of("close_approvals", row)])
            self.st.audit(
                conn,
                "approve_close",
                session.id,
                {"comment": note, **sealed},
                actor=approver_user.login,
            )
        self.st.events.publish(CloseApproved(session.id))
        return session.id

    def reject_close(
        self, session_id: SessionId | None, approver: str, approver_pin: str, comment: str
    ) -> tuple[SessionId, int]:
        """A lead sends a close awaiting approval back: the cashier counts the drawer again
        (``close_drawer``), and the new count decides.  Every count is kept.  Returns the
        session and the number of the count sent back."""
        note = text(comment, "the comment", max_len=500)
        with self.st.ledger.read() as conn:
            session = self._awaiting_recount(conn, session_id)
        approver_user = self.st.approver(
            approver, approver_pin, "reject_close", not_={session.cashier}
        )
        with self.st.ledger.write() as conn:
            session = self._awaiting_recount(conn, session.id)
            recheck_approver(conn, approver_user, not_={session.cashier})
            count_no = drawer.count_of(conn, session.id)
            row: dict[str, Any] = {"count_no": count_no, "approver": approver_user.login}
            row.update(comment=note, rejected_at=self.st.now().isoformat())
            closes.add_rejection(conn, session.id, row)
            sealed = evidence.seals(close_rejections=[evidence.row_of("close_rejections", row)])
            self.st.audit(
                conn,
                "reject_close",
                session.id,
                {"comment": note, "count": count_no, "cashier": session.cashier, **sealed},
                actor=approver_user.login,
            )
        self.st.events.publish(CloseRejected(session.id))
        return session.id, count_no

    def _awaiting_recount(self, conn: sa.Connection, session_id: object) -> drawer.Session:
        try:
            return self._awaiting(conn, session_id)
        except Refusal as exc:
            # The contract: anything but a close awaiting approval is not_awaiting_approval
            # (no such session, or none awaiting, included); the message says which.
            if exc.code in ("nothing_to_approve", "unknown_session"):
                raise Refusal("not_awaiting_approval", exc.message) from None
            raise

    def _awaiting(self, conn: sa.Connection, session_id: object) -> drawer.Session:
        if session_id is None:
            waiting = [
                s
                for s in drawer.sessions(conn, drawer_sessions.c.workstation == self.st.workstation)
                if s.state == drawer.AWAITING_APPROVAL
            ]
            if not waiting:
                raise Refusal("nothing_to_approve", "No drawer close is awaiting approval.")
            closed_at = closes.closed_at(conn, [s.id for s in waiting])
            return max(waiting, key=lambda s: (closed_at[s.id], s.id))
        sid = text(session_id, "the session", max_len=40)
        session = drawer.get_session(conn, sid)
        if session is None or session.workstation != self.st.workstation:
            raise Refusal("unknown_session", f"There is no drawer session {sid} here.")
        if session.state != drawer.AWAITING_APPROVAL:
            raise Refusal("not_awaiting_approval", f"Session {sid} is not awaiting approval.")
        return session

    # -- end of day ------------------------------------------------------------------------

    def closeout(
        self, business_date: str | None, approver: str, approver_pin: str
    ) -> closeout.Closeout:
        day = self.st.business_date() if business_date is None else business_date
        day = iso_day(day)
        self.st.ledger_whole()
        with self.st.ledger.read() as conn:
            cashiers = closeout.check_ready(conn, self.st.workstation, day)
        approver_user = self.st.approver(approver, approver_pin, "closeout", not_=cashiers)
        with self.st.ledger.write() as conn:
            cashiers = closeout.check_ready(conn, self.st.workstation, day)
            recheck_approver(conn, approver_user, not_=cashiers)
            result = closeout.close_out(
                conn,
                workstation=self.st.workstation,
                business_date=day,
                approver=approver_user.login,
                over_short_account=self.st.config.over_short_account,
                now=self.st.now().isoformat(),
            )
            self.st.audit(
                conn,
                "closeout",
                result.batch,
                {
                    "date": day,
                    "receipts": result.receipts,
                    "deposit": str(result.deposit_total),
                    **closeout.sealed(conn, result.batch),
                },
                actor=approver_user.login,
            )
            # The chain's head, its own record included, goes on the closeout slip.
            result = dataclasses.replace(result, audit_head=audit.head(conn))
        result = back_up_after_closeout(
            self.st.ledger, self.st.config, self.st.workstation, self.st.now(), result
        )
        self.st.events.publish(CloseoutDone(BatchId(result.batch)))
        return result

    # -- the closeout's papers (desk/papers.py) --------------------------------------------

    def _paperwork(self) -> Paperwork:
        return Paperwork(
            data_dir=self.st.ledger.path.parent,
            config=self.st.config,
            workstation=self.st.workstation,
            columns=lambda: self.st.printer.columns,
            print_document=self.spooler.print_document,
            item_payments=self.item_payments,
            contests_on=self.day_contests,
        )

    def closeout_papers(self, result: Closeout, *, again: bool = False) -> PapersWritten:
        """The batch's PDFs (``reports``), exports (``exports``) and closeout slip (printed;
        marked REPRINT when ``again``): the one way every caller makes them."""
        return self._paperwork().closeout_papers(result, again=again)

    def save_closeout_pdfs(self, result: Closeout, folder: Path | None = None) -> CloseoutPapers:
        """The deposit slip and the summary again, in ``folder`` or the data folder's
        ``reports``."""
        return self._paperwork().save_pdfs(result, folder)

    def write_closeout_exports(
        self, result: Closeout, folder: Path | None = None
    ) -> list[ExportFile]:
        """The GL journal and payments files again, in ``folder`` or the data folder's
        ``exports``."""
        return self._paperwork().write_exports(result, folder)

    def drawer_report(self, session_id: SessionId) -> DrawerReport:
        """The report of a closed drawer session (refused while it is open: the count is
        blind)."""
        self.st.need_user()
        sid = text(session_id, "the session", max_len=40)
        with self.st.ledger.read() as conn:
            report = drawer_report(conn, sid)
        if report is None:
            raise Refusal("unknown_session", f"Session {sid} is not closed (or does not exist).")
        return report

    def print_drawer_report(self, session_id: SessionId) -> bool:
        """Print the drawer report of a closed session; True when the printer took it."""
        report = self.drawer_report(session_id)
        slip = drawer_report_slip(
            report,
            city=self.st.config.city,
            columns=self.st.printer.columns,
            timezone=self.st.config.timezone,
        )
        return self.spooler.print_document(slip)

    def over_short_history(self, date_from: str, date_to: str) -> list[OverShort]:
        """Every closed drawer session of the period (business dates, inclusive): its
        over/short per tender and who approved it."""
        days: list[str] = []
        for day in (date_from, date_to):
            day = iso_day(day)
            days.append(day)
        start, end = days
        if start > end:
            raise Refusal("bad_date", f"The period ends ({end}) before it starts ({start}).")
        with self.st.ledger.read() as conn:
            return over_short_history(conn, start, end)

    def item_payments(self, batch_id: str) -> list[ItemPayment]:
        """The payments on open items in a batch, for the systems the items came from."""
        with self.st.ledger.read() as conn:
            return item_payments(conn, batch_id)

    def day_contests(self, business_date: str) -> list[ContestRecord]:
        """The contests this workstation recorded on a business date."""
        with self.st.ledger.read() as conn:
            return item_programs.contests_on(conn, self.st.workstation, business_date)

    def day_closeouts(self, business_date: str | None = None) -> list[Closeout]:
        """The closeouts of a business date (today by default), oldest first, as they were
        made: for their papers again."""
        day = self.st.business_date() if business_date is None else business_date
        day = iso_day(day)
        with self.st.ledger.read() as conn:
            return closeout.closeouts_of(conn, self.st.workstation, day)
