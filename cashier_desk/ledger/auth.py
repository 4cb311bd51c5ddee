"""People: roles, PIN checks, and the lockout after repeated wrong PINs.

PINs are only ever kept as peppered argon2id hashes (:mod:`cashier_desk.ledger.pins`).  Five
wrong PINs in a row lock a login for thirty minutes; while locked even the right PIN is refused,
and attempts then change nothing.  A failed attempt leaves a trace (the failure count and an
audit record), because the lockout has to count them; so does the right PIN of someone whose
role may not do what was asked (an audit record only: it is an attempted override, not a
failure).  The argon2 check (about 100 ms on purpose) runs before the write transaction that
records its outcome, so a PIN check never holds up a sale at another window of the ledger.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ids import Login
from cashier_desk.ledger import audit
from cashier_desk.ledger.db import Ledger
from cashier_desk.ledger.pins import PREFIX, PinHasher
from cashier_desk.ledger.schema import login_state, users
from cashier_desk.words import Role

log = logging.getLogger(__name__)

ROLES: tuple[str, ...] = tuple(Role)
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=30)
#: Who can clear a lockout before it ends (``unlock_user``; a lead or above).
UNLOCK_HINT = "ask a lead to unlock it"


def role_rank(role: str) -> int:
    return ROLES.index(role)


def any_peppered(conn: sa.Connection) -> bool:
    """Whether some PIN of this ledger was hashed with a pepper (then a missing pepper file
    is never replaced by a new one)."""
    found = conn.execute(
        sa.select(users.c.login).where(users.c.pin_hash.startswith(PREFIX, autoescape=True))
    ).first()
    return found is not None


def hash_new_pin(ledger: Ledger, pins: PinHasher, pin: str) -> str:
    """The stored form of a PIN being set, made outside any write transaction."""
    with ledger.read() as conn:
        may_create = not any_peppered(conn)
    return pins.hash(pin, may_create=may_create)


@dataclass(frozen=True)
class User:
    login: Login
    name: str
    role: str

    def at_least(self, role: str) -> bool:
        return role_rank(self.role) >= role_rank(role)


def get_user(conn: sa.Connection, login: str) -> User | None:
    row = conn.execute(sa.select(users).where(users.c.login == login)).first()
    return None if row is None else User(Login(row.login), row.name, row.role)


def check_locked(conn: sa.Connection, user: User, now: datetime) -> str:
    """When the login is locked, until when; else refuse ``not_locked``."""
    until = conn.execute(
        sa.select(login_state.c.locked_until).where(login_state.c.login == user.login)
    ).scalar()
    if until is None or now >= datetime.fromisoformat(until):
        raise Refusal("not_locked", f"The login {user.login} is not locked.")
    return str(until)


def clear_lockout(conn: sa.Connection, login: str) -> None:
    """Unlock a login: no lockout, no wrong PINs counted (the caller audits it)."""
    conn.execute(
        sa.update(login_state)
        .where(login_state.c.login == login)
        .values(failures=0, locked_until=None)
    )


def authenticate(
    ledger: Ledger,
    pins: PinHasher,
    login: str,
    pin: str,
    *,
    now: datetime,
    workstation: str,
    purpose: str,
    min_role: str = "cashier",
) -> User:
    """Check a login and PIN; raises :class:`Refusal` on any failure, after committing what
    the failure leaves (the count, the audit record).  The argon2 check runs first, outside
    any write transaction; the transaction that follows reads the login afresh, so a lockout
    or a PIN changed meanwhile is honoured (a changed PIN is checked again).  A right PIN of
    someone below ``min_role`` is refused and audited without touching the failure count; a
    right PIN hashed without the pepper, or at another argon2 cost, is hashed again."""
    for _ in range(3):
        with ledger.read() as conn:
            row = conn.execute(sa.select(users).where(users.c.login == login)).first()
            state = conn.execute(sa.select(login_state).where(login_state.c.login == login)).first()
        _refuse_if_locked(state, login, now)
        if row is None:
            pins.check_unknown(pin)  # the same cost as for a real login
            with ledger.write() as conn:
                # The typed text is not kept: it could be anything, even a card number.
                audit.append(
                    conn,
                    at=now.isoformat(),
                    workstation=workstation,
                    actor="?",
                    action="login_failed",
                    target="unknown user",
                    outcome="refused",
                    details={"purpose": purpose},
                )
            raise Refusal("bad_credentials", "Unknown user or wrong PIN.")
        matched = pins.check(row.pin_hash, pin)
        rehashed = None
        if matched and pins.needs_rehash(row.pin_hash):
            rehashed = _rehashed(ledger, pins, pin)
        failure: Refusal | None = None
        with ledger.write() as conn:
            fresh = conn.execute(sa.select(users).where(users.c.login == login)).first()
            if fresh is None or fresh.pin_hash != row.pin_hash:
                continue  # imported again meanwhile: check the PIN against the new hash
            try:
                return _settle(
                    conn, fresh, matched, rehashed,
                    now=now, workstation=workstation, purpose=purpose, min_role=min_role,
                )  # fmt: skip
            except Refusal as exc:
                failure = exc  # commit the counted failure, then refuse
        raise failure
    raise Refusal("bad_credentials", "The PIN changed while it was checked; try again.")


def _refuse_if_locked(state: sa.Row[tuple[object, ...]] | None, login: str, now: datetime) -> None:
    if state is None or state.locked_until is None:
        return
    until = datetime.fromisoformat(state.locked_until)
    if now < until:
        minutes = max(1, int((until - now).total_seconds() + 59) // 60)
        raise Refusal(
            "locked",
            f"The login {login} is locked after {MAX_FAILURES} wrong PINs; "
            f"try again in {minutes} minute(s) or {UNLOCK_HINT}.",
        )


def _rehashed(ledger: Ledger, pins: PinHasher, pin: str) -> str | None:
    """The right PIN hashed again with the pepper and today's cost; None when this
    workstation has no usable pepper yet (the old hash stays and still works)."""
    try:
        return hash_new_pin(ledger, pins, pin)
    except Refusal as exc:
        log.warning("a PIN was not hashed again with the pepper: %s", exc.message)
        return None


def _settle(
    conn: sa.Connection,
    row: sa.Row[tuple[object, ...]],
    matched: bool,
    rehashed: str | None,
    *,
    now: datetime,
    workstation: str,
    purpose: str,
    min_role: str,
) -> User:
    """Write what a checked PIN decided, in the write transaction (the login's state read
    afresh there)."""
    login = str(row.login)
    state = conn.execute(sa.select(login_state).where(login_state.c.login == login)).first()
    _refuse_if_locked(state, login, now)
    failures = state.failures if state is not None else 0

    def record(action: str, outcome: str, details: dict[str, object]) -> None:
        audit.append(
            conn,
            at=now.isoformat(),
            workstation=workstation,
            actor=login,
            action=action,
            target=login,
            outcome=outcome,
            details=details,
        )

    if matched:
        if rehashed is not None:
            conn.execute(sa.update(users).where(users.c.login == login).values(pin_hash=rehashed))
            record("pin_rehashed", "ok", {"purpose": purpose})
        if role_rank(str(row.role)) < role_rank(min_role):
            # The right PIN of someone who may not do this: not a failure (nothing is counted),
            # but an attempted override, so it leaves an audit record.
            record(
                "override_refused",
                "refused",
                {"purpose": purpose, "role": row.role, "needs": min_role},
            )
            raise Refusal(
                "not_authorized", f"{row.name} is a {row.role}; a {min_role} or above must approve."
            )
        if state is not None and (failures or state.locked_until is not None):
            conn.execute(
                sa.update(login_state)
                .where(login_state.c.login == login)
                .values(failures=0, locked_until=None)
            )
        return User(Login(login), str(row.name), str(row.role))
    failures += 1
    locked_until = None
    if failures >= MAX_FAILURES:
        locked_until = (now + LOCKOUT).isoformat()
    values = {"failures": 0 if locked_until else failures, "locked_until": locked_until}
    if state is None:
        conn.execute(sa.insert(login_state).values(login=login, **values))
    else:
        conn.execute(sa.update(login_state).where(login_state.c.login == login).values(**values))
    record("login_failed", "refused", {"purpose": purpose, "failures": failures})
    if locked_until:
        record("lockout", "locked", {"until": locked_until})
        raise Refusal(
            "locked",
            f"Wrong PIN. The login {login} is now locked for {int(LOCKOUT.total_seconds() // 60)}"
            f" minutes; {UNLOCK_HINT}.",
        )
    left = MAX_FAILURES - failures
    tries = "1 try" if left == 1 else f"{left} tries"
    raise Refusal("bad_credentials", f"Unknown user or wrong PIN ({tries} left).")
