"""The Desk's foundation: its dependencies, the people at the counter, printing and lookups."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from cashier_desk.config import Config, local_time
from cashier_desk.desk import authority, rules
from cashier_desk.desk.requests import (
    Clock,
    check_count,
    not_over,
    system_clock,
    text,
    typed,
)
from cashier_desk.devices.base import CashDrawer, ReceiptPrinter
from cashier_desk.errors import Refusal
from cashier_desk.events import EventBus
from cashier_desk.ids import Login, SessionId
from cashier_desk.ledger import (
    audit,
    auth,
    crosscheck,
    drawer,
    evidence,
    first_use,
    health,
    imports,
)
from cashier_desk.ledger.approvals import recheck_approver
from cashier_desk.ledger.auth import User
from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.db import Ledger
from cashier_desk.ledger.import_result import Imported, Masked
from cashier_desk.ledger.pins import PinHasher
from cashier_desk.ledger.receipts import ReceiptSummary, ReceiptView, list_receipts, load_receipt
from cashier_desk.ledger.schema import (
    drawer_sessions,
)
from cashier_desk.ledger.watermark import ACCEPTED, ledger_state
from cashier_desk.money import Money
from cashier_desk.sync.relay import Relay
from cashier_desk.text import mask_card_numbers

log = logging.getLogger(__name__)


class DeskBase:
    """The Desk's state and what every use case shares: time, audit, people, printing."""

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
        # One job at a time reaches the printer, whichever thread asks (sale or spooler).
        self._print_lock = threading.Lock()
        self._spool_wake = threading.Event()
        self._spool_stop = threading.Event()
        self._spooler: threading.Thread | None = None
        self._drawer_timer: threading.Timer | None = None
        self._restart_upto = 0  # print jobs left pending by an earlier run print as copies
        self._maybe_printed: set[int] = set()  # ... and jobs printed but not marked printed
        self.relay: Relay | None = None  # set by the app when a central database is known
        # PINs are hashed with the city's pepper, a file beside the ledger (or where config says).
        self.pins = PinHasher.for_data_dir(ledger.path.parent, config)

    # -- helpers ---------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock()

    def business_date(self) -> str:
        return local_time(self._now(), self.config.timezone).date().isoformat()

    def _audit(
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
            at=self._now().isoformat(),
            workstation=self.workstation,
            actor=actor if actor is not None else (self.user.login if self.user else "system"),
            action=action,
            target=target,
            outcome=outcome,
            details=details,
        )

    def _at_most(self, amount: Money, what: str) -> Money:
        """``amount``, refused ``amount_too_large`` above ``[policy] max_amount``."""
        return not_over(amount, self.config.max_amount, what)

    def _need_user(self) -> User:
        if self.user is None:
            raise Refusal("not_logged_in", "Log in first.")
        return self.user

    def _ledger_whole(self) -> None:
        """Refuse to take money on a ledger that lost work it had saved (see watermark) or
        whose pages are damaged."""
        if self.ledger.corrupt is not None:
            raise Refusal(
                "ledger_corrupt", health.corrupt_message(self.ledger.path, self.ledger.corrupt)
            )
        if self.ledger.loss is not None:
            raise Refusal("ledger_rolled_back", self.ledger_loss_message())

    def now(self) -> datetime:
        """The Desk's clock (a test's fixed clock, or the real one)."""
        return self._now()

    def data_dir(self) -> Path:
        """The data folder: the ledger, its papers (``reports``, ``exports``) and backups."""
        return self.ledger.path.parent

    def receipt_columns(self) -> int:
        """How many characters a line of the receipt printer holds."""
        return self.printer.columns

    def ledger_lost_work(self) -> bool:
        """Whether the ledger lost work it had saved and no supervisor has accepted it yet."""
        return self.ledger.loss is not None

    def ledger_loss_message(self) -> str:
        known = self.ledger.known.last_receipt() or "none"
        return (
            f"This ledger has lost work it had saved: {self.ledger.loss}. The last receipt it "
            f"knew is {known}. No money can be taken until a supervisor accepts the loss "
            "(cashier-desk ledger accept-loss) or the ledger is restored from a backup."
        )

    def _need_session(self, conn: sa.Connection) -> tuple[User, drawer.Session]:
        self._ledger_whole()
        user = self._need_user()
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

    def _authenticate(
        self, login: object, pin: object, purpose: str, min_role: str = "cashier"
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
            now=self._now(),
            workstation=self.workstation,
            purpose=purpose,
            min_role=min_role,
        )

    def _approver(self, login: object, pin: object, purpose: str, *, not_: set[str]) -> User:
        """A second person of role lead or above, who is none of ``not_``."""
        if isinstance(login, str) and login in not_:
            raise Refusal(
                "self_approval", "The approver must be a different person (dual control)."
            )
        return self._authenticate(login, pin, purpose, min_role="lead")

    # -- people ----------------------------------------------------------------------------

    def login(self, login: object, pin: object) -> User:
        user = self._authenticate(login, pin, "login")
        with self.ledger.write() as conn:
            if self.user is not None and self.user.login != user.login:
                self._audit(conn, "logout", self.user.login)
            self.user = user
            self._audit(conn, "login", user.login, {"role": user.role})
        self.events.publish("user_changed", user=user)
        return user

    def has_users(self) -> bool:
        with self.ledger.read() as conn:
            return first_use.any_user(conn)

    def create_first_admin(self, login: object, name: object, pin: object) -> User:
        """The first person of a new data dir, an admin, made at the window (there is no one
        to ask yet) and logged in; refused (``users_exist``) once anyone exists."""
        checked, full_name = first_use.check_login(login), first_use.check_name(name)
        checked_pin = first_use.check_pin(pin, self.config.min_pin_length)
        pin_hash = auth.hash_new_pin(self.ledger, self.pins, checked_pin)  # before the write
        with self.ledger.write() as conn:
            user = first_use.add_first_admin(conn, checked, full_name, pin_hash)
            self._audit(conn, "first_admin", user.login, {"role": "admin"}, actor=user.login)
            self._audit(conn, "login", user.login, {"role": user.role}, actor=user.login)
            self.user = user
        self.events.publish("user_changed", user=user)
        return user

    def unlock(self, login: object, pin: object, locked_for: str | None) -> User:
        """Unlock a locked counter: the same person's PIN, or a lead or above who takes over.
        Anyone else is refused and the counter stays locked."""
        if locked_for is not None and login != locked_for:
            user = self._authenticate(login, pin, "unlock", min_role="lead")
            with self.ledger.write() as conn:
                user = recheck_approver(conn, user, not_=(), min_role="lead")
                self._audit(conn, "takeover", user.login, {"from": locked_for}, actor=user.login)
            self.user = user
            self.events.publish("user_changed", user=user)
            return user
        return self.login(login, pin)

    def unlock_user(self, login: object, approver: object, approver_pin: object) -> User:
        """A lead or above clears the lockout of a login (after five wrong PINs); the lead
        must be someone else, of a role at least the locked person's.  Audited."""
        who = text(login, "the user to unlock", max_len=40)
        with self.ledger.read() as conn:
            user = auth.get_user(conn, who)
            if user is None:
                raise Refusal("unknown_user", f"There is no user {who!r}.")
            auth.check_locked(conn, user, self._now())
        lead = self._approver(approver, approver_pin, "unlock_user", not_={user.login})
        if not lead.at_least(user.role):
            with self.ledger.write() as conn:  # an attempted override leaves a trace
                self._audit(
                    conn,
                    "override_refused",
                    lead.login,
                    {"purpose": "unlock_user", "role": lead.role, "needs": user.role},
                    actor=lead.login,
                    outcome="refused",
                )
            raise Refusal(
                "not_authorized",
                f"{user.name} is a {user.role}; only a {user.role} or above may unlock the login.",
            )
        with self.ledger.write() as conn:
            # The locked person's role too is read again: a lead may not unlock a supervisor.
            now_user = auth.get_user(conn, user.login) or user
            needs = max(now_user.role, "lead", key=auth.role_rank)
            lead = recheck_approver(conn, lead, not_={user.login}, min_role=needs)
            until = auth.check_locked(conn, user, self._now())
            auth.clear_lockout(conn, user.login)
            self._audit(conn, "unlock_user", user.login, {"locked_until": until}, actor=lead.login)
        self.events.publish("user_unlocked", user=user.login)
        return user

    def logout(self) -> None:
        user = self._need_user()
        with self.ledger.write() as conn:
            self._audit(conn, "logout", user.login)
        self.user = None
        self.events.publish("user_changed", user=None)

    # -- drawer ----------------------------------------------------------------------------

    def accept_ledger_loss(self, login: object, pin: object) -> str:
        """A supervisor accepts that the ledger lost work: numbering continues after the last
        receipt the mark knew (so no printed number is issued twice) and the gap is audited.
        Returns the last receipt number that was known."""
        if self.ledger.loss is None:
            raise Refusal(
                "nothing_to_accept", "The ledger has lost nothing; there is nothing to accept."
            )
        if not self.has_users():
            raise Refusal(
                "not_authorized",
                "The ledger has no people left to ask: import the people (cashier-desk import "
                "users FILE) first, then a supervisor accepts the loss.",
            )
        who = self._authenticate(login, pin, "accept ledger loss", min_role="supervisor")
        with self.ledger.write() as conn:
            recheck_approver(conn, who, not_=(), min_role="supervisor")
            had = ledger_state(conn)
            loss = self.ledger.loss
            known = self.ledger.accept_loss(conn)
            self._audit(
                conn,
                ACCEPTED,
                known.last_receipt(),
                {
                    "problem": loss,
                    "known_receipts": known.receipts,
                    "known_audit_seq": known.audit_seq,
                    "ledger_receipts": had.receipts,
                    "ledger_audit_seq": had.audit_seq,
                },
                actor=who.login,
            )
        self.events.publish("ledger_loss_accepted", last_receipt=known.last_receipt())
        return known.last_receipt()

    def open_drawer(self, drawer_id: object, opening: Mapping[Money, int]) -> drawer.Session:
        self._ledger_whole()
        user = self._need_user()
        name = text(drawer_id, "the drawer id", max_len=40)
        counts: dict[Money, int] = {}
        for denom, count in opening.items():
            if denom not in drawer.DENOMINATIONS:
                raise Refusal("bad_denomination", f"{denom} is not a denomination of the drawer.")
            counts[denom] = check_count(count, f"the count of {denom}", low=0, high=100000)
            self._at_most(denom * counts[denom], f"the opening count of {denom}")
        fund = self._at_most(Money(sum(d.cents * n for d, n in counts.items())), "the opening")
        with self.ledger.write() as conn:
            if drawer.open_session_of_cashier(conn, user.login) is not None:
                raise Refusal("drawer_already_open", f"{user.name} already has a drawer open.")
            recount = drawer.recount_of_cashier(conn, user.login)
            if recount is not None:
                raise Refusal(
                    "recount_pending",
                    f"A lead sent the count of drawer {recount.drawer} back: count it again "
                    "(close drawer) before opening another.",
                )
            if drawer.open_session_of_drawer(conn, self.workstation, name) is not None:
                raise Refusal("drawer_in_use", f"Drawer {name} is already open.")
            n = next_number(conn, self.workstation, "session")
            sid = SessionId(f"{self.workstation}-S{n:06d}")
            now = self._now()
            row = {
                "id": sid,
                "workstation": self.workstation,
                "drawer": name,
                "cashier": user.login,
                "business_date": local_time(now, self.config.timezone).date().isoformat(),
                "opened_at": now.isoformat(),
                "opening_cents": fund.cents,
                "opening_counts": drawer.opening_counts_json(counts),
            }
            drawer.add_session(conn, row)
            sealed = evidence.seals(drawer_sessions=[evidence.row_of("drawer_sessions", row)])
            self._audit(conn, "open_drawer", sid, {"drawer": name, "opening": str(fund), **sealed})
            session = drawer.get_session(conn, sid)
        if session is None:  # pragma: no cover - just written in the same transaction
            raise RuntimeError("the drawer session vanished")
        self.events.publish("drawer_opened", session=session)
        return session

    def current_session(self) -> drawer.Session | None:
        if self.user is None:
            return None
        with self.ledger.read() as conn:
            return drawer.open_session_of_cashier(conn, self.user.login)

    # -- lookups and checks ----------------------------------------------------------------

    def receipts(self, business_date: str | None = None) -> list[ReceiptSummary]:
        with self.ledger.read() as conn:
            return list_receipts(conn, business_date)

    def search_receipts(
        self,
        *,
        number: str | None = None,
        business_date: str | None = None,
        payer: str | None = None,
        total: Money | None = None,
        limit: int = 200,
    ) -> list[ReceiptSummary]:
        """Receipt research: by part of the number, the date, part of the payer, the total;
        newest first."""
        for given, what in ((number, "the receipt number"), (payer, "the payer")):
            if given is not None:
                typed(given, what)
        with self.ledger.read() as conn:
            return list_receipts(
                conn, business_date, number=number, payer=payer, total=total, limit=limit
            )

    def receipt(self, receipt_no: str) -> ReceiptView | None:
        with self.ledger.read() as conn:
            return load_receipt(conn, receipt_no)

    def day_sessions(self, business_date: str | None = None) -> list[drawer.Session]:
        """This workstation's drawer sessions of a day (today by default), with their state."""
        day = business_date or self.business_date()
        with self.ledger.read() as conn:
            return drawer.sessions(
                conn,
                drawer_sessions.c.workstation == self.workstation,
                drawer_sessions.c.business_date == day,
            )

    def verify_audit(self) -> audit.Verification:
        """The audit chain, then the money rows against the records that seal them."""
        with self.ledger.read() as conn:
            chain = audit.verify(conn)
            found = tuple(str(p) for p in crosscheck.check(conn))
        return dataclasses.replace(chain, ok=chain.ok and not found, problems=found)

    def import_file(
        self, kind: str, path: Path, *, login: object = None, pin: object = None
    ) -> Imported:
        """Import a CSV file of ``kind`` as the person ``login`` (see desk/authority.py: none
        needed while the ledger has no users yet); the audit names that person."""
        if kind == rules.KIND:
            return rules.import_program_rules(self, path, login, pin)
        who = authority.import_authority(self, kind, login, pin)
        tz = ZoneInfo(self.config.timezone) if self.config.timezone else None
        masked = Masked()
        users = self._read_users(path, masked) if kind == "users" else None  # argon2 first
        try:
            with self.ledger.write() as conn:
                if who is None:
                    authority.check_still_setting_up(conn, kind)
                done = imports.import_file(
                    conn,
                    kind,
                    path,
                    tz=tz,
                    max_amount=self.config.max_amount,
                    users=users,
                    masked=masked,
                )
                # The file's name is text someone typed too: never a card number in the audit.
                details = {"file": mask_card_numbers(path.name), **done.summary()}
                actor = authority.SETUP if who is None else who.login
                self._audit(conn, "import", kind, details, actor=actor)
        except authority.PeopleArrived as exc:
            authority.refuse(self, f"import {kind}", login, "people_arrived", exc.message)
        self.events.publish("reference_data_changed", kind=kind)
        return done

    def _read_users(self, path: Path, masked: Masked) -> list[dict[str, Any]]:
        """A users file checked whole and its PINs hashed, outside any write transaction (an
        import of 1,500 people takes minutes of argon2, and a sale must not wait for it)."""
        with self.ledger.read() as conn:
            may_create = not auth.any_peppered(conn)
        return imports.read_users(
            path, self.pins, self.config.min_pin_length, may_create, masked=masked
        )

    def logged_in(self) -> Login | None:
        return None if self.user is None else self.user.login
