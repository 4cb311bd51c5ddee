"""``cashier-desk doctor``: the health checks of a workstation, one line each.

Each check reads; none writes or asks central (a check must not hang on a network that is
down): what central refused or holds is what the ledger's outbox last heard.  A check fails
on something someone must act on; its detail says what it saw.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger import audit, crosscheck, health
from cashier_desk.ledger.backup import newest_backup
from cashier_desk.ledger.db import HEAD, REQUIRED_PRAGMAS, Ledger, read_pragmas
from cashier_desk.ledger.schema import batches, outbox, print_jobs, receipts

#: A receipt waiting this long to print means the printer needs someone.
PRINT_WAIT = timedelta(minutes=10)
#: A closed batch not at central after this long means the network or central needs someone.
SYNC_WAIT = timedelta(hours=24)
#: The newest backup may be this old (a counter closed over a long weekend is fine).
BACKUP_AGE = timedelta(days=8)
#: Free space below this, or below twice the ledger (a backup needs a copy), fails.
MIN_FREE = 200 * 1024 * 1024
#: A last receipt this far in the future of the clock means the clock went back.
CLOCK_SLACK = timedelta(minutes=5)
#: What central holds in its books: sent, there already, or held and then accepted by an admin
#: (`sync resolve`); anything else it refused or holds, or an admin rejected.
_DELIVERED = ("sent", "already_there", "accepted")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail}

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def _age(since: str, now: datetime) -> timedelta:
    at = datetime.fromisoformat(since)
    if at.tzinfo is None:
        at = at.replace(tzinfo=now.tzinfo)
    return now - at


def _words(age: timedelta) -> str:
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def check_integrity(conn: sa.Connection) -> Check:
    problem = health.integrity_check(conn)
    if problem is not None:
        return Check("integrity", False, f"PRAGMA integrity_check found: {problem}")
    found = read_pragmas(conn)
    wrong = {k: v for k, v in found.items() if v != REQUIRED_PRAGMAS[k]}
    if wrong:
        return Check(
            "integrity", False, f"integrity_check ok, but pragmas {wrong} (need {REQUIRED_PRAGMAS})"
        )
    return Check(
        "integrity", True, "integrity_check ok; journal_mode=wal synchronous=full foreign_keys=on"
    )


def check_lost_work(ledger: Ledger) -> Check:
    if ledger.loss is not None:
        return Check(
            "lost work", False, f"the ledger lost saved work: {ledger.loss} (ledger_rolled_back)"
        )
    return Check("lost work", True, "the ledger holds all it is known to have saved")


def check_audit(conn: sa.Connection) -> Check:
    """The chain, then the money rows against the records that seal them (as `audit
    verify`): rows edited with the triggers dropped break no hash of the chain itself."""
    v = audit.verify(conn)
    if not v.ok:
        return Check("audit chain", False, f"record {v.bad_seq} is bad: {v.problem}")
    differ = crosscheck.check(conn)
    if differ:
        n = len(differ) - 1
        more = f" (and {n} more; `audit verify` lists each)" if n else ""
        return Check(
            "audit chain",
            False,
            f"money rows differ from the audit records that seal them: {differ[0]}{more}",
        )
    return Check("audit chain", True, f"{v.records} records verified, money rows match them")


def check_schema(conn: sa.Connection) -> Check:
    version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    if version != HEAD:
        return Check("schema", False, f"the ledger's schema is {version}, this program's {HEAD}")
    return Check("schema", True, f"version {HEAD}")


def check_prints(conn: sa.Connection, now: datetime) -> Check:
    waiting = conn.execute(
        sa.select(sa.func.count(), sa.func.min(print_jobs.c.created_at)).where(
            print_jobs.c.printed_at.is_(None)
        )
    ).one()
    if not waiting[0]:
        return Check("printing", True, "no receipt waits to print")
    age = _age(str(waiting[1]), now)
    detail = f"{waiting[0]} waiting to print, the oldest for {_words(age)}"
    return Check("printing", age <= PRINT_WAIT, detail)


def check_sync(conn: sa.Connection, now: datetime) -> Check:
    waiting = conn.execute(
        sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(
            outbox.c.sent_at.is_(None), outbox.c.outcome.is_(None)
        )
    ).one()
    if not waiting[0]:
        return Check("sync", True, "no batch waits for central")
    age = _age(str(waiting[1]), now)
    detail = f"{waiting[0]} batch(es) waiting for central, the oldest for {_words(age)}"
    return Check("sync", age <= SYNC_WAIT, detail)


def check_refused(conn: sa.Connection) -> Check:
    rows = conn.execute(
        sa.select(outbox.c.batch_id, outbox.c.outcome)
        .where(outbox.c.outcome.is_not(None), outbox.c.outcome.not_in(_DELIVERED))
        .order_by(outbox.c.batch_id)
    ).all()
    if rows:
        named = ", ".join(f"{r.batch_id} ({r.outcome})" for r in rows[:5])
        return Check("refused batches", False, f"central refused or holds {len(rows)}: {named}")
    return Check("refused batches", True, "none")


def check_devices(rows: list[dict[str, Any]]) -> Check:
    bad = [r for r in rows if r.get("status") == "offline"]
    said = "; ".join(f"{r['device']} {r['status']}" for r in rows)
    if bad:
        problems = "; ".join(f"{r['device']} ({r['setting']}): {r['detail']}" for r in bad)
        return Check("devices", False, problems)
    return Check("devices", True, said or "none configured")


def check_disk(folder: Path, ledger_bytes: int, minimum: int = MIN_FREE) -> Check:
    free = shutil.disk_usage(folder).free
    need = max(minimum, 2 * ledger_bytes)
    mib = 1024 * 1024
    detail = f"{free // mib} MiB free in {folder} (at least {need // mib} MiB wanted)"
    return Check("disk", free >= need, detail)


def check_backup(conn: sa.Connection, folder: Path, now: datetime) -> Check:
    newest = newest_backup(folder)
    closed = conn.execute(sa.select(sa.func.count()).select_from(batches)).scalar_one()
    if newest is None:
        if not closed:
            return Check("backup", True, "no closeout yet, so no backup yet")
        return Check(
            "backup", False, f"no backup in {folder} though {closed} closeout(s) were made"
        )
    path, made = newest
    age = now - made
    return Check("backup", age <= BACKUP_AGE, f"the newest, {path.name}, is {_words(age)} old")


def check_clock(conn: sa.Connection, now: datetime, business_date: str) -> Check:
    last = conn.execute(
        sa.select(receipts.c.receipt_no, receipts.c.created_at, receipts.c.business_date)
        .order_by(receipts.c.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return Check("clock", True, f"business date {business_date}; no receipt yet")
    ahead = _age(str(last.created_at), now) < -CLOCK_SLACK
    if ahead or business_date < str(last.business_date):
        return Check(
            "clock",
            False,
            f"the clock says {now.isoformat(timespec='seconds')} (business date {business_date}) "
            f"but the last receipt {last.receipt_no} was made {last.created_at} "
            f"(business date {last.business_date}): the clock went back",
        )
    return Check(
        "clock",
        True,
        f"business date {business_date}; last receipt {last.receipt_no} of {last.business_date}",
    )


def run_checks(
    ledger: Ledger,
    *,
    now: datetime,
    business_date: str,
    backups: Path,
    devices: Callable[[], list[dict[str, Any]]],
    min_free: int = MIN_FREE,
) -> list[Check]:
    """Every check, in the order operations.md lists them."""
    with ledger.read() as conn:
        checks = [check_integrity(conn), check_lost_work(ledger), check_audit(conn)]
        checks += [check_schema(conn), check_prints(conn, now), check_sync(conn, now)]
        checks.append(check_refused(conn))
        backup = check_backup(conn, backups, now)
        clock = check_clock(conn, now, business_date)
    checks.append(check_devices(devices()))
    checks.append(check_disk(ledger.path.parent, ledger.path.stat().st_size, min_free))
    checks += [backup, clock]
    return checks


def as_json(checks: list[Check]) -> str:
    return json.dumps(
        {"ok": all(c.ok for c in checks), "checks": [c.as_json() for c in checks]},
        separators=(",", ":"),
    )
