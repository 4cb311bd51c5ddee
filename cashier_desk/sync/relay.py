"""The outbox relay: sends closed batches to central until each is acknowledged.

The closeout wrote each batch and its outbox row in one local transaction; the relay sends
what is pending, oldest first, and marks a row only after central acknowledged it ("sent" or
"already there").  A cut connection leaves the row pending (its attempts and last error noted)
and the next pass sends it again — central takes a batch once, so a resend never posts twice.
A conflict or a refused audit chain is kept locally, logged and audited, and waits for a
person.  In the window a background thread runs the relay after each closeout and every few
minutes, backing off with jitter (tenacity) while central is unreachable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from tenacity import RetryCallState, wait_exponential_jitter

from cashier_desk.ledger import audit
from cashier_desk.ledger.db import Ledger
from cashier_desk.ledger.schema import batches, outbox
from cashier_desk.sync import central

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def pending_batches(ledger: Ledger) -> int:
    """Closed batches in the outbox that central has not acknowledged (nor refused)."""
    with ledger.read() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).where(
                    outbox.c.sent_at.is_(None), outbox.c.outcome.is_(None)
                )
            ).scalar_one()
        )


@dataclass
class SyncResult:
    sent: int = 0
    already_there: int = 0
    pending: int = 0
    problems: list[str] = field(default_factory=list)
    unreachable: str | None = None


class Relay:
    def __init__(
        self,
        ledger: Ledger,
        central_url: str,
        *,
        workstation: str,
        clock: Clock,
        interval: int = 180,
    ) -> None:
        self.ledger = ledger
        self.central_url = central_url
        self.workstation = workstation
        self.clock = clock
        self.interval = interval
        self._engine: sa.Engine | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_result: Callable[[SyncResult], None] | None = None

    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = central.engine_for(self.central_url)
        return self._engine

    def pending(self) -> int:
        return pending_batches(self.ledger)

    def push(self) -> SyncResult:
        """One pass over the outbox; never raises for a network or central problem."""
        with self._lock:
            result = self._push()
        if self.on_result is not None:
            self.on_result(result)
        return result

    def _push(self) -> SyncResult:
        result = SyncResult()
        with self.ledger.read() as conn:
            waiting = conn.execute(
                sa.select(outbox.c.batch_id, batches.c.payload, batches.c.sha256)
                .join(batches, batches.c.id == outbox.c.batch_id)
                .where(outbox.c.sent_at.is_(None), outbox.c.outcome.is_(None))
                .order_by(batches.c.created_at, batches.c.id)
            ).all()
        if waiting:
            try:
                central.ensure_ready(self.engine())
            except central.CentralError as exc:
                self._note_failure(waiting[0].batch_id, str(exc))
                result.unreachable = str(exc)
                result.pending = len(waiting)
                return result
        for i, row in enumerate(waiting):
            now = self.clock().isoformat()
            try:
                outcome = central.deliver(self.engine(), row.payload, row.sha256, now)
            except (central.BatchConflict, central.ChainRefused) as exc:
                kind = "conflict" if isinstance(exc, central.BatchConflict) else "refused"
                self._mark(row.batch_id, kind, str(exc))
                result.problems.append(f"batch {row.batch_id}: {exc}")
                log.error("central refused batch %s: %s", row.batch_id, exc)
                continue
            except sa.exc.SQLAlchemyError as exc:
                reason = central._reason(exc)
                self._note_failure(row.batch_id, reason)
                result.unreachable = reason
                result.pending = len(waiting) - i
                log.warning("central unreachable; batch %s waits: %s", row.batch_id, reason)
                return result
            self._mark(row.batch_id, outcome, None)
            if outcome == "sent":
                result.sent += 1
            else:
                result.already_there += 1
        return result

    def _mark(self, batch_id: str, outcome: str, problem: str | None) -> None:
        now = self.clock().isoformat()
        with self.ledger.write() as conn:
            values: dict[str, object] = {"attempts": outbox.c.attempts + 1, "outcome": outcome}
            if problem is None:
                values["sent_at"] = now
            else:
                values["last_error"] = problem
            conn.execute(sa.update(outbox).where(outbox.c.batch_id == batch_id).values(**values))
            audit.append(
                conn,
                at=now,
                workstation=self.workstation,
                actor="system",
                action="sync",
                target=batch_id,
                outcome=outcome,
                details={"problem": problem} if problem else {},
            )

    def _note_failure(self, batch_id: str, reason: str) -> None:
        with self.ledger.write() as conn:
            conn.execute(
                sa.update(outbox)
                .where(outbox.c.batch_id == batch_id)
                .values(attempts=outbox.c.attempts + 1, last_error=reason[:500])
            )

    # -- background ------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sync-relay", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _run(self) -> None:
        backoff = wait_exponential_jitter(initial=2, max=300, exp_base=2, jitter=2)
        failures = 0
        while not self._stop.is_set():
            try:
                result = self.push()
            except Exception:
                log.exception("the sync relay failed; it will try again")
                result = SyncResult(unreachable="internal error")
            if result.unreachable:
                failures += 1
                delay: float = backoff(cast(RetryCallState, _Attempt(failures)))
            else:
                failures = 0
                delay = self.interval
            self._wake.wait(delay)
            self._wake.clear()


@dataclass
class _Attempt:
    """What tenacity's wait strategies read from a retry state."""

    attempt_number: int
