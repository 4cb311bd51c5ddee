"""Double-entry posting rules.

Every journal entry's postings sum to zero (debit positive, credit negative).  Money held at
the counter sits on internal accounts (``DRAWER:cash``, ``DRAWER:check``, ...; ``SAFE:cash``
for drops); revenue, paid-outs and over/short go to the city's GL accounts.  A void is a new
entry with every posting of the sale negated; nothing is ever updated.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger.db import FastInsert
from cashier_desk.ledger.schema import journal_entries, postings
from cashier_desk.money import Money
from cashier_desk.words import TenderKind

TENDER_KINDS: tuple[str, ...] = tuple(TenderKind)
SAFE_CASH = "SAFE:cash"
INTERNAL_PREFIXES = ("DRAWER:", "SAFE:")

_INSERT_ENTRY = FastInsert(journal_entries)
_INSERT_POSTING = FastInsert(postings)


def drawer_account(tender: str) -> str:
    return f"DRAWER:{tender}"


def is_internal(account: str) -> bool:
    return account.startswith(INTERNAL_PREFIXES)


def post_entry(
    conn: sa.Connection,
    *,
    session_id: str,
    kind: str,
    at: str,
    lines: Sequence[tuple[str, Money]],
    receipt_id: int | None = None,
) -> int:
    """Write one balanced journal entry; refuse (and so roll back) an unbalanced one."""
    if sum(m.cents for _, m in lines) != 0:
        raise Refusal("unbalanced", f"the {kind} entry does not balance; nothing was written")
    entry = {"session_id": session_id, "kind": kind, "receipt_id": receipt_id, "created_at": at}
    eid = _INSERT_ENTRY.one(conn, entry)
    rows = [{"entry_id": eid, "account": a, "amount_cents": m.cents} for a, m in lines if m]
    if rows:
        _INSERT_POSTING.many(conn, rows)
    return eid
