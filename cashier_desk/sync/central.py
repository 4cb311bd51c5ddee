"""The central side: create or upgrade the central database, take a batch exactly once, and
answer the finance office's questions (totals of a day, what each workstation sent).

A batch goes in whole, in one transaction keyed by its id.  The same id with the same SHA-256
is "already there" (acknowledged, not posted twice); the same id with another hash is a
conflict, refused and never overwritten.  Each batch carries the audit records since its
workstation's previous batch: central re-computes their links from the last head it holds, so a
workstation whose audit chain was rewritten is refused.  The same code serves SQLite (the
embedded default) and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config

from cashier_desk.ledger import audit
from cashier_desk.ledger.posting import TENDER_KINDS
from cashier_desk.money import Money
from cashier_desk.sync import schema as c

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "central_alembic_version"
WORKSTATION_ROLE = "cashier_workstation"


class CentralError(RuntimeError):
    """The central database cannot be used (unreachable, not initialised)."""


class BatchConflict(Exception):
    """Central holds this batch id with other content; nothing was overwritten."""


class ChainRefused(Exception):
    """The batch's audit chain does not extend what central last saw from the workstation."""


def engine_for(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def revision(engine: sa.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def init_central(engine: sa.Engine, *, role: str | None = WORKSTATION_ROLE) -> str | None:
    """Create or upgrade the central schema; on PostgreSQL also the workstations' role, which
    may INSERT and SELECT batch data and never UPDATE or DELETE it."""
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    if role and engine.dialect.name == "postgresql":
        _grant_workstation_role(engine, role)
    return revision(engine)


def _grant_workstation_role(engine: sa.Engine, role: str) -> None:
    if not role.replace("_", "").isalnum():
        raise CentralError(f"{role!r} is not a role name")
    with engine.begin() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).scalar()
        if not exists:
            # Two inits at once may both see no role: the loser's CREATE fails harmlessly.
            conn.execute(
                sa.text(
                    "DO $$ BEGIN "
                    f'CREATE ROLE "{role}" LOGIN; '
                    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
                    "END $$"
                )
            )
        conn.execute(sa.text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        tables = ", ".join(f'"{t}"' for t in c.BATCH_TABLES)
        conn.execute(sa.text(f'REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM "{role}"'))
        conn.execute(sa.text(f'GRANT SELECT, INSERT ON {tables} TO "{role}"'))
        refs = ", ".join(f'"{t}"' for t in ("ref_revenue_codes", "ref_users", "ref_open_items"))
        conn.execute(sa.text(f'GRANT SELECT ON {refs}, "{VERSION_TABLE}" TO "{role}"'))
        conn.execute(sa.text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))


def ensure_ready(engine: sa.Engine) -> None:
    """The embedded SQLite central is created on first use; PostgreSQL must be initialised
    by an administrator (`cashier-desk central init`)."""
    try:
        current = revision(engine)
    except sa.exc.SQLAlchemyError as exc:
        raise CentralError(f"the central database cannot be reached: {_reason(exc)}") from exc
    if current == head_revision():
        return
    if engine.dialect.name == "sqlite":
        init_central(engine)
        return
    raise CentralError(
        "the central database is not initialised at this version: "
        "run `cashier-desk central init` as its administrator"
    )


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# -- taking a batch ------------------------------------------------------------------------


def deliver(engine: sa.Engine, payload_text: str, sha256: str, received_at: str) -> str:
    """Post one batch; "sent" or "already_there".  Raises BatchConflict or ChainRefused (and
    SQLAlchemy's errors when the connection fails; the caller retries)."""
    if hashlib.sha256(payload_text.encode()).hexdigest() != sha256:
        raise BatchConflict("the batch does not match its own SHA-256")
    payload = json.loads(payload_text)
    batch_id = payload["batch"]
    try:
        with engine.begin() as conn:
            known = conn.execute(
                sa.select(c.batches.c.sha256).where(c.batches.c.id == batch_id)
            ).scalar()
            if known is not None:
                return _same_or_conflict(batch_id, known, sha256)
            _check_chain(conn, payload)
            _insert_batch(conn, payload, payload_text, sha256, received_at)
    except sa.exc.IntegrityError:
        # Another delivery of the same batch won the race: compare what it stored.
        with engine.connect() as conn:
            known = conn.execute(
                sa.select(c.batches.c.sha256).where(c.batches.c.id == batch_id)
            ).scalar()
        if known is None:
            raise
        return _same_or_conflict(batch_id, known, sha256)
    return "sent"


def _same_or_conflict(batch_id: str, known: str, sha256: str) -> str:
    if known == sha256:
        return "already_there"
    raise BatchConflict(
        f"central already holds batch {batch_id} with other content "
        f"(central {known[:12]}…, here {sha256[:12]}…); nothing was overwritten"
    )


def _check_chain(conn: sa.Connection, payload: Mapping[str, Any]) -> None:
    ws = payload["workstation"]
    last = conn.execute(
        sa.select(c.chain_heads.c.seq, c.chain_heads.c.hash)
        .where(c.chain_heads.c.workstation == ws)
        .order_by(c.chain_heads.c.seq.desc())
        .limit(1)
    ).first()
    last_seq, last_hash = (0, audit.GENESIS) if last is None else (int(last.seq), last.hash)
    if int(payload["audit_since"]) != last_seq:
        raise ChainRefused(
            f"workstation {ws}'s audit chain continues from record {payload['audit_since']}, "
            f"but central last saw record {last_seq}"
        )
    prev = last_hash
    seq = last_seq
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


def _bulk(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the batch's transaction: COPY on PostgreSQL (one round trip for the
    lot), executemany elsewhere."""
    if not rows:
        return
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql" and raw is not None and hasattr(raw, "cursor"):
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    conn.execute(sa.insert(table), rows)


def _cents(text: str) -> int:
    return Money.parse(text).cents


def _insert_batch(
    conn: sa.Connection, p: Mapping[str, Any], text: str, sha256: str, received_at: str
) -> None:
    bid = p["batch"]
    summary = p["summary"]
    detail = p["detail"]
    conn.execute(
        sa.insert(c.batches).values(
            id=bid,
            workstation=p["workstation"],
            business_date=p["business_date"],
            sha256=sha256,
            payload=text,
            approver=p["approver"],
            receipts=int(summary["receipts"]),
            voids=int(summary["voids"]),
            received_at=received_at,
        )
    )
    if detail["sessions"]:
        conn.execute(
            sa.insert(c.sessions),
            [
                {
                    "id": s["id"],
                    "batch_id": bid,
                    "workstation": s["workstation"],
                    "drawer": s["drawer"],
                    "cashier": s["cashier"],
                    "business_date": s["business_date"],
                    "opening_cents": s["opening_cents"],
                }
                for s in detail["sessions"]
            ],
        )
    numbers = {r["id"]: r["receipt_no"] for r in detail["receipts"]}
    voided = {v["receipt_id"] for v in detail["voids"]}
    if detail["receipts"]:
        _bulk(
            conn,
            c.receipts,
            [
                {
                    "receipt_no": r["receipt_no"],
                    "batch_id": bid,
                    "session_id": r["session_id"],
                    "workstation": r["workstation"],
                    "cashier": r["cashier"],
                    "payer": r["payer"],
                    "created_at": r["created_at"],
                    "business_date": r["business_date"],
                    "total_cents": r["total_cents"],
                    "change_cents": r["change_cents"],
                    "voided": r["id"] in voided,
                }
                for r in detail["receipts"]
            ],
        )
    if detail["lines"]:
        _bulk(
            conn,
            c.lines,
            [
                {
                    "batch_id": bid,
                    "receipt_no": numbers[x["receipt_id"]],
                    "line_no": x["line_no"],
                    "code": x["code"],
                    "ref": x["ref"],
                    "description": x["description"],
                    "qty": x["qty"],
                    "amount_cents": x["amount_cents"],
                }
                for x in detail["lines"]
            ],
        )
    if detail["tenders"]:
        _bulk(
            conn,
            c.tenders,
            [
                {
                    "batch_id": bid,
                    "receipt_no": numbers[t["receipt_id"]],
                    "kind": t["kind"],
                    "amount_cents": t["amount_cents"],
                    "number": t["number"],
                    "auth": t["auth"],
                    "last4": t["last4"],
                }
                for t in detail["tenders"]
            ],
        )
    gl_rows = [
        {"batch_id": bid, "account": a, "amount_cents": _cents(v)} for a, v in summary["gl"].items()
    ]
    if gl_rows:
        conn.execute(sa.insert(c.gl), gl_rows)
    conn.execute(
        sa.insert(c.tender_totals),
        [
            {
                "batch_id": bid,
                "tender": t,
                "expected_cents": _cents(f["expected"]),
                "counted_cents": _cents(f["counted"]),
                "over_short_cents": _cents(f["over_short"]),
            }
            for t, f in summary["tenders"].items()
        ],
    )
    dep = summary["deposit"]
    conn.execute(
        sa.insert(c.deposits).values(
            batch_id=bid,
            cash_cents=_cents(dep["cash"]),
            checks_cents=_cents(dep["checks"]),
            money_orders_cents=_cents(dep["money_orders"]),
            total_cents=_cents(dep["total"]),
        )
    )
    head = p["audit_head"]
    conn.execute(
        sa.insert(c.chain_heads).values(
            workstation=p["workstation"],
            seq=int(head["seq"]),
            hash=head["hash"],
            batch_id=bid,
            received_at=received_at,
        )
    )


# -- what the finance office asks ------------------------------------------------------------


def totals(engine: sa.Engine, business_date: str) -> dict[str, Any]:
    """What arrived for a business date, in the closeout's shapes."""
    with engine.connect() as conn:
        in_day = c.batches.c.business_date == business_date
        count, receipt_count = conn.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(c.batches.c.receipts), 0))
            .select_from(c.batches)
            .where(in_day)
        ).one()
        day_batches = sa.select(c.batches.c.id).where(in_day)
        tender_rows = {
            str(t): (int(e), int(k), int(o))
            for t, e, k, o in conn.execute(
                sa.select(
                    c.tender_totals.c.tender,
                    sa.func.sum(c.tender_totals.c.expected_cents),
                    sa.func.sum(c.tender_totals.c.counted_cents),
                    sa.func.sum(c.tender_totals.c.over_short_cents),
                )
                .where(c.tender_totals.c.batch_id.in_(day_batches))
                .group_by(c.tender_totals.c.tender)
            )
        }
        gl_rows = conn.execute(
            sa.select(c.gl.c.account, sa.func.sum(c.gl.c.amount_cents))
            .where(c.gl.c.batch_id.in_(day_batches))
            .group_by(c.gl.c.account)
            .order_by(c.gl.c.account)
        ).all()
    tenders = {}
    for t in TENDER_KINDS:
        e, k, o = tender_rows.get(t, (0, 0, 0))
        tenders[t] = {
            "expected": str(Money(e)),
            "counted": str(Money(k)),
            "over_short": str(Money(o)),
        }
    return {
        "batches": int(count),
        "receipts": int(receipt_count),
        "tenders": tenders,
        "gl": {str(a): str(Money(int(v))) for a, v in gl_rows if int(v)},
    }


def status(engine: sa.Engine) -> list[dict[str, Any]]:
    """Each workstation central has heard from: batches, the last one, the last contact."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                c.batches.c.workstation,
                sa.func.count(),
                sa.func.max(c.batches.c.received_at),
            ).group_by(c.batches.c.workstation)
        ).all()
        out = []
        for ws, n, last_contact in rows:
            last = conn.execute(
                sa.select(c.batches.c.id)
                .where(c.batches.c.workstation == ws)
                .order_by(c.batches.c.received_at.desc(), c.batches.c.id.desc())
                .limit(1)
            ).scalar()
            out.append(
                {
                    "workstation": ws,
                    "batches": int(n),
                    "last_batch": last,
                    "last_contact": last_contact,
                }
            )
    return out
