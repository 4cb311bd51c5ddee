"""The Desk's foundation: its dependencies, the people at the counter, printing and lookups."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from cashier_desk.config import Config, local_time
from cashier_desk.desk.requests import (
    Clock,
    check_count,
    system_clock,
    text,
)
from cashier_desk.devices.base import CashDrawer, ReceiptPrinter
from cashier_desk.errors import Refusal
from cashier_desk.events import EventBus
from cashier_desk.ids import Login, SessionId
from cashier_desk.ledger import audit, auth, drawer, imports
from cashier_desk.ledger.auth import User
from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.db import Ledger
from cashier_desk.ledger.receipts import ReceiptSummary, ReceiptView, list_receipts, load_receipt
from cashier_desk.ledger.schema import (
    drawer_sessions,
)
from cashier_desk.money import Money
from cashier_desk.sync import central
from cashier_desk.sync.pull import PullResult, pull
from cashier_desk.sync.relay import Relay, SyncResult

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
        self.relay: Relay | None = None  # set by the app when a central database is known

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

    def _need_user(self) -> User:
        if self.user is None:
            raise Refusal("not_logged_in", "Log in first.")
        return self.user

    def _need_session(self, conn: sa.Connection) -> tuple[User, drawer.Session]:
        user = self._need_user()
        session = drawer.open_session_of_cashier(conn, user.login)
        if session is None or session.workstation != self.workstation:
            raise Refusal("no_open_drawer", f"{user.name} has no drawer open on this workstation.")
        return user, session

    def _authenticate(
        self, login: object, pin: object, purpose: str, min_role: str = "cashier"
    ) -> User:
        if not isinstance(login, str) or not isinstance(pin, str) or not login or not pin:
            raise Refusal("bad_credentials", "Give a user name and a PIN.")
        failure: Refusal | None = None
        with self.ledger.write() as conn:
            try:
                return auth.authenticate(
                    conn,
                    login,
                    pin,
                    now=self._now(),
                    workstation=self.workstation,
                    purpose=purpose,
                    min_role=min_role,
                )
            except Refusal as exc:
                failure = exc  # commit the counted failure, then refuse
        raise failure

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

    def sync(self) -> SyncResult:
        """Push the closed batches waiting in the outbox to central now."""
        if self.relay is None:
            raise Refusal("no_central", "No central database is set for this workstation.")
        return self.relay.push()

    def pull_reference_data(self) -> PullResult:
        """Fetch revenue codes, users and open items changed at central since the last pull,
        with the open-item payments other counters made."""
        if self.relay is None:
            raise Refusal("no_central", "No central database is set for this workstation.")
        engine = self.relay.engine()
        try:
            central.ensure_ready(engine)
            result = pull(self.ledger, engine, self.workstation, self._now().isoformat())
        except central.CentralError as exc:
            raise Refusal("central_unreachable", str(exc)) from None
        except sa.exc.SQLAlchemyError as exc:
            raise Refusal(
                "central_unreachable", f"Central cannot be reached: {central._reason(exc)}"
            ) from None
        with self.ledger.write() as conn:
            self._audit(conn, "sync_pull", "reference data", vars(result), actor="system")
        self.events.publish("reference_data_changed", kind="pull")
        return result

    def unlock(self, login: object, pin: object, locked_for: str | None) -> User:
        """Unlock a locked counter: the same person's PIN, or a lead or above who takes over.
        Anyone else is refused and the counter stays locked."""
        if locked_for is not None and login != locked_for:
            user = self._authenticate(login, pin, "unlock", min_role="lead")
            with self.ledger.write() as conn:
                self._audit(conn, "takeover", user.login, {"from": locked_for}, actor=user.login)
            self.user = user
            self.events.publish("user_changed", user=user)
            return user
        return self.login(login, pin)

    def logout(self) -> None:
        user = self._need_user()
        with self.ledger.write() as conn:
            self._audit(conn, "logout", user.login)
        self.user = None
        self.events.publish("user_changed", user=None)

    # -- drawer ----------------------------------------------------------------------------

    def open_drawer(self, drawer_id: object, opening: Mapping[Money, int]) -> drawer.Session:
        user = self._need_user()
        name = text(drawer_id, "the drawer id", max_len=40)
        counts: dict[Money, int] = {}
        for denom, count in opening.items():
            if denom not in drawer.DENOMINATIONS:
                raise Refusal("bad_denomination", f"{denom} is not a denomination of the drawer.")
            counts[denom] = check_count(count, f"the count of {denom}", low=0, high=100000)
        fund = Money(sum(d.cents * n for d, n in counts.items()))
        with self.ledger.write() as conn:
            if drawer.open_session_of_cashier(conn, user.login) is not None:
                raise Refusal("drawer_already_open", f"{user.name} already has a drawer open.")
            if drawer.open_session_of_drawer(conn, self.workstation, name) is not None:
                raise Refusal("drawer_in_use", f"Drawer {name} is already open.")
            n = next_number(conn, self.workstation, "session")
            sid = SessionId(f"{self.workstation}-S{n:06d}")
            now = self._now()
            conn.execute(
                sa.insert(drawer_sessions).values(
                    id=sid,
                    workstation=self.workstation,
                    drawer=name,
                    cashier=user.login,
                    business_date=local_time(now, self.config.timezone).date().isoformat(),
                    opened_at=now.isoformat(),
                    opening_cents=fund.cents,
                    opening_counts=drawer.opening_counts_json(counts),
                )
            )
            self._audit(conn, "open_drawer", sid, {"drawer": name, "opening": str(fund)})
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
        with self.ledger.read() as conn:
            return audit.verify(conn)

    def import_file(self, kind: str, path: Path) -> int:
        tz = ZoneInfo(self.config.timezone) if self.config.timezone else None
        with self.ledger.write() as conn:
            rows = imports.import_file(conn, kind, path, tz=tz)
            self._audit(conn, "import", kind, {"file": path.name, "rows": rows})
        self.events.publish("reference_data_changed", kind=kind)
        return rows

    def logged_in(self) -> Login | None:
        return None if self.user is None else self.user.login
