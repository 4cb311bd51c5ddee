"""Cash that leaves the drawer, under control: drops to the safe (with the bag number on the
drop slip), paid-outs (to the GL accounts allowed, a lead's approval above the limit, a
petty-cash voucher to sign) and no-sales.  Each is one transaction that posts a balanced
journal entry and an audit record; the slip prints and the drawer opens after the commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from cashier_desk.config import local_time
from cashier_desk.desk.printing import Spooler
from cashier_desk.desk.requests import CashMovement, check_count, positive, text
from cashier_desk.desk.station import Station
from cashier_desk.devices.cash_slips import drop_slip, paid_out_voucher
from cashier_desk.errors import Refusal
from cashier_desk.events import DrawerMovement, DrawerOpened
from cashier_desk.ids import SessionId
from cashier_desk.ledger import drawer, evidence
from cashier_desk.ledger.approvals import recheck_approver
from cashier_desk.ledger.auth import User
from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.posting import SAFE_CASH, drawer_account, post_entry
from cashier_desk.money import GlAccount, Money, MoneyError, parse_gl_account


class Cash:
    """The drawer's cash (see the module's docstring)."""

    def __init__(self, station: Station, spooler: Spooler) -> None:
        self.st = station
        self.spooler = spooler

    def open_drawer(self, drawer_id: str, opening: Mapping[Money, int]) -> drawer.Session:
        self.st.ledger_whole()
        user = self.st.need_user()
        name = text(drawer_id, "the drawer id", max_len=40)
        counts: dict[Money, int] = {}
        for denom, count in opening.items():
            if denom not in drawer.DENOMINATIONS:
                raise Refusal("bad_denomination", f"{denom} is not a denomination of the drawer.")
            counts[denom] = check_count(count, f"the count of {denom}", low=0, high=100000)
            self.st.at_most(denom * counts[denom], f"the opening count of {denom}")
        fund = self.st.at_most(Money(sum(d.cents * n for d, n in counts.items())), "the opening")
        with self.st.ledger.write() as conn:
            if drawer.open_session_of_cashier(conn, user.login) is not None:
                raise Refusal("drawer_already_open", f"{user.name} already has a drawer open.")
            recount = drawer.recount_of_cashier(conn, user.login)
            if recount is not None:
                raise Refusal(
                    "recount_pending",
                    f"A lead sent the count of drawer {recount.drawer} back: count it again "
                    "(close drawer) before opening another.",
                )
            if drawer.open_session_of_drawer(conn, self.st.workstation, name) is not None:
                raise Refusal("drawer_in_use", f"Drawer {name} is already open.")
            n = next_number(conn, self.st.workstation, "session")
            sid = SessionId(f"{self.st.workstation}-S{n:06d}")
            now = self.st.now()
            row = {
                "id": sid,
                "workstation": self.st.workstation,
                "drawer": name,
                "cashier": user.login,
                "business_date": local_time(now, self.st.config.timezone).date().isoformat(),
                "opened_at": now.isoformat(),
                "opening_cents": fund.cents,
                "opening_counts": drawer.opening_counts_json(counts),
            }
            drawer.add_session(conn, row)
            sealed = evidence.seals(drawer_sessions=[evidence.row_of("drawer_sessions", row)])
            details = {"drawer": name, "opening": str(fund), **sealed}
            self.st.audit(conn, "open_drawer", sid, details)
            session = drawer.get_session(conn, sid)
        if session is None:  # pragma: no cover - just written in the same transaction
            raise RuntimeError("the drawer session vanished")
        self.st.events.publish(DrawerOpened(session.id))
        return session

    def current_session(self) -> drawer.Session | None:
        if self.st.user is None:
            return None
        with self.st.ledger.read() as conn:
            return drawer.open_session_of_cashier(conn, self.st.user.login)

    # -- cash movements --------------------------------------------------------------------

    def _movement(
        self,
        kind: str,
        amount: Money,
        reason: str,
        gl: GlAccount | None,
        *,
        bag: str | None = None,
        approver: User | None = None,
    ) -> drawer.Movement:
        with self.st.ledger.write() as conn:
            user, session = self.st.need_session(conn)
            if approver is not None:
                recheck_approver(conn, approver, not_={user.login, session.cashier})
            if amount:
                self._cash_for(conn, session, amount)
            now = self.st.now().isoformat()
            row: dict[str, Any] = {
                "session_id": session.id,
                "kind": kind,
                "amount_cents": amount.cents,
                "reason": reason,
                "gl": gl,
                "at": now,
                "bag": bag,
                "approver": None if approver is None else approver.login,
            }
            movement_id = drawer.add_movement(conn, row)
            cash = drawer_account("cash")
            lines: list[tuple[str, Money]] = []
            if kind == "drop":
                lines = [(SAFE_CASH, amount), (cash, -amount)]
            elif kind == "paid_out" and gl is not None:
                lines = [(gl, amount), (cash, -amount)]
            details: dict[str, Any] = {"session": session.id, "reason": reason}
            details["movement"] = movement_id
            sealed = {
                "drawer_movements": [
                    evidence.row_of("drawer_movements", {**row, "id": movement_id})
                ]
            }
            if lines:
                details["entry"] = post_entry(
                    conn, session_id=session.id, kind=kind, at=now, lines=lines
                )
                sealed["postings"] = evidence.entry_rows(session.id, kind, lines)
            if amount:
                details["amount"] = str(amount)
            if gl:
                details["gl"] = gl
            if bag:
                details["bag"] = bag
            if approver:
                details["approver"] = approver.login
            details.update(evidence.seals(**sealed))
            self.st.audit(conn, kind, session.id, details)
            movement = drawer.load_movement(conn, movement_id)
        if movement is None:  # pragma: no cover - just written in the same transaction
            raise RuntimeError("the drawer movement vanished")
        self.st.cash_drawer.open_drawer()
        self.st.events.publish(DrawerMovement(kind, amount))
        return movement

    @staticmethod
    def _cash_for(conn: sa.Connection, session: drawer.Session, amount: Money) -> None:
        available = drawer.expected_cash_in_drawer(conn, session)
        if amount > available:
            raise Refusal(
                "more_than_drawer",
                f"The drawer should hold only {available} in cash; {amount} is more than that.",
            )

    def _print_slip(self, movement: drawer.Movement) -> bool:
        """The drop slip or petty-cash voucher, on the receipt printer (after the commit)."""
        layout = paid_out_voucher if movement.kind == "paid_out" else drop_slip
        doc = layout(
            movement,
            city=self.st.config.city,
            columns=self.st.printer.columns,
            timezone=self.st.config.timezone,
        )
        return self.spooler.print_document(doc)

    def drop(self, amount: Money, bag: str | None = None) -> CashMovement:
        """Cash from the drawer to the safe; ``bag`` is the bag or envelope number, printed on
        the drop slip."""
        bag_no = text(bag, "the bag number", max_len=40, required=False) or None
        self.st.at_most(positive(amount, "The drop"), "the drop")
        movement = self._movement("drop", amount, "drop to safe", None, bag=bag_no)
        return CashMovement(movement, self._print_slip(movement))

    def paid_out(
        self,
        amount: Money,
        reason: str,
        gl: str,
        approver: str | None = None,
        approver_pin: str | None = None,
    ) -> CashMovement:
        """Petty cash out of the drawer, charged to a GL account allowed for paid-outs
        (``[policy] paid_out_accounts``); above ``[policy] paid_out_limit`` a lead (not the
        cashier) approves.  A petty-cash voucher prints."""
        why = text(reason, "the reason")
        try:
            account = parse_gl_account(gl)
        except MoneyError as exc:
            raise Refusal("bad_gl", f"{exc}.") from None
        self.st.at_most(positive(amount, "The paid-out"), "the paid-out")
        with self.st.ledger.read() as conn:
            user, session = self.st.need_session(conn)
            allowed = self.st.config.paid_out_accounts
            if allowed and account not in allowed:
                raise Refusal(
                    "gl_not_allowed",
                    f"A paid-out may not be charged to {account}; the accounts allowed are "
                    f"{', '.join(allowed)}.",
                )
            self._cash_for(conn, session, amount)
        limit = self.st.config.paid_out_limit
        if amount > limit and not approver:
            raise Refusal(
                "approval_required",
                f"A paid-out above {limit} needs a lead's approval (login and PIN).",
            )
        lead = None
        if approver or approver_pin:  # credentials given are checked, needed or not
            lead = self.st.approver(approver, approver_pin, "paid_out", not_={user.login})
        movement = self._movement("paid_out", amount, why, account, approver=lead)
        return CashMovement(movement, self._print_slip(movement))

    def no_sale(self, reason: str) -> None:
        self._movement("no_sale", Money(0), text(reason, "the reason"), None)
