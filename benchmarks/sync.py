"""Sync to central PostgreSQL: ``central.deliver`` of batches against a raw ``COPY``.

The busy day's real batch (``benchmarks.closeout``) is sent ``size.sync_batches`` times, each
copy as if from another workstation (its own workstation id, batch id, session ids and receipt
numbers, a fresh SHA-256; the audit segment is the day's own, so central checks a whole chain
each time).  Each copy is delivered as its workstation's own role (``central workstation
add``), so row-level security checks every row as at a city's central.  The figure is receipts
+ lines + tenders per second through ``central.deliver`` (JSON parse, chain check, every
insert, the payload kept, one transaction per batch).

The limit is the same receipt, line and tender rows written with psycopg's ``COPY`` into
tables made ``LIKE`` central's (``INCLUDING ALL``: the same columns, keys and indexes) with the
same foreign keys to ``batches``, in one transaction, on the same server — the best of two
tries.  COPY into the same tables without foreign keys is noted beside it for reference.

PostgreSQL comes from ``CASHIER_DESK_BENCH_PG`` (an SQLAlchemy URL without a database; default
``postgresql+psycopg://postgres@127.0.0.1:5432``); a scratch database is made and dropped, with
the workstation roles made for it (named after it).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql
from psycopg.conninfo import make_conninfo

from benchmarks.closeout import busy_day
from benchmarks.common import Context, Figure
from cashier_desk.ledger import audit
from cashier_desk.sync import access, central

TARGET = "ratio>=0.3"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_QUERY = {"sslmode": "disable", "gssencmode": "disable", "connect_timeout": "5"}

RECEIPT_COLS = (
    "receipt_no", "batch_id", "session_id", "workstation", "cashier", "payer", "created_at",
    "business_date", "total_cents", "change_cents", "voided",
)  # fmt: skip
LINE_COLS = (
    "batch_id", "receipt_no", "line_no", "code", "ref", "description", "qty", "amount_cents",
)  # fmt: skip
TENDER_COLS = ("batch_id", "receipt_no", "kind", "amount_cents", "number", "auth", "last4")


class NoServer(Exception):
    """No PostgreSQL server answered."""


def base_url() -> sa.URL:
    url = sa.make_url(os.environ.get("CASHIER_DESK_BENCH_PG") or DEFAULT_PG)
    return url.update_query_dict({k: v for k, v in PG_QUERY.items() if k not in url.query})


def conninfo(url: sa.URL, dbname: str) -> str:
    params = {k: str(v) for k, v in url.query.items()}
    return make_conninfo(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password,
        dbname=dbname, **params,
    )  # fmt: skip


def _admin(url: sa.URL) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(conninfo(url, "postgres"), autocommit=True)
    except psycopg.OperationalError as exc:
        raise NoServer(str(exc).strip().splitlines()[0]) from exc


def server_answers() -> bool:
    try:
        _admin(base_url()).close()
    except NoServer:
        return False
    return True


@contextmanager
def scratch_database() -> Iterator[sa.URL]:
    """A database of this run, dropped at the end with the workstation roles made for it."""
    url = base_url()
    name = f"cashier_desk_bench_{secrets.token_hex(4)}"
    with _admin(url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name)
    finally:
        with _admin(url) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            roles = admin.execute(
                "SELECT rolname FROM pg_roles WHERE rolname LIKE %s", [name + "\\_%"]
            ).fetchall()
            for (role,) in roles:
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


# -- the batches ----------------------------------------------------------------------------


def _day_batch(ledger_db: Path, batch: str) -> str:
    conn = sqlite3.connect(ledger_db)
    try:
        row = conn.execute("SELECT payload FROM batches WHERE id=?", (batch,)).fetchone()
    finally:
        conn.close()
    return str(row[0])


def clone_batch(payload_text: str, k: int) -> tuple[str, str, dict[str, Any]]:
    """The batch as if workstation ``Bkk`` had closed out the same day."""
    p = json.loads(payload_text)
    old_ws, ws = p["workstation"], f"B{k:02d}"

    def renamed(value: str) -> str:
        return ws + value.removeprefix(old_ws)

    p["workstation"] = ws
    p["batch"] = p["summary"]["batch"] = renamed(p["batch"])
    d = p["detail"]
    for s in d["sessions"]:
        s["id"], s["workstation"] = renamed(s["id"]), ws
    for r in d["receipts"]:
        r["receipt_no"], r["session_id"] = renamed(r["receipt_no"]), renamed(r["session_id"])
        r["workstation"] = ws
    for table in ("closes", "close_counts", "rejections", "approvals"):
        for row in d[table]:
            row["session_id"] = renamed(row["session_id"])
    for m in d["movements"]:
        m["session_id"] = renamed(m["session_id"])
    for x in d["postings"]:
        x["session_id"] = renamed(x["session_id"])
    _rename_records(p, old_ws, ws)
    text = audit.canonical(p)
    return text, hashlib.sha256(text.encode()).hexdigest(), p


def _rename_records(p: dict[str, Any], old_ws: str, ws: str) -> None:
    """The audit segment as workstation ``ws`` would have written it (targets and sessions
    renamed, the chain hashed again): central holds the detail to its records."""
    prev = audit.GENESIS if int(p["audit_since"]) == 0 else p["audit"][0]["prev_hash"]
    for record in p["audit"]:
        record["workstation"] = ws
        if record["target"].startswith(old_ws):
            record["target"] = ws + record["target"].removeprefix(old_ws)
        details = json.loads(record["details"])
        if str(details.get("session", "")).startswith(old_ws):
            details["session"] = ws + details["session"].removeprefix(old_ws)
            record["details"] = audit.canonical(details)
        record["prev_hash"] = prev
        record["hash"] = prev = audit.record_hash(prev, int(record["seq"]), record)
    p["audit_head"]["hash"] = prev


def copy_rows(p: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """The receipt, line and tender rows central keeps for a batch (as ``deliver`` makes them)."""
    bid, d = p["batch"], p["detail"]
    numbers = {r["id"]: r["receipt_no"] for r in d["receipts"]}
    voided = {v["receipt_id"] for v in d["voids"]}
    return {
        "receipts": [
            (r["receipt_no"], bid, r["session_id"], r["workstation"], r["cashier"], r["payer"],
             r["created_at"], r["business_date"], r["total_cents"], r["change_cents"],
             r["id"] in voided)
            for r in d["receipts"]
        ],
        "receipt_lines": [
            (bid, numbers[x["receipt_id"]], x["line_no"], x["code"], x["ref"], x["description"],
             x["qty"], x["amount_cents"])
            for x in d["lines"]
        ],
        "tenders": [
            (bid, numbers[t["receipt_id"]], t["kind"], t["amount_cents"], t["number"], t["auth"],
             t["last4"])
            for t in d["tenders"]
        ],
    }  # fmt: skip


# -- the two ways in -------------------------------------------------------------------------


def deliver_all(ctx: Context, url: sa.URL, batches: list[tuple[str, str, str]]) -> float:
    """Each batch delivered as its workstation's own role (``central workstation add``), so
    row-level security and the bulk tables' trigger check every row, as at a city's central.
    Like the figure before roles, the batches go through one warm pooled connection: each
    transaction begins with ``SET LOCAL ROLE`` to the batch's workstation (a new server
    process's first 12 MB insert costs ~50 ms more, whoever connects)."""
    admin = central.engine_for(url.render_as_string(hide_password=False))
    engines: dict[str, sa.Engine] = {}
    try:
        central.init_central(admin)
        central.ensure_ready(admin)  # as the relay does; warms the pool too
        for ws in dict.fromkeys(ws for ws, _, _ in batches):
            role = access.add(admin, ws, at=datetime.now(UTC).isoformat(), role=_role(url, ws))
            engines[ws] = _as_role(admin, str(role["role"]))
            with engines[ws].begin() as conn:
                mine = conn.execute(sa.text("SELECT central_workstation()")).scalar()
                if mine != ws:
                    raise RuntimeError(f"role {role['role']} is not workstation {ws}'s")
        started = time.perf_counter()
        with ctx.profiled("sync"):
            for ws, text, sha in batches:
                outcome = central.deliver(engines[ws], text, sha, datetime.now(UTC).isoformat())
                if outcome != "sent":
                    raise RuntimeError(f"central answered {outcome!r} to a new batch")
        return time.perf_counter() - started
    finally:
        admin.dispose()


