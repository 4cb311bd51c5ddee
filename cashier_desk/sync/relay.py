"""The outbox relay: sends closed batches to central until each is acknowledged.

The closeout wrote each batch and its outbox row in one local transaction; the relay sends
what is pending, oldest first, and marks a row only after central acknowledged it ("sent" or
"already there").  A cut connection leaves the row pending (its attempts and last error noted)
and the next pass sends it again — central takes a batch once, so a resend never posts twice.
Each pass first asks central which of this workstation's batches it holds and sends every one
it lacks, whatever the outbox says (a changed central URL loses nothing).  A batch central
refuses (a conflict, or an audit chain that does not follow on) is held there in quarantine
and the next ones still go; it is logged and audited here and waits for an admin's decision.
In the window a background thread runs the relay after each closeout and every few minutes,
backing off with jitter (tenacity) while central is unreachable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, cast

import sqlalchemy as sa

from cashier_desk.ledger import audit
from cashier_desk.ledger.db import Ledger
from cashier_desk.ledger.schema import audit_log, batches, outbox

# Central's modules (its schema, books, checks) load on the relay's own thread at its first
# contact with central, not at start: each method that needs them imports them.

if TYPE_CHECKING:
    from tenacity import RetryCallState

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def exc_reason(exc: Exception) -> str:
    from cashier_desk.sync import central

    return str(exc) if isinstance(exc, central.CentralError) else central._reason(exc)


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
    sent: int = 0  # batches central took into its books in this pass (resent included)
    already_there: int = 0
    pending: int = 0
    quarantined: int = 0  # this workstation's batches central holds in quarantine, undecided
    resent: int = 0  # of ``sent``: marked sent here, but the central asked did not have them
    problems: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)  # "batch X: why", for the quarantined
    held_now: list[str] = field(default_factory=list)  # of those, the ones held in this pass
    unreachable: str | None = None
    ledger_behind: str | None = None  # how the ledger is behind what central saw of it
    flagged: str | None = None  # central's flag on this contact's audit head (behind, fork)
    refused: bool = False  # central takes nothing from this workstation (not registered)


def describe(embedded: bool, pending: int, quarantined: int) -> str:
    """One short line for the window's status bar: where batches go and what waits."""

    def batches(n: int) -> str:
        return f"{n} batch" if n == 1 else f"{n} batches"

    parts = ["this machine only"] if embedded else []
    if pending:
        parts.append(f"{batches(pending)} waiting")
    if quarantined:
        parts.append(f"{batches(quarantined)} in quarantine")
    return "central: " + " · ".join(parts) if parts else ""


#: The outbox outcome of a batch whose payload here does not match its own SHA-256: it is
#: never sent (central could not trust it) and waits for a person.
DAMAGED = "damaged"


@dataclass(frozen=True)
class _Local:
    batch_id: str
    sha256: str
    pending: bool
    outcome: str | None


