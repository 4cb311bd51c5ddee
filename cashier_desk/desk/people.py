"""The people at the counter: logging in and out, the lock and who may unlock it, a lead
clearing a lockout, the first admin of a new data dir, and a supervisor accepting that the
ledger lost work.  Every change of who is at the counter is audited and published."""

from __future__ import annotations

from cashier_desk.desk import authority
from cashier_desk.desk.requests import text
from cashier_desk.desk.station import Station
from cashier_desk.errors import Refusal
from cashier_desk.events import LedgerLossAccepted, UserChanged, UserUnlocked
from cashier_desk.ids import Login
from cashier_desk.ledger import auth, first_use
from cashier_desk.ledger.approvals import recheck_approver
from cashier_desk.ledger.auth import User
from cashier_desk.ledger.watermark import ACCEPTED, ledger_state


def user_changed(user: User) -> UserChanged:
    return UserChanged(user.login, user.name, user.role)


class People:
    """Who is at the counter (see the module's docstring)."""

    def __init__(self, station: Station) -> None:
        self.st = station

    def has_users(self) -> bool:
        return self.st.has_users()

    def setting_up(self, command: str) -> bool:
        """Whether ``command`` runs without credentials (an import into a ledger with no
        users yet; desk/authority.py)."""
        return authority.setting_up(self.st, command)

    def import_authority(self, kind: str, login: str, pin: str) -> User | None:
        """Who may import ``kind`` (None while setting up); refused as an import would be."""
        return authority.import_authority(self.st, kind, login, pin)

    def login(self, login: str, pin: str) -> User:
        user = self.st.authenticate(login, pin, "login")
        with self.st.ledger.write() as conn:
            if self.st.user is not None and self.st.user.login != user.login:
                self.st.audit(conn, "logout", self.st.user.login)
            self.st.user = user
            self.st.audit(conn, "login", user.login, {"role": user.role})
        self.st.events.publish(user_changed(user))
        return user

    def create_first_admin(self, login: str, name: str, pin: str) -> User:
        """The first person of a new data dir, an admin, made at the window (there is no one
        to ask yet) and logged in; refused (``users_exist``) once anyone exists."""
        checked, full_name = first_use.check_login(login), first_use.check_name(name)
        checked_pin = first_use.check_pin(pin, self.st.config.min_pin_length)
        pin_hash = auth.hash_new_pin(self.st.ledger, self.st.pins, checked_pin)  # before the write
        with self.st.ledger.write() as conn:
            user = first_use.add_first_admin(conn, checked, full_name, pin_hash)
            self.st.audit(conn, "first_admin", user.login, {"role": "admin"}, actor=user.login)
            self.st.audit(conn, "login", user.login, {"role": user.role}, actor=user.login)
            self.st.user = user
        self.st.events.publish(user_changed(user))
        return user

    def unlock(self, login: str, pin: str, locked_for: str | None) -> User:
        """Unlock a locked counter: the same person's PIN, or a lead or above who takes over.
        Anyone else is refused and the counter stays locked."""
        if locked_for is not None and login != locked_for:
            user = self.st.authenticate(login, pin, "unlock", min_role="lead")
            with self.st.ledger.write() as conn:
                user = recheck_approver(conn, user, not_=(), min_role="lead")
                self.st.audit(conn, "takeover", user.login, {"from": locked_for}, actor=user.login)
            self.st.user = user
            self.st.events.publish(user_changed(user))
            return user
        return self.login(login, pin)

    def unlock_user(self, login: str, approver: str, approver_pin: str) -> User:
        """A lead or above clears the lockout of a login (after five wrong PINs); the lead
        must be someone else, of a role at least the locked person's.  Audited."""
        who = text(login, "the user to unlock", max_len=40)
        with self.st.ledger.read() as conn:
            user = auth.get_user(conn, who)
            if user is None:
                raise Refusal("unknown_user", f"There is no user {who!r}.")
            auth.check_locked(conn, user, self.st.now())
        lead = self.st.approver(approver, approver_pin, "unlock_user", not_={user.login})
        if not lead.at_least(user.role):
            with self.st.ledger.write() as conn:  # an attempted override leaves a trace
                self.st.audit(
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
        with self.st.ledger.write() as conn:
            # The locked person's role too is read again: a lead may not unlock a supervisor.
            now_user = auth.get_user(conn, user.login) or user
            needs = max(now_user.role, "lead", key=auth.role_rank)
            lead = recheck_approver(conn, lead, not_={user.login}, min_role=needs)
            until = auth.check_locked(conn, user, self.st.now())
            auth.clear_lockout(conn, user.login)
            details = {"locked_until": until}
            self.st.audit(conn, "unlock_user", user.login, details, actor=lead.login)
        self.st.events.publish(UserUnlocked(user.login))
        return user

    def logout(self) -> None:
        user = self.st.need_user()
        with self.st.ledger.write() as conn:
            self.st.audit(conn, "logout", user.login)
        self.st.user = None
        self.st.events.publish(UserChanged(None))

    def ledger_lost_work(self) -> bool:
        """Whether the ledger lost work it had saved and no supervisor has accepted it yet."""
        return self.st.ledger.loss is not None

    def ledger_loss_message(self) -> str:
        return self.st.ledger_loss_message()

    def accept_ledger_loss(self, login: str, pin: str) -> str:
        """A supervisor accepts that the ledger lost work: numbering continues after the last
        receipt the mark knew (so no printed number is issued twice) and the gap is audited.
        Returns the last receipt number that was known."""
        if self.st.ledger.loss is None:
            raise Refusal(
                "nothing_to_accept", "The ledger has lost nothing; there is nothing to accept."
            )
        if not self.st.has_users():
            raise Refusal(
                "not_authorized",
                "The ledger has no people left to ask: import the people (cashier-desk import "
                "users FILE) first, then a supervisor accepts the loss.",
            )
        who = self.st.authenticate(login, pin, "accept ledger loss", min_role="supervisor")
        with self.st.ledger.write() as conn:
            recheck_approver(conn, who, not_=(), min_role="supervisor")
            had = ledger_state(conn)
            loss = self.st.ledger.loss
            known = self.st.ledger.accept_loss(conn)
            self.st.audit(
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
        self.st.events.publish(LedgerLossAccepted(known.last_receipt()))
        return known.last_receipt()

    def logged_in(self) -> Login | None:
        return None if self.st.user is None else self.st.user.login
