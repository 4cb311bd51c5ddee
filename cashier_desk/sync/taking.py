"""Taking a batch that conflicts with nothing central holds: its audit chain must follow on,
pass through the heads shown at sync contacts (``contacts``) and its detail match its audit
records (``recheck``) — else it is refused ("chain" or "detail") — and it goes into the books.

The checks that need no database (the chain's hashes, ``recheck.first_pass``: the detail
against its records) run on a thread of their own beside the insert, so that their Python
passes overlap the database's work on the batch's rows (the COPY's checks, keys and indexes)
instead of coming before it.  The insert is made in a savepoint: when a check refuses, it is
undone before the batch is kept in quarantine, so nothing of a refused batch stays in the
books, exactly as when the checks ran first.  The verdict is the one they gave when they ran
first, in the same order (a receipt number central holds, chain, contacts, detail): an insert
that fails on a batch a check refuses is the refusal, not the failure.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from cashier_desk.ledger import audit
from cashier_desk.sync import books, contacts, quarantine, recheck
from cashier_desk.sync import schema as c

T = TypeVar("T")
#: What the thread makes of a batch: why its chain is refused, else the re-check's first pass.
Pure = tuple[str | None, "recheck.FirstPass | None"]


class ChainRefused(Exception):
    """The batch's audit chain does not extend what central holds from the workstation (the
    reason a batch is put in quarantine)."""


class Beside(Generic[T]):
    """A call run on a thread of its own; ``result`` waits for it (and raises what it
    raised).  It must not touch a database connection: those are not shared between threads."""

    def __init__(self, call: Callable[[], T], name: str) -> None:
        self._call = call
        self._out: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._out = self._call()
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._out  # type: ignore[return-value]


def take(
    conn: sa.Connection,
    payload: Mapping[str, Any],
    text: str,
    sha256: str,
    received_at: str,
    taken: Callable[[], tuple[str, str] | None],
) -> tuple[str, str] | None:
    """Check the batch and put it into the books in the caller's transaction: None when it
    went in, else why it was refused — ("conflict" | "chain" | "detail", what for a person) —
    with nothing of it left in the books.  ``taken``: the conflict when central's books hold
    one of the batch's receipt numbers, which comes before any other refusal; it is asked only
    when a check refuses before the insert or the insert fails (receipt numbers are the
    receipts' primary key: an insert that went in took none), saving a query of 10,000
    numbers on every batch that goes in."""
    try:
        starts = chain_starts(conn, payload)
    except ChainRefused as exc:
        return taken() or ("chain", str(exc))
    beside = Beside(lambda: _pure(payload, starts), f"recheck {payload['batch']}")
    savepoint = conn.begin_nested()
    try:
        books.insert_batch(conn, payload, text, sha256, received_at)
    except Exception:
        savepoint.rollback()
        refused = _verdict(conn, payload, beside)
        refused = taken() or refused
        if refused is None:
            raise
        return refused
    refused = _verdict(conn, payload, beside)
    if refused is None:
        savepoint.commit()
    else:
        savepoint.rollback()
    return refused


def _pure(payload: Mapping[str, Any], starts: list[str]) -> Pure:
    try:
        follows(payload, starts)
    except ChainRefused as exc:
        return str(exc), None
    return None, recheck.first_pass(payload)


def _verdict(
    conn: sa.Connection, payload: Mapping[str, Any], beside: Beside[Pure]
) -> tuple[str, str] | None:
    chain, first = beside.result()
    if chain is not None:
        return "chain", chain
    rewritten = contacts.check_batch(conn, payload)
    if rewritten is not None:
        return "chain", rewritten
    problem = recheck.refusal(conn, payload, first)
    return None if problem is None else ("detail", problem)


def chain_starts(conn: sa.Connection, payload: Mapping[str, Any]) -> list[str]:
    """The heads central holds for the workstation at the batch's ``audit_since`` — in the
    books, or of a batch held in quarantine (the chain continues through it) — from which its
    records must follow on; ChainRefused when there is none, or when the batch would go back
    behind what the books already hold (a fork)."""
    ws = payload["workstation"]
    since = int(payload["audit_since"])
    books_last = conn.execute(
        sa.select(sa.func.max(c.chain_heads.c.seq)).where(c.chain_heads.c.workstation == ws)
    ).scalar()
    heads = [
        str(h)
        for h in conn.execute(
            sa.select(c.chain_heads.c.hash).where(
                c.chain_heads.c.workstation == ws, c.chain_heads.c.seq == since
            )
        ).scalars()
    ]
    heads += quarantine.heads_at(conn, ws, since)
    if since == 0:
        heads.append(audit.GENESIS)
    if not heads or (books_last is not None and int(books_last) > since):
        last = max(int(books_last or 0), quarantine.last_head(conn, ws))
        raise ChainRefused(
            f"workstation {ws}'s audit chain continues from record {since}, "
            f"but central last saw record {last}"
        )
    return list(dict.fromkeys(heads))


def follows(payload: Mapping[str, Any], starts: list[str]) -> None:
    """The batch's records follow on from one of the heads (ChainRefused naming the first
    start's problem when they follow from none)."""
    problem: ChainRefused | None = None
    for start in starts:
        try:
            _follows(payload, start)
            return
        except ChainRefused as exc:
            problem = problem or exc
    raise problem if problem is not None else ChainRefused("the audit chain does not follow on")


def _follows(payload: Mapping[str, Any], start: str) -> None:
    ws = payload["workstation"]
    prev = start
    seq = int(payload["audit_since"])
    for record in payload["audit"]:
        seq += 1
        if int(record["seq"]) != seq or record["prev_hash"] != prev:
            raise ChainRefused(f"workstation {ws}'s audit record {seq} does not follow on")
        if audit.record_hash(prev, seq, record) != record["hash"]:
            raise ChainRefused(f"workstation {ws}'s audit record {seq} was altered")
        prev = record["hash"]
    head = payload["audit_head"]
    if (seq, prev) != (int(head["seq"]), head["hash"]):
        raise ChainRefused(f"workstation {ws}'s audit head does not match its records")
