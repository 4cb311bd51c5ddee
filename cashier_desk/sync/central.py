"""The central side: create or upgrade the central database, take a batch exactly once, and
answer the finance office's questions (totals of a day, what each workstation sent).

A batch goes in whole, in one transaction keyed by its id.  The same id with the same SHA-256
is "already there" (acknowledged, not posted twice); the same id (or a receipt number) with
other content is a conflict, never overwritten.  Each batch carries the audit records since its
workstation's previous batch: central re-computes their links from the head it holds, so a
workstation whose audit chain was rewritten is refused, and holds the batch's detail to those
records (``recheck``) and to the heads shown at sync contacts (``contacts``) — see
``taking``, which runs these checks beside the batch's insert.  A refused
batch is kept in quarantine (see ``quarantine``), out of the books, and the workstation's
chain continues through it.
The same code serves SQLite (the embedded default) and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config

from cashier_desk.ledger import pragmas
from cashier_desk.ledger.posting import TENDER_KINDS
from cashier_desk.money import Money
from cashier_desk.sync import access, books, contacts, parse, quarantine, taking
from cashier_desk.sync import schema as c
from cashier_desk.sync import schema_corrections as sc
from cashier_desk.sync.recheck_corrections import KINDS

# psycopg logs an aborted pipeline ("error ignored terminating …") besides raising the
# error that aborted it; the error is what a person is told, the log line goes to the log
# file when there is one and never to the terminal as a stray line.
logging.getLogger("psycopg").addHandler(logging.NullHandler())

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "central_alembic_version"
WORKSTATION_ROLE = "cashier_workstation"
#: An execution option: on SQLite, take the write lock when the transaction begins (the
#: deliveries of a workstation are serialised, and each reads what the one before wrote).
IMMEDIATE = "cashier_desk_immediate"
#: The first key of the advisory lock that serialises one workstation's deliveries on
#: PostgreSQL (the second is its id's hash).
DELIVERY_LOCK = 0x43445331


class CentralError(RuntimeError):
    """The central database cannot be used (unreachable, not initialised: ``code``
    ``central_unreachable``; a URL that cannot be one here: ``bad_central_url``)."""

    def __init__(self, message: str, code: str = "central_unreachable") -> None:
        super().__init__(message)
        self.code = code


class BatchConflict(Exception):
    """The batch does not match its own SHA-256: central cannot trust it and keeps nothing.
    (A batch that conflicts with what central holds is kept in quarantine instead.)"""


def engine_for(url: str) -> sa.Engine:
    """An engine for a central URL; CentralError when the URL cannot be one."""
    try:
        return _engine_for(url)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise CentralError(
            f"the central database URL cannot be used: {exc}", "bad_central_url"
        ) from None
    except ImportError as exc:  # a driver this installation lacks (another URL scheme)
        raise CentralError(
            f"the central database URL needs a driver that is not installed here ({exc}); "
            "PostgreSQL's is psycopg: postgresql+psycopg://…",
            "bad_central_url",
        ) from None


def _engine_for(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # The driver's own transaction handling issues no BEGIN before DDL: SQLAlchemy's
            # "begin" below does, so creating central.db is one transaction like any other.
            dbapi_connection.isolation_level = None
            pragmas.durable(dbapi_connection)

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            immediate = conn.get_execution_options().get(IMMEDIATE)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

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


def init_central(engine: sa.Engine) -> str | None:
    """Create or upgrade the central schema, in one transaction (a kill leaves central as it
    was, never half-built); on PostgreSQL also (re)apply row-level security and the
    registered workstations' grants (``access.secure``).  A SQLite central.db that an older
    version left half-built at its creation is cleared first (``_repair``)."""
    from alembic import command

    cfg = _config()
    with writing(engine) as conn:
        _repair(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        access.secure(conn)
    return revision(engine)


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that writes: on SQLite it takes the write lock at its start, so two
    writers wait for each other (busy_timeout) instead of one failing on a stale read."""
    with engine.connect() as conn:
        conn.execution_options(**{IMMEDIATE: True})
        with conn.begin():
            yield conn


def _repair(conn: sa.Connection) -> None:
    """A SQLite central with tables but no schema version was cut off while it was first
    made (before it was made in one transaction): when every table is empty, nothing is
    lost by making it again; with rows in it, refuse."""
    if conn.dialect.name != "sqlite":
        return
    from alembic.runtime.migration import MigrationContext

    ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    if ctx.get_current_revision() is not None:
        return
    insp = sa.inspect(conn)
    tables = [t for t in insp.get_table_names() if not t.startswith("sqlite_")]
    views = insp.get_view_names()
    if not tables and not views:
        return
    held = [t for t in tables if conn.exec_driver_sql(f'SELECT 1 FROM "{t}" LIMIT 1').first()]
    if held:
        raise CentralError(
            "the central database holds data but no schema version "
            f"(tables {', '.join(sorted(held))}): it was not made by this program or is "
            "damaged; restore it from a backup"
        )
    conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
    for view in views:
        conn.exec_driver_sql(f'DROP VIEW "{view}"')
    for table in tables:
        conn.exec_driver_sql(f'DROP TABLE "{table}"')


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


