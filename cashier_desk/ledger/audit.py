"""The hash-chained, append-only audit log of every money and control event.

Each record stores a sequence number, who, what, when, where (workstation), the outcome and
details, the SHA-256 of the previous record, and its own SHA-256 over the previous hash and its
canonical content.  Editing, deleting, inserting or reordering records breaks the chain, and
:func:`verify` names the first record that does not fit.  The newest sequence number is also
kept in the counters table, so that cutting records off the end is noticed too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger import watermark
from cashier_desk.ledger.counters import next_number, peek
from cashier_desk.ledger.db import FastInsert
from cashier_desk.ledger.schema import audit_log

GENESIS = "0" * 64
_COUNTER_WS = "*"  # one audit chain per ledger file, whatever the workstation id
_COUNTER_KIND = "audit"


# One encoder for every record: json.dumps with options builds a new encoder on each call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True)


#: How canonical() writes a string (ensure_ascii: the C encoder's own quoting).
_quote = json.encoder.encode_basestring_ascii


def canonical(obj: Any) -> str:
    return _CANONICAL.encode(obj)


def record_hash(prev_hash: str, seq: int, row: Mapping[str, Any] | sa.RowMapping) -> str:
    at, workstation, actor = row["at"], row["workstation"], row["actor"]
    action, target, outcome, details = row["action"], row["target"], row["outcome"], row["details"]
    if (
        type(seq) is int
        and type(at) is str
        and type(workstation) is str
        and type(actor) is str
        and type(action) is str
        and type(target) is str
        and type(outcome) is str
        and type(details) is str
    ):  # written out: all() over a generator cost a central 7 ms a 1,000 records
        # What canonical() writes of these eight (keys sorted), without building the dict:
        # a central re-hashes every record of every batch.
        content = (
            f'{{"action":{_quote(action)},"actor":{_quote(actor)},"at":{_quote(at)},'
            f'"details":{_quote(details)},"outcome":{_quote(outcome)},"seq":{seq},'
            f'"target":{_quote(target)},"workstation":{_quote(workstation)}}}'
        )
    else:
        content = canonical(
            {
                "seq": seq,
                "at": at,
                "workstation": workstation,
                "actor": actor,
                "action": action,
                "target": target,
                "outcome": outcome,
                "details": details,
            }
        )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


_LAST = sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
_INSERT = FastInsert(audit_log)


def append(
    conn: sa.Connection,
    *,
    at: str,
    workstation: str,
    actor: str,
    action: str,
    target: str = "",
    outcome: str = "ok",
    details: Mapping[str, Any] | None = None,
) -> int:
    """Add one record inside the caller's write transaction; returns its sequence number."""
    last = conn.execute(_LAST).first()
    prev_hash = last.hash if last is not None else GENESIS
    seq = next_number(conn, _COUNTER_WS, _COUNTER_KIND)
    row = {
        "at": at,
        "workstation": workstation,
        "actor": actor,
        "action": action,
        "target": target,
        "outcome": outcome,
        "details": canonical(dict(details or {})),
    }
    digest = record_hash(prev_hash, seq, row)
    _INSERT.one(conn, {"seq": seq, "prev_hash": prev_hash, "hash": digest, **row})
    watermark.note_audit(conn, seq, digest)
    return seq


def head(conn: sa.Connection) -> tuple[int, str]:
    """The newest record's sequence number and hash ((0, GENESIS) for an empty log)."""
    last = conn.execute(_LAST).first()
    return (0, GENESIS) if last is None else (int(last.seq), str(last.hash))


@dataclass(frozen=True)
class Verification:
    ok: bool
    records: int
    bad_seq: int | None = None
    problem: str = ""
    #: What the cross-check of the money rows found (``ledger/crosscheck.py``), if it ran.
    problems: tuple[str, ...] = ()


def verify(conn: sa.Connection) -> Verification:
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    for row in conn.execute(sa.select(audit_log).order_by(audit_log.c.seq)).mappings():
        seq = int(row["seq"])
        if seq != expected_seq:
            return Verification(False, count, expected_seq, f"record {expected_seq} is missing")
        if row["prev_hash"] != prev_hash:
            return Verification(False, count, seq, "it does not follow the record before it")
        if record_hash(prev_hash, seq, row) != row["hash"]:
            return Verification(False, count, seq, "its content was altered")
        prev_hash = row["hash"]
        expected_seq += 1
        count += 1
    newest = peek(conn, _COUNTER_WS, _COUNTER_KIND)
    if newest != count:
        bad = count + 1 if newest > count else newest
        return Verification(False, count, bad, f"the log should end at record {newest}")
    return Verification(True, count)
