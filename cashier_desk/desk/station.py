"""The station: what every service of the Desk shares — the ledger, the configuration, the
workstation's id, its devices, the clock, the event bus, central's relay, and who is logged in
— and the checks every use case makes with them (time, audit, limits, people, approvals)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cashier_desk.config import Config, local_time
from cashier_desk.desk.requests import Clock, PricedLine, not_over, system_clock, typed
from cashier_desk.devices.base import CashDrawer, ReceiptPrinter
from cashier_desk.errors import Refusal
from cashier_desk.events import EventBus
from cashier_desk.ledger import audit, auth, drawer, first_use, health
from cashier_desk.ledger.auth import User
from cashier_desk.ledger.db import Ledger
from cashier_desk.ledger.pins import PinHasher
from cashier_desk.money import Money
from cashier_desk.sync.relay import Relay

log = logging.getLogger(__name__)


class Station:
    """The Desk's shared state (see the module's docstring); every service holds the one
    station of its Desk, so a change here (a login, a new relay) is seen by all of them."""

    def __init__(
        self,
        ledger: Ledger,
        config: Config,
        *,
        workstation: str,
        printer: ReceiptPrinter,
        cash_drawer: CashDrawer,
        clock: Clock = system_clock,
        events: EventBus | None = None,
    ) -> None:
        self.ledger = ledger
        self.config = config
        self.workstation = workstation
        self.printer = printer
        self.cash_drawer = cash_drawer
        self.clock = clock
        self.events = events or EventBus()
        self.user: User | None = None
        self.relay: Relay | None = None  # set by the app when a central database is known
        # PINs are hashed with the city's pepper, a file beside the ledger (or where config says).
        self.pins = PinHasher.for_data_dir(ledger.path.parent, config)

    def now(self) -> datetime:
        return self.clock()

    def business_date(self) -> str:
        return local_time(self.now(), self.config.timezone).date().isoformat()

    def audit(
        self,
        conn: sa.Connection,
        action: str,
        target: str = "",
        details: Mapping[str, Any] | None = None,
        *,
        actor: str | None = None,
        outcome: str = "ok",
    ) -> None:
        audit.append(
            conn,
            at=self.now().isoformat(),
            workstation=self.workstation,
            actor=actor if actor is not None else (self.user.login if self.user else "system"),
            action=action,
            target=target,
            outcome=outcome,
            details=details,
        )

    def at_most(self, amount: Money, what: str) -> Money:
        """``amount``, refused ``amount_too_large`` above ``[policy] max_amount``."""
        return not_over(amount, self.config.max_amount, what)

    def lines_at_most(self, lines: Sequence[PricedLine]) -> None:
        """Refuse ``amount_too_large`` when any one of ``lines`` is above ``[policy]
        max_amount`` (headless.md: no line over it; an item of several lines — a citation and
        its penalties, a TOT return's tax, penalty and interest — may add up past it)."""
        for line in lines:
            self.at_most(line.amount, f"the line {line.description}")

    def need_user(self) -> User:
        if self.user is None:
            raise Refusal("not_logged_in", "Log in first.")
        return self.user

    def ledger_whole(self) -> None:
        """Refuse to take money on a ledger that lost work it had saved (see watermark) or
        whose pages are damaged."""
        if self.ledger.corrupt is not None:
            raise Refusal(
                "ledger_corrupt", health.corrupt_message(self.ledger.path, self.ledger.corrupt)
            )
        if self.ledger.loss is not None:
            raise Refusal("ledger_rolled_back", self.ledger_loss_message())

    def ledger_loss_message(self) -> str:
        known = self.ledger.known.last_receipt() or "none"
        return (
            f"This ledger has lost work it had saved: {self.ledger.loss}. The last receipt it "
            f"knew is {known}. No money can be taken until a supervisor accepts the loss "
            "(cashier-desk ledger accept-loss) or the ledger is restored from a backup."
        )

    def need_session(self, conn: sa.Connection) -> tuple[User, drawer.Session]:
        self.ledger_whole()
        user = self.need_user()
        session = drawer.open_session_of_cashier(conn, user.login)
        if session is None or session.workstation != self.workstation:
            recount = drawer.recount_of_cashier(conn, user.login)
            if recount is not None and recount.workstation == self.workstation:
                raise Refusal(
                    "recount_pending",
                    f"A lead sent the count of drawer {recount.drawer} back: count it again "
                    "(close drawer) first.",
                )
            raise Refusal("no_open_drawer", f"{user.name} has no drawer open on this workstation.")
        return user, session

    def authenticate(
        self, login: str | None, pin: str | None, purpose: str, min_role: str = "cashier"
    ) -> User:
        if not isinstance(login, str) or not isinstance(pin, str) or not login or not pin:
            raise Refusal("bad_credentials", "Give a user name and a PIN.")
        typed(login, "the user name")
        typed(pin, "the PIN")
        return auth.authenticate(
            self.ledger,
            self.pins,
            login,
            pin,
            now=self.now(),
            workstation=self.workstation,
            purpose=purpose,
            min_role=min_role,
        )

    def approver(self, login: str | None, pin: str | None, purpose: str, *, not_: set[str]) -> User:
        """A second person of role lead or above, who is none of ``not_``."""
        if isinstance(login, str) and login in not_:
            raise Refusal(
                "self_approval", "The approver must be a different person (dual control)."
            )
        return self.authenticate(login, pin, purpose, min_role="lead")

    def has_users(self) -> bool:
        with self.ledger.read() as conn:
            return first_use.any_user(conn)