def _as_role(engine: sa.Engine, role: str) -> sa.Engine:
    """The engine's pool, every transaction as ``role``."""
    as_role = engine.execution_options()

    @sa.event.listens_for(as_role, "begin")
    def _set_role(conn: sa.Connection) -> None:
        conn.exec_driver_sql(f'SET LOCAL ROLE "{role}"')

    return as_role


def _role(url: sa.URL, ws: str) -> str:
    """A role of this run's own (roles are the whole server's): dropped with the database."""
    return f"{url.database}_{ws.lower()}"


def copy_all(
    url: sa.URL, rows: dict[str, list[tuple[Any, ...]]], *, tries: int = 2
) -> dict[str, float]:
    """Best seconds to COPY the rows into tables like central's: ``fk`` with the same foreign
    keys to ``batches`` (like for like; the batches are there once delivered), ``no_fk``
    without them, for reference."""
    columns = {"receipts": RECEIPT_COLS, "receipt_lines": LINE_COLS, "tenders": TENDER_COLS}
    best: dict[str, float] = {}
    with psycopg.connect(conninfo(url, str(url.database))) as conn:
        for variant in ("fk", "no_fk"):
            for table in columns:
                name = sql.Identifier(f"{variant}_{table}")
                conn.execute(
                    sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                        name, sql.Identifier(table)
                    )
                )
                if variant == "fk":
                    conn.execute(
                        sql.SQL("ALTER TABLE {} ADD FOREIGN KEY (batch_id) REFERENCES batches (id)")
                        .format(name)
                    )  # fmt: skip
        conn.commit()
        for _ in range(tries):
            for variant in ("fk", "no_fk"):
                started = time.perf_counter()
                with conn.cursor() as cur:
                    for table, cols in columns.items():
                        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
                            sql.Identifier(f"{variant}_{table}"),
                            sql.SQL(", ").join(map(sql.Identifier, cols)),
                        )
                        with cur.copy(stmt) as copy:
                            for row in rows[table]:
                                copy.write_row(row)
                conn.commit()
                took = time.perf_counter() - started
                best[variant] = min(took, best.get(variant, took))
                for table in columns:
                    conn.execute(
                        sql.SQL("TRUNCATE {}").format(sql.Identifier(f"{variant}_{table}"))
                    )
                conn.commit()
    return best


