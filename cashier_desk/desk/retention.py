"""`retention purge` (operations.md "Retention (F11)", GC 34090): an admin removes from the
local ledger the closeout batches older than the retention period that central acknowledged,
recording the council resolution that allows it.

The cutoff is the earlier of ``--before`` and the retention limit (the business date today
less ``[retention] years``): a batch goes only when both allow it.  What may go is decided in
``ledger/retention.py`` again inside the writing transaction, so a batch sent or made
meanwhile is judged as it is then.  The purge leaves a ``retention_checkpoint`` audit record
(the chain head it cut at, the batches and sessions removed, the counts and sums) in the same
transaction; central is never touched.  A dry run needs the same admin and writes nothing.
The Desk lends :meth:`Retention.purge` as ``retention_purge``.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date
from typing import Any

from cashier_desk.desk import authority
from cashier_desk.desk.requests import iso_day
from cashier_desk.desk.station import Station
from cashier_desk.errors import Refusal
from cashier_desk.ledger import audit, crosscheck, health, retention
from cashier_desk.text import TextError, clean_text

log = logging.getLogger(__name__)

COMMAND = "retention purge"
ACTION = "retention_checkpoint"


def retention_limit(today: str, years: int) -> str:
    """The first business date inside the retention period: ``today`` less ``years`` (29
    February becomes 28 February)."""
    day = date.fromisoformat(today)
    try:
        return day.replace(year=day.year - years).isoformat()
    except ValueError:
        return day.replace(year=day.year - years, day=28).isoformat()


def _checked(before: object, resolution: object) -> tuple[str, str]:
    before = iso_day(before, "2021-07-01", "--before")
    try:
        text = clean_text(resolution, "--resolution", max_len=400)
    except TextError as exc:
        raise Refusal(
            "bad_text",
            f"{exc}: give the council resolution and the attorney's consent that allow the "
            'purge (GC 34090), e.g. --resolution "Res. 2026-14; City Attorney consent 3/2/2026".',
        ) from None
    return before, text


@dataclasses.dataclass(frozen=True)
class Purged:
    """What a purge removed (or, in a dry run, would), what it kept, and its checkpoint."""

    dry_run: bool
    before: str
    retention_years: int
    retention_limit: str
    cutoff: str
    resolution: str
    found: retention.Purge
    checkpoint: tuple[int, str, int] | None = None  # seq, hash, the head it cut at

    def as_json(self) -> dict[str, Any]:
        """The command's stdout (operations.md: what was, or would be, removed)."""
        seq = self.checkpoint
        return {
            "ok": True,
            "dry_run": self.dry_run,
            "before": self.before,
            "retention_years": self.retention_years,
            "retention_limit": self.retention_limit,
            "cutoff": self.cutoff,
            "resolution": self.resolution,
            "removed": self.found.as_json(),
            "kept": self.found.kept,
            "checkpoint": None
            if seq is None
            else {"seq": seq[0], "hash": seq[1], "cut_at": seq[2]},
        }


class Retention:
    """`retention purge`, seen from the Desk."""

    def __init__(self, station: Station) -> None:
        self.st = station

    def _sound(self) -> None:
        """Refuse a ledger that lost work, has damaged pages or fails `audit verify`: a purge
        must not take away the rows that show what is wrong."""
        self.st.ledger_whole()
        with self.st.ledger.read() as conn:
            problem = health.integrity_check(conn)
            if problem is not None:
                message = health.corrupt_message(self.st.ledger.path, problem)
                raise Refusal("ledger_corrupt", message)
            chain = audit.verify(conn)
            found = [str(p) for p in crosscheck.check(conn)]
        if not chain.ok or found:
            first = chain.problem if not chain.ok else found[0]
            raise Refusal(
                "audit_failed",
                f"The ledger fails audit verify ({first}); nothing was purged. A supervisor "
                "looks into it first (cashier-desk audit verify).",
            )

    def purge(
        self,
        before: str,
        resolution: str,
        *,
        login: str | None,
        pin: str | None,
        dry_run: bool = False,
    ) -> Purged:
        """Remove (or with ``dry_run`` only list) what a purge before ``before`` may remove.
        Refused ``bad_date`` / ``bad_text`` (nothing asked, nothing written),
        ``not_authorized`` (audited), or on a ledger that is not sound (see ``_sound``)."""
        day, text = _checked(before, resolution)
        admin = authority.authorize(self.st, COMMAND, login, pin)
        self._sound()
        years = self.st.config.retention_years
        limit = retention_limit(self.st.business_date(), years)
        cutoff = min(day, limit)
        done = Purged(dry_run, day, years, limit, cutoff, text, retention.Purge(cutoff))
        if dry_run:
            with self.st.ledger.read() as conn:
                return dataclasses.replace(done, found=retention.plan(conn, cutoff))
        with self.st.ledger.write() as conn:
            found = retention.plan(conn, cutoff)
            if not found.batches:
                return dataclasses.replace(done, found=found)
            seq, digest = audit.head(conn)
            retention.remove(conn, found)
            details = {
                "head": {"seq": seq, "hash": digest},
                "before": day,
                "cutoff": cutoff,
                "retention_years": years,
                "resolution": text,
                **found.as_json(),
            }
            self.st.audit(conn, ACTION, cutoff, details, actor=admin.login)
            new_seq, new_hash = audit.head(conn)
        log.info(
            "retention purge by %s before %s: %d batch(es), %d session(s) removed; checkpoint #%d",
            admin.login, cutoff, len(found.batches), len(found.sessions), new_seq,
        )  # fmt: skip
        return dataclasses.replace(done, found=found, checkpoint=(new_seq, new_hash, seq))