#: What PostgreSQL says when it refuses a login (a role made NOLOGIN or dropped, a password
#: changed): the driver gives no SQLSTATE for a connection refused at its start.
LOGIN_REFUSED = re.compile(
    r'FATAL:\s+(role "[^"]*" (is not permitted to log in|does not exist)'
    r"|password authentication failed)"
)
#: PostgreSQL's SQLSTATE for a statement the role may not run.
NOT_PERMITTED = "42501"


def sqlstate(exc: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE of a driver error, if it has one."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None)


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig or exc).strip().splitlines()
    reason = text[0] if text else type(exc).__name__
    if LOGIN_REFUSED.search(reason):
        reason += (
            " — central refuses this workstation's login: its administrator may have removed "
            "it (`central workstation remove`) or changed its password"
        )
    return reason


# -- taking a batch ------------------------------------------------------------------------


def deliver(engine: sa.Engine, payload_text: str, sha256: str, received_at: str) -> str:
    """Take one batch: "sent" (into the books), "already_there" (the books hold it), or
    "quarantined" (refused — a conflict, or an audit chain that does not follow on — and kept
    out of the books; the same batch again is "quarantined" again, held once).  One
    workstation's deliveries are serialised (an advisory lock keyed by the workstation on
    PostgreSQL, the write lock on SQLite), and what central already made of this very batch
    is decided before anything else: two syncs at once never quarantine a batch the other
    just delivered.  Raises BatchConflict for a payload that does not match its own SHA-256,
    access.UnknownWorkstation for a workstation this connection may not send for (nothing
    written), and SQLAlchemy's errors when the connection fails (the caller retries)."""
    if hashlib.sha256(payload_text.encode()).hexdigest() != sha256:
        raise BatchConflict("the batch does not match its own SHA-256")
    payload = parse.loads(payload_text)
    batch_id = payload["batch"]
    try:
        with writing(engine) as conn:
            _serialise(conn, payload["workstation"])
            known = _known(conn, batch_id, sha256)
            if known is not None:
                return known
            access.check_sender(conn, payload["workstation"], received_at)
            refused = _conflict(conn, payload, sha256)
            if refused is None:
                refused = taking.take(
                    conn, payload, payload_text, sha256, received_at, lambda: _taken(conn, payload)
                )
            if refused is None:
                return "sent"
            quarantine.keep(conn, payload, payload_text, sha256, *refused, received_at)
            return "quarantined"
    except sa.exc.IntegrityError:
        # Another delivery of the same batch won the race: compare what it stored.
        with engine.connect() as conn:
            known = _known(conn, batch_id, sha256)
        if known is None:
            raise
        return known


def contact(
    engine: sa.Engine, workstation: str, head: tuple[int, str], at: str, hash_at: contacts.HashAt
) -> str | None:
    """Anchor the workstation's audit head (seq, hash) at central at a sync contact, in one
    transaction serialised with its deliveries; central's flag on it (behind, fork) or None
    (see ``contacts``).  Raises access.UnknownWorkstation and SQLAlchemy's errors like
    ``deliver``."""
    with writing(engine) as conn:
        _serialise(conn, workstation)
        access.check_sender(conn, workstation, at)
        return contacts.note(conn, workstation, head[0], head[1], at, hash_at)