def _skipped(why: str) -> list[Figure]:
    return [
        Figure("sync.rows_per_s", "Sync to central PostgreSQL", None, "rows/s", None, "",
               TARGET, f"skipped: {why}")
    ]  # fmt: skip


def run(ctx: Context) -> list[Figure]:
    if ctx.postgres == "skip":
        return _skipped("--postgres skip")
    if not server_answers():
        if ctx.postgres == "require":
            raise NoServer(f"no PostgreSQL server answers at {base_url()!r}")
        return _skipped(f"no PostgreSQL server answers at {base_url().render_as_string()}")
    day = busy_day(ctx)
    payload = _day_batch(Path(day["data_dir"]) / "ledger.db", day["batch"])
    batches: list[tuple[str, str, str]] = []
    rows: dict[str, list[tuple[Any, ...]]] = {"receipts": [], "receipt_lines": [], "tenders": []}
    for k in range(ctx.size.sync_batches):
        text, sha, p = clone_batch(payload, k)
        batches.append((p["workstation"], text, sha))
        for table, more in copy_rows(p).items():
            rows[table] += more
    n_rows = sum(len(v) for v in rows.values())
    with scratch_database() as url:
        deliver_s = deliver_all(ctx, url, batches)
        copies = copy_all(url, rows)
    copy_s = copies["fk"]
    receipts = len(rows["receipts"])
    mb = sum(len(t) for _, t, _ in batches) / 1e6
    return [
        Figure(
            "sync.rows_per_s",
            f"Sync {receipts:,} receipts to central PostgreSQL",
            n_rows / deliver_s,
            "rows/s",
            n_rows / copy_s,
            "psycopg COPY of the same rows, same keys",
            TARGET,
            f"{len(batches)} batches ({mb:.1f} MB of payload) holding {n_rows:,} rows "
            f"(receipts {receipts:,}, lines {len(rows['receipt_lines']):,}, tenders "
            f"{len(rows['tenders']):,}): deliver {deliver_s:.2f} s; COPY {copy_s:.2f} s into "
            f"tables like central's with its foreign keys ({copies['no_fk']:.2f} s, "
            f"{n_rows / copies['no_fk']:,.0f} rows/s, without them)",
            {"deliver_s": deliver_s, "copy_s": copies, "rows": n_rows, "payload_mb": mb},
        )
    ]
