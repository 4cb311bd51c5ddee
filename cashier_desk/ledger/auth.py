"""People: roles, argon2id PIN hashes, and the lockout after repeated wrong PINs.

PINs are only ever kept as argon2id hashes.  Five wrong PINs in a row lock a login for thirty
minutes; while locked even the right PIN is refused, and attempts then change nothing.
A failed attempt leaves a trace (the failure count and an audit record), because the lockout
has to count them; so does the right PIN of someone whose role may not do what was asked (an
audit record only: it is an attempted override, not a failure).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cashier_desk.errors import Refusal
from cashier_desk.ids import Login
from cashier_desk.ledger import audit
from cashier_desk.ledger.schema import login_state, users

ROLES = ("cashier", "lead", "supervisor", "admin")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=30)
#: Who can clear a lockout before it ends (``unlock_user``; a lead or above).
UNLOCK_HINT = "ask a lead to unlock it"

# OWASP's argon2id baseline (19 MiB, 2 passes): a PIN check costs tens of milliseconds.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check an unknown user's PIN against (so that takes as long as a real login).
    Not made at import, where it cost every start-up an argon2 hash: :func:`warm_up`."""
    return _hasher.hash("not-a-pin")


def warm_up() -> None:
    """Make the unknown-user hash in the background as the program starts, so start-up does
    not wait for it and the first unknown login does not take longer than any other (which
    would tell that the user does not exist)."""
    threading.Thread(target=_dummy_hash, name="argon2 warm-up", daemon=True).start()


def role_rank(role: str) -> int:
    return ROLES.index(role)


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


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


def _pin_matches(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(
    conn: sa.Connection,
    login: str,
    pin: str,
    *,
    now: datetime,
    workstation: str,
    purpose: str,
    min_role: str = "cashier",
) -> User:
    """Check a login and PIN inside a write transaction that the caller COMMITS even when this
    raises (so failures are counted).  Raises :class:`Refusal` on any failure; a right PIN of
    someone below ``min_role`` is refused and audited without touching the failure count."""
    row = conn.execute(sa.select(users).where(users.c.login == login)).first()
    if row is None:
        _pin_matches(_dummy_hash(), pin)  # same cost as for a real login
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
    state = conn.execute(sa.select(login_state).where(login_state.c.login == login)).first()
    failures = state.failures if state is not None else 0
    if state is not None and state.locked_until is not None:
        until = datetime.fromisoformat(state.locked_until)
        if now < until:
            minutes = max(1, int((until - now).total_seconds() + 59) // 60)
            raise Refusal(
                "locked",
                f"The login {login} is locked after {MAX_FAILURES} wrong PINs; "
                f"try again in {minutes} minute(s) or {UNLOCK_HINT}.",
            )
    if _pin_matches(row.pin_hash, pin):
        if role_rank(row.role) < role_rank(min_role):
            # The right PIN of someone who may not do this: not a failure (nothing is counted),
            # but an attempted override, so it leaves an audit record.
            audit.append(
                conn,
                at=now.isoformat(),
                workstation=workstation,
                actor=login,
                action="override_refused",
                target=login,
                outcome="refused",
                details={"purpose": purpose, "role": row.role, "needs": min_role},
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
        return User(Login(row.login), row.name, row.role)
    failures += 1
    locked_until = None
    if failures >= MAX_FAILURES:
        locked_until = (now + LOCKOUT).isoformat()
    values = {"failures": 0 if locked_until else failures, "locked_until": locked_until}
    if state is None:
        conn.execute(sa.insert(login_state).values(login=login, **values))
    else:
        conn.execute(sa.update(login_state).where(login_state.c.login == login).values(**values))
    common = {"at": now.isoformat(), "workstation": workstation, "actor": login}
    audit.append(
        conn,
        **common,
        action="login_failed",
        target=login,
        outcome="refused",
        details={"purpose": purpose, "failures": failures},
    )
    if locked_until:
        audit.append(
            conn,
            **common,
            action="lockout",
            target=login,
            outcome="locked",
            details={"until": locked_until},
        )
        raise Refusal(
            "locked",
            f"Wrong PIN. The login {login} is now locked for {int(LOCKOUT.total_seconds() // 60)}"
            f" minutes; {UNLOCK_HINT}.",
        )
    left = MAX_FAILURES - failures
    tries = "1 try" if left == 1 else f"{left} tries"
    raise Refusal("bad_credentials", f"Unknown user or wrong PIN ({tries} left).")
