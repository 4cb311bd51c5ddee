"""An approval checked again where it takes effect: inside the writing transaction.

The approver's PIN is checked first, in a transaction of its own (a wrong PIN must be counted
even when the operation is refused).  Between that check and the write that records the
approval, the people may change: an import of users makes the lead a cashier, a second window
makes the lead a cashier of the batch being closed out.  So the write re-reads, under its own
lock, the approver's role and the people the approver must not be, and refuses when either
no longer allows the approval; the whole operation is then rolled back.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger.auth import User, get_user


def recheck_approver(
    conn: sa.Connection, approver: User, *, not_: Collection[str], min_role: str = "lead"
) -> User:
    """Inside the write transaction: ``approver`` is still a person of role ``min_role`` or
    above and none of ``not_``; returns the person as the ledger holds them now."""
    if approver.login in not_:
        raise Refusal("self_approval", "The approver must be a different person (dual control).")
    now = get_user(conn, approver.login)
    if now is None or not now.at_least(min_role):
        role = "no longer a user" if now is None else f"now a {now.role}"
        raise Refusal(
            "not_authorized",
            f"{approver.name} is {role}; a {min_role} or above must approve. Nothing was saved.",
        )
    return now