class Relay:
    def __init__(
        self,
        ledger: Ledger,
        central_url: str,
        *,
        workstation: str,
        clock: Clock,
        interval: int = 180,
        embedded: bool = False,
    ) -> None:
        self.ledger = ledger
        self.central_url = central_url
        self.workstation = workstation
        self.clock = clock
        self.interval = interval
        self.embedded = embedded  # central is the data dir's own central.db
        self.last: SyncResult | None = None
        self.flagged: str | None = None  # central's flag on the last contact
        self._engine: sa.Engine | None = None
        self._engine_url: str | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_result: Callable[[SyncResult], None] | None = None

    def engine(self) -> sa.Engine:
        from cashier_desk.sync import central

        if self._engine is None or self._engine_url != self.central_url:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = central.engine_for(self.central_url)
            self._engine_url = self.central_url
        return self._engine

    def pending(self) -> int:
        return pending_batches(self.ledger)

    def status_text(self) -> str:
        quarantined = self.last.quarantined if self.last is not None else 0
        return describe(self.embedded, self.pending(), quarantined)

    def push(self) -> SyncResult:
        """One pass over the outbox; never raises for a network or central problem."""
        with self._lock:
            result = self._push()
            self.last = result
        if self.on_result is not None:
            self.on_result(result)
        return result

    def check_ledger(self) -> str | None:
        """Ask central what it last saw of this workstation: a ledger behind it lost work
        (see ``seen``) and refuses money from now on.  The loss found, if any; never raises."""
        from cashier_desk.sync import central, seen

        try:
            engine = self.engine()
        except central.CentralError:
            return None
        return seen.compare(engine, self.workstation, self.ledger)

    def _local(self) -> list[_Local]:
        with self.ledger.read() as conn:
            rows = conn.execute(
                sa.select(
                    batches.c.id,
                    batches.c.sha256,
                    outbox.c.sent_at.is_(None) & outbox.c.outcome.is_(None),
                    outbox.c.outcome,
                )
                .join(outbox, batches.c.id == outbox.c.batch_id)
                .order_by(batches.c.created_at, batches.c.id)
            ).all()
        return [_Local(str(b), str(h), bool(p), o) for b, h, p, o in rows]

    def _payload(self, batch_id: str) -> str:
        with self.ledger.read() as conn:
            return str(
                conn.execute(sa.select(batches.c.payload).where(batches.c.id == batch_id)).scalar()
            )

    def anchor(self) -> str | None:
        """Show central this workstation's audit head now (a sync contact, ``contacts``):
        central's flag on it (behind what it saw, a fork), or None.  Raises CentralError,
        access.UnknownWorkstation and SQLAlchemy's errors; an embedded central not made yet
        is left unmade."""
        from cashier_desk.sync import central

        if self.embedded and not self._central_made():
            return None
        engine = self.engine()
        central.ensure_ready(engine)
        with self.ledger.read() as conn:
            head = audit.head(conn)
        flag = central.contact(
            engine, self.workstation, head, self.clock().isoformat(), self._hash_at
        )
        self.flagged = flag
        if flag is not None:
            log.error("central flags this workstation's audit chain: %s", flag)
        return flag

    def _central_made(self) -> bool:
        from pathlib import Path

        url = sa.make_url(self.central_url)
        if not url.drivername.startswith("sqlite"):
            return True
        db = url.database
        return db is not None and db not in ("", ":memory:") and Path(db).is_file()

    def _hash_at(self, seq: int) -> str | None:
        with self.ledger.read() as conn:
            found = conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.seq == seq))
            return found.scalar()

    def _push(self) -> SyncResult:
        """Send what waits (``_send``), then anchor the audit head at central (a contact,
        even with nothing to send)."""
        from cashier_desk.sync import access, central

        result = SyncResult()
        local = self._local()
        result.ledger_behind = self.check_ledger()
        if local:
            self._send(result, local)
        if result.unreachable is not None or result.refused:
            return result
        try:
            result.flagged = self.anchor()
        except access.UnknownWorkstation as exc:
            log.warning("central takes no contact from %s: %s", self.workstation, exc)
        except (central.CentralError, sa.exc.SQLAlchemyError) as exc:
            log.warning("the contact with central failed: %s", exc_reason(exc))
            if local:
                result.unreachable = exc_reason(exc)
        return result

    def _send(self, result: SyncResult, local: list[_Local]) -> SyncResult:
        """Ask central which of this workstation's batches it holds, then send, oldest first,
        every batch still pending here and every one central does not hold (whatever this
        workstation noted: the central URL may have changed since)."""
        from cashier_desk.sync import access, central, quarantine

        waiting = [b for b in local if b.pending]
        try:
            central.ensure_ready(self.engine())
            there = quarantine.held(self.engine(), self.workstation)
        except (central.CentralError, sa.exc.SQLAlchemyError) as exc:
            reason = exc_reason(exc)
            if waiting:
                self._note_failure(waiting[0].batch_id, reason)
            result.unreachable = reason
            result.pending = len(waiting)
            return result
        to_send = [
            b
            for b in local
            if b.pending or (b.outcome != DAMAGED and (b.batch_id, b.sha256) not in there)
        ]
        result.problems += [
            f"batch {b.batch_id}: it does not match its own SHA-256 here and is not sent"
            for b in local
            if b.outcome == DAMAGED
        ]
        for i, row in enumerate(to_send):
            now = self.clock().isoformat()
            try:
                outcome = central.deliver(
                    self.engine(), self._payload(row.batch_id), row.sha256, now
                )
            except access.UnknownWorkstation as exc:
                # Not this batch's fault: none of this workstation's batches can go.
                self._note_failure(row.batch_id, str(exc))
                result.problems.append(f"central refuses this workstation's batches: {exc}")
                result.refused = True
                result.pending = sum(1 for b in to_send[i:] if b.pending)
                log.error("central refuses workstation %s: %s", self.workstation, exc)
                return result
            except central.BatchConflict as exc:
                self._mark(row.batch_id, DAMAGED, str(exc))
                result.problems.append(f"batch {row.batch_id}: {exc}")
                log.error("central refused batch %s: %s", row.batch_id, exc)
                continue
            except sa.exc.SQLAlchemyError as exc:
                reason = central._reason(exc)
                self._note_failure(row.batch_id, reason)
                result.unreachable = reason
                result.pending = len(to_send) - i
                log.warning("central unreachable; batch %s waits: %s", row.batch_id, reason)
                return result
            if outcome == "quarantined":
                try:
                    why = self._quarantined(row.batch_id)
                except sa.exc.SQLAlchemyError:
                    why = "held in quarantine at central"
                self._mark(row.batch_id, outcome, why, delivered=True)
                if row.pending:
                    result.held_now.append(f"batch {row.batch_id}: {why}")
                log.error("central holds batch %s in quarantine: %s", row.batch_id, why)
                continue
            self._mark(row.batch_id, outcome, None, resent=not row.pending)
            if outcome == "sent":
                result.sent += 1
                result.resent += not row.pending
            else:
                result.already_there += 1
        try:
            held_back = quarantine.undecided(self.engine(), self.workstation)
        except sa.exc.SQLAlchemyError as exc:
            result.unreachable = central._reason(exc)
            return result
        result.quarantined = len(held_back)
        result.held_back = [f"batch {q['batch_id']}: {q['problem']}" for q in held_back]
        if result.resent:
            log.warning(
                "%d batch(es) marked sent here were not at %s and went again",
                result.resent,
                self.engine().url.render_as_string(hide_password=True),
            )
        return result

    def _quarantined(self, batch_id: str) -> str:
        from cashier_desk.sync import quarantine

        for q in quarantine.undecided(self.engine(), self.workstation):
            if q["batch_id"] == batch_id:
                return str(q["problem"])
        return "held in quarantine at central"

    def _mark(
        self,
        batch_id: str,
        outcome: str,
        problem: str | None,
        *,
        delivered: bool = False,
        resent: bool = False,
    ) -> None:
        now = self.clock().isoformat()
        with self.ledger.write() as conn:
            values: dict[str, object] = {"attempts": outbox.c.attempts + 1, "outcome": outcome}
            if problem is None or delivered:
                values["sent_at"] = now
            if problem is not None:
                values["last_error"] = problem
            conn.execute(sa.update(outbox).where(outbox.c.batch_id == batch_id).values(**values))
            details: dict[str, object] = {"problem": problem} if problem else {}
            if resent:
                details["resent_to"] = self.engine().url.render_as_string(hide_password=True)
            audit.append(
                conn,
                at=now,
                workstation=self.workstation,
                actor="system",
                action="sync",
                target=batch_id,
                outcome=outcome,
                details=details,
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
        wait = backoff()
        failures = 0
        while not self._stop.is_set():
            try:
                result = self.push()
            except Exception:
                log.exception("the sync relay failed; it will try again")
                result = SyncResult(unreachable="internal error")
            if result.unreachable:
                failures += 1
                delay: float = wait(failures)
            else:
                failures = 0
                delay = self.interval
            self._wake.wait(delay)
            self._wake.clear()


def backoff() -> Callable[[int], float]:
    """Seconds to wait after the n-th failure in a row: 2, 4, 8 … 300, with up to 2 s of
    jitter so the counters of a city do not all call central at once (tenacity, imported on
    the relay's thread)."""
    from tenacity import wait_exponential, wait_random

    strategy = wait_exponential(multiplier=2, max=300, exp_base=2) + wait_random(0, 2)
    return lambda failures: strategy(cast("RetryCallState", _Attempt(failures)))


@dataclass
class _Attempt:
    """What tenacity's wait strategies read from a retry state."""

    attempt_number: int
