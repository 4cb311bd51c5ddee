"""The ledger's high-water mark: what it is known to have held, kept OUTSIDE SQLite.

SQLite keeps what it committed only as long as its files are whole.  Deleting ``ledger.db-wal``
after a crash, putting back an old copy of ``ledger.db``, or emptying the file takes committed
work away without a word — and the next sale would reuse the numbers of receipts already
printed and handed over.  So after every commit that appended audit records, the ledger writes
``ledger.mark`` beside itself: the audit log's newest sequence number and hash and the last
receipt number of each workstation.  At start, a ledger whose audit log does not reach the
mark, whose record at the mark's sequence has another hash (a different file), or whose
receipt counters are behind it, has lost work: it refuses to take money until a supervisor
accepts the loss (numbering then continues after the last receipt the mark knew, the gap
recorded in the audit log).

The mark is written in place, one fixed-size record with its own checksum, without an fsync
of its own: the ledger's commit is already on disk before the mark is written, so the mark can
be behind the ledger after a power cut (no false alarm) but never ahead of it unless the
ledger lost work.  A kill of the process leaves the written mark in the operating system's
cache, so the usual accident (a kill, then the WAL deleted) is caught.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from cashier_desk.ledger.schema import audit_log, counters

MARK_NAME = "ledger.mark"
#: Key of ``Connection.info`` under which a write transaction collects what the mark needs.
PENDING = "cashier_desk_mark"
_SIZE = 1024  # one record, always this long, written over itself
RECEIPT_KIND = "receipt"


@dataclass(frozen=True)
class Mark:
    """How far the ledger is known to have got."""

    audit_seq: int = 0
    audit_head: str = ""
    receipts: dict[str, int] = field(default_factory=dict)  # workstation -> last number

    def to_bytes(self) -> bytes:
        body = json.dumps(
            {"audit_seq": self.audit_seq, "audit_head": self.audit_head, "receipts": self.receipts},
            sort_keys=True,
            separators=(",", ":"),
        )
        digest = hashlib.sha256(body.encode()).hexdigest()
        record = f"{digest} {body}\n".encode()
        if len(record) > _SIZE:
            raise ValueError("the ledger mark grew past its record size")
        return record.ljust(_SIZE, b" ")

    @classmethod
    def from_bytes(cls, data: bytes) -> Mark | None:
        """The mark in ``data``, or None when it is torn or not a mark at all."""
        try:
            digest, body = data.decode("ascii").strip().split(" ", 1)
            if hashlib.sha256(body.encode()).hexdigest() != digest:
                return None
            obj = json.loads(body)
            receipts = {str(k): int(v) for k, v in dict(obj["receipts"]).items()}
            return cls(int(obj["audit_seq"]), str(obj["audit_head"]), receipts)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None

    def advanced(self, audit: tuple[int, str] | None, receipts: dict[str, int]) -> Mark:
        """This mark moved forward by a commit (never backward: commits may report late)."""
        seq, head = self.audit_seq, self.audit_head
        if audit is not None and audit[0] > seq:
            seq, head = audit
        merged = dict(self.receipts)
        for ws, n in receipts.items():
            merged[ws] = max(n, merged.get(ws, 0))
        return Mark(seq, head, merged)

    def last_receipt(self) -> str:
        """The newest receipt number the mark knows, for a person ("W1-000123"), or ""."""
        return ", ".join(f"{ws}-{n:06d}" for ws, n in sorted(self.receipts.items()))


def note_audit(conn: sa.Connection, seq: int, head: str) -> None:
    pending = conn.info.get(PENDING)
    if pending is not None:
        pending["audit"] = (seq, head)


def note_receipt(conn: sa.Connection, workstation: str, number: int) -> None:
    pending = conn.info.get(PENDING)
    if pending is not None:
        pending.setdefault("receipts", {})[workstation] = number


def raise_counter(conn: sa.Connection, workstation: str, last: int) -> None:
    """Move a workstation's receipt counter up to ``last`` (never down)."""
    found = conn.execute(
        sa.update(counters)
        .where(counters.c.workstation == workstation, counters.c.kind == RECEIPT_KIND)
        .values(last=sa.func.max(counters.c.last, last))
    ).rowcount
    if not found:
        conn.execute(
            sa.insert(counters).values(workstation=workstation, kind=RECEIPT_KIND, last=last)
        )


def mark_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(MARK_NAME)


def read_mark(path: Path) -> Mark | None:
    """The mark beside a ledger; None when there is none or it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return Mark.from_bytes(data)


class MarkFile:
    """The mark file, held open and written in place after each commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def write(self, mark: Mark) -> None:
        os.pwrite(self._fd, mark.to_bytes(), 0)

    def sync(self) -> None:
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def ledger_state(conn: sa.Connection) -> Mark:
    """What the ledger holds now, in the mark's terms."""
    last = conn.execute(
        sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    rows = conn.execute(
        sa.select(counters.c.workstation, counters.c.last).where(counters.c.kind == RECEIPT_KIND)
    ).all()
    return Mark(
        int(last.seq) if last else 0,
        str(last.hash) if last else "",
        {str(r.workstation): int(r.last) for r in rows},
    )


def lost_work(conn: sa.Connection, mark: Mark) -> str | None:
    """Why the ledger is behind ``mark`` (a sentence for a person), or None when it is not."""
    now = ledger_state(conn)
    for ws, n in sorted(mark.receipts.items()):
        if now.receipts.get(ws, 0) < n:
            had = now.receipts.get(ws, 0)
            held = f"receipts up to {ws}-{had:06d}" if had else "no receipts"
            return f"it holds {held} but had issued {ws}-{n:06d}"
    if mark.audit_seq > now.audit_seq:
        return (
            f"its audit log ends at record {now.audit_seq} but had reached record {mark.audit_seq}"
        )
    if mark.audit_seq:
        at_mark = conn.execute(
            sa.select(audit_log.c.hash).where(audit_log.c.seq == mark.audit_seq)
        ).scalar()
        if at_mark != mark.audit_head:
            return f"its audit record {mark.audit_seq} is not the one this folder wrote"
    return None


#: The audit action of a supervisor's accepting a loss (its details keep what was known).
ACCEPTED = "ledger_loss_accepted"


def _accepted_up_to(conn: sa.Connection) -> int:
    """The audit sequence the newest accepted loss knew of: records up to it that the ledger
    does not hold are the accepted gap, not a new loss."""
    details = conn.execute(
        sa.select(audit_log.c.details)
        .where(audit_log.c.action == ACCEPTED)
        .order_by(audit_log.c.seq.desc())
        .limit(1)
    ).scalar()
    if details is None:
        return 0
    try:
        return int(json.loads(details).get("known_audit_seq", 0))
    except (ValueError, TypeError, AttributeError):
        return 0


def behind_central(conn: sa.Connection, seen: Mark) -> str | None:
    """Why the ledger is behind what central last saw of this workstation (a sentence for a
    person), or None.  Central's books hold a closed batch's receipts and audit head; a ledger
    whose receipt counter or audit log does not reach them was put back to an older state."""
    now = ledger_state(conn)
    for ws, n in sorted(seen.receipts.items()):
        had = now.receipts.get(ws, 0)
        if had < n:
            held = f"receipts up to {ws}-{had:06d}" if had else "no receipts"
            return f"it holds {held} but central already holds {ws}-{n:06d} from it"
    if seen.audit_seq > now.audit_seq and seen.audit_seq > _accepted_up_to(conn):
        return (
            f"its audit log ends at record {now.audit_seq} but central already holds its "
            f"record {seen.audit_seq}"
        )
    return None