def _serialise(conn: sa.Connection, workstation: str) -> None:
    """Wait for any other delivery of this workstation's batches to end (PostgreSQL; on
    SQLite the transaction already holds the write lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text("SELECT pg_advisory_xact_lock(CAST(:k AS integer), hashtext(:ws))"),
            {"k": DELIVERY_LOCK, "ws": workstation},
        )


def _known(conn: sa.Connection, batch_id: str, sha256: str) -> str | None:
    """What central already made of this very batch (same id and content), if anything."""
    if conn.execute(
        sa.select(c.batches.c.id).where(c.batches.c.id == batch_id, c.batches.c.sha256 == sha256)
    ).first():
        return "already_there"
    if quarantine.holds(conn, batch_id, sha256):
        return "quarantined"
    return None


def _conflict(
    conn: sa.Connection, payload: Mapping[str, Any], sha256: str
) -> tuple[str, str] | None:
    """("conflict", what for a person) when the books hold the batch's id with other content,
    else None (then ``taking`` checks the rest, its receipt numbers with ``_taken``)."""
    batch_id = payload["batch"]
    known = conn.execute(sa.select(c.batches.c.sha256).where(c.batches.c.id == batch_id)).scalar()
    if known is not None:
        return "conflict", (
            f"central already holds batch {batch_id} with other content "
            f"(central {known[:12]}…, here {sha256[:12]}…); nothing was overwritten"
        )
    return None


def _taken(conn: sa.Connection, payload: Mapping[str, Any]) -> tuple[str, str] | None:
    """("conflict", what for a person) when the books hold one of the batch's receipt numbers
    (whichever workstation's), else None.  ``taking`` asks only when the batch's insert
    failed or a check refused it before the insert: receipt numbers are the receipts' primary
    key, so an insert that went in took none that central held."""
    batch_id = payload["batch"]
    taken = books.receipts_taken(conn, [r["receipt_no"] for r in payload["detail"]["receipts"]])
    if taken:
        return "conflict", (
            f"receipt number(s) {', '.join(taken[:5])}{' …' if len(taken) > 5 else ''} of "
            f"batch {batch_id} are already at central in another batch; nothing was overwritten"
        )
    return None


# -- what the finance office asks ------------------------------------------------------------


def totals(engine: sa.Engine, business_date: str) -> dict[str, Any]:
    """What arrived for a business date, in the closeout's shapes."""
    return _totals(engine, c.batches.c.business_date == business_date)


def period_totals(engine: sa.Engine, date_from: str, date_to: str) -> dict[str, Any]:
    """What arrived for the business dates from ``date_from`` to ``date_to`` (both included),
    in the shapes of a date's totals: receipts and adjustments of the period side by side."""
    return _totals(engine, c.batches.c.business_date.between(date_from, date_to))


def _totals(engine: sa.Engine, in_day: sa.ColumnElement[bool]) -> dict[str, Any]:
    with engine.connect() as conn:
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
        adjustments = _adjustments(conn, day_batches)
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
    } | ({"adjustments": adjustments} if adjustments else {})


def _adjustments(conn: sa.Connection, batches: sa.Select[tuple[str]]) -> dict[str, Any]:
    """The returned checks, refunds and transfers the batches carry (programs.md; migration
    c0009), as a closeout shows them: each kind's amount (0.00 for a kind with none) and the
    revenue side by account, zeros left out; empty when they carry none."""
    kinds = dict(
        conn.execute(
            sa.select(sc.corrections.c.kind, sa.func.sum(sc.corrections.c.amount_cents))
            .where(sc.corrections.c.batch_id.in_(batches))
            .group_by(sc.corrections.c.kind)
        ).all()
    )
    if not kinds:
        return {}
    gl = conn.execute(
        sa.select(sc.correction_gl.c.account, sa.func.sum(sc.correction_gl.c.amount_cents))
        .where(sc.correction_gl.c.batch_id.in_(batches), sc.correction_gl.c.side == "revenue")
        .group_by(sc.correction_gl.c.account)
        .order_by(sc.correction_gl.c.account)
    ).all()
    return {key: str(Money(int(kinds.get(kind, 0)))) for kind, key in KINDS.items()} | {
        "gl": {str(a): str(Money(int(v))) for a, v in gl if int(v)}
    }


def status(engine: sa.Engine) -> list[dict[str, Any]]:
    """Each workstation central has heard from: batches, the last one, the last contact (a
    batch or a sync contact, ``contacts``) and how many contacts central flagged."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                c.batches.c.workstation,
                sa.func.count(),
                sa.func.max(c.batches.c.received_at),
            ).group_by(c.batches.c.workstation)
        ).all()
        seen = contacts.last_contacts(conn)
        with_batches = {str(r[0]) for r in rows}
        only_contacts = [(ws, 0, None) for ws in seen if ws not in with_batches]
        out = []
        for ws, n, received in [*rows, *only_contacts]:
            last = conn.execute(
                sa.select(c.batches.c.id)
                .where(c.batches.c.workstation == ws)
                .order_by(c.batches.c.received_at.desc(), c.batches.c.id.desc())
                .limit(1)
            ).scalar()
            contact_at, flags = seen.get(str(ws), (None, 0))
            times = [t for t in (received, contact_at) if t]
            out.append(
                {
                    "workstation": ws,
                    "batches": int(n),
                    "last_batch": last,
                    "last_contact": max(times) if times else None,
                    "flagged_contacts": flags,
                }
            )
    return sorted(out, key=lambda r: str(r["workstation"]))
