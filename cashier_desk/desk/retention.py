"""`retention purge` (operations.md "Retention (F11)", GC 34090): an admin removes from the
local ledger the closeout batches older than the retention period that central acknowledged,
recording the council resolution that allows it.

The cutoff is the earlier of ``--before`` and the retention limit (the business date today
less ``[retention] years``): a batch goes only when both allow it.  What may go is decided in
``ledger/retention.py`` again inside the writing transaction, so a batch sent or made
meanwhile is judged as it is then.  The purge leaves a ``retention_checkpoint`` audit record
(the chain head it cut at, the batches and sessions removed, the counts and sums) in the same
transaction; central is never touched.  A dry run needs the same admin and writes nothing.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from cashier_desk.desk import authority
from cashier_desk.desk.requests import is_iso_date
from cashier_desk.errors import Refusal
from cashier_desk.ledger import audit, health, retention
from cashier_desk.text import TextError, clean_text

if TYPE_CHECKING:
    from cashier_desk.desk.base import DeskBase

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
    if not isinstance(before, str) or not is_iso_date(before):
        raise Refusal("bad_date", f"--before {before!r} is not a date like 2021-07-01.")
    try:
        text = clean_text(resolution, "--resolution", max_len=400)
    except TextError as exc:
        raise Refusal(
            "bad_text",
            f"{exc}: give the council resolution and the attorney's consent that allow the "
            'purge (GC 34090), e.g. --resolution "Res. 2026-14; City Attorney consent 3/2/2026".',
        ) from None
    return before, text


def _sound(desk: DeskBase) -> None:
    """Refuse a ledger that lost work, has damaged pages or fails `audit verify`: a purge
    must not take away the rows that show what is wrong."""
    desk._ledger_whole()
    with desk.ledger.read() as conn:
        problem = health.integrity_check(conn)
    if problem is not None:
        raise Refusal("ledger_corrupt", health.corrupt_message(desk.ledger.path, problem))
    checked = desk.verify_audit()
    if not checked.ok:
        first = checked.problem or (checked.problems[0] if checked.problems else "")
        raise Refusal(
            "audit_failed",
            f"The ledger fails audit verify ({first}); nothing was purged. A supervisor "
            "looks into it first (cashier-desk audit verify).",
        )


def purge(
    desk: DeskBase,
    before: object,
    resolution: object,
    *,
    login: object,
    pin: object,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Remove (or with ``dry_run`` only list) what a purge before ``before`` may remove.
    Refused ``bad_date`` / ``bad_text`` (nothing asked, nothing written) or
    ``not_authorized`` (audited) otherwise."""
    day, text = _checked(before, resolution)
    admin = authority.authorize(desk, COMMAND, login, pin)
    _sound(desk)
    years = desk.config.retention_years
    limit = retention_limit(desk.business_date(), years)
    cutoff = min(day, limit)
    out: dict[str, Any] = {
        "ok": True,
        "dry_run": dry_run,
        "before": day,
        "retention_years": years,
        "retention_limit": limit,
        "cutoff": cutoff,
        "resolution": text,
    }
    if dry_run:
        with desk.ledger.read() as conn:
            found = retention.plan(conn, cutoff)
        return {**out, "removed": found.as_json(), "kept": found.kept, "checkpoint": None}
    with desk.ledger.write() as conn:
        found = retention.plan(conn, cutoff)
        if not found.batches:
            return {**out, "removed": found.as_json(), "kept": found.kept, "checkpoint": None}
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
        desk._audit(conn, ACTION, cutoff, details, actor=admin.login)
        checkpoint = audit.head(conn)
    log.info(
        "retention purge by %s before %s: %d batch(es), %d session(s) removed; checkpoint #%d",
        admin.login, cutoff, len(found.batches), len(found.sessions), checkpoint[0],
    )  # fmt: skip
    return {
        **out,
        "removed": found.as_json(),
        "kept": found.kept,
        "checkpoint": {"seq": checkpoint[0], "hash": checkpoint[1], "cut_at": seq},
    }
