"""Reference data from central to the workstation, and from files into central.

``central import`` loads revenue codes, users (PIN hashes only) and open items into central's
reference tables, each row stamped with when it changed.  ``sync pull`` brings to this
workstation the rows changed since its last pull, and applies the open-item payments that
other counters' batches carry, so an item paid at city hall shows as paid at the utility
office too — only from the batches of workstations central knows (``access``), read through
the view ``open_item_payments``, which shows nothing else of the other counters' batches.  A
billing system's new balance for an item (a changed row) replaces what was
due and restarts the count of this counter's payments against it, like a local import
without ``as_of`` (central keeps no ``as_of``: its row's balance time is when central took
it); the row's plate, issue and notice dates replace the item's here like its other columns
(c0012), where the row has them.  What other counters' returned checks put back on an item,
and their transfers moved (``pull_corrections``), changes what is due here the same way: once
per pulled batch, and counted in a changed row's figure when made after it.
Their contests of citations come each once, by number (``pull_programs``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cashier_desk.ledger import accounts, import_write, imports, item_programs, program_rules
from cashier_desk.ledger import schema as local
from cashier_desk.ledger.db import Ledger
from cashier_desk.ledger.import_result import Imported, Masked
from cashier_desk.ledger.pins import PREFIX, PinHasher
from cashier_desk.sync import pull_corrections, pull_programs
from cashier_desk.sync import schema as c
from cashier_desk.sync.schema_programs import ref_accounts

#: Other counters' payments on open items, of the workstations central knows only: a batch of
#: a workstation central never registered is never applied here.
pay = c.open_item_payments
REF_TABLES = {
    "revenue-codes": (c.ref_revenue_codes, "code"),
    "users": (c.ref_users, "login"),
    "open-items": (c.ref_open_items, "ref"),
    "accounts": (ref_accounts, "account"),
}
WATERMARK = "pull_watermark"
#: Open-item columns central does not keep: a pulled item has none (its balance time is when
#: central took the row).  Central keeps ``plate``, ``issued`` and ``notice`` (c0012).
LOCAL_ONLY = ("as_of",)


def _upsert(conn: sa.Connection, table: sa.Table, key: str, rows: list[dict[str, Any]]) -> None:
    """Insert or replace rows by key, on SQLite and PostgreSQL alike."""
    if not rows:
        return
    dialect = conn.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(rows), 1000):
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[key],
            set_={col.name: stmt.excluded[col.name] for col in table.columns if col.name != key},
        )
        conn.execute(stmt, rows[start : start + 1000])


def central_import(
    engine: sa.Engine,
    kind: str,
    path: Path,
    now: str,
    *,
    pins: PinHasher | None = None,
    min_pin_length: int = 4,
) -> Imported:
    """Load a CSV file into central's reference data; a bad row imports nothing.  Users'
    PINs are hashed here with the importer's pepper (``pins``), before central's
    transaction: central gets the hashes, never the pepper nor a PIN.  A card number in a
    cell is masked, as at a workstation."""
    if kind == RULES:
        return _import_rules(engine, path, now)
    masked = Masked()
    users: list[dict[str, Any]] | None = None
    if kind == "users":
        if pins is None:
            raise ValueError("users need the city's pepper to be hashed")
        with engine.connect() as conn:
            pin_hash = c.ref_users.c.pin_hash
            may_create = (
                conn.execute(
                    sa.select(pin_hash).where(pin_hash.startswith(PREFIX, autoescape=True)).limit(1)
                ).first()
                is None
            )
        users = imports.read_users(path, pins, min_pin_length, may_create, masked=masked)
    with engine.begin() as conn:
        codes = set(conn.execute(sa.select(c.ref_revenue_codes.c.code)).scalars())
        if users is not None:
            records = users
        elif kind == accounts.KIND:
            records = accounts.read_accounts(path, masked)
        else:
            records = imports.parse_file(kind, path, known_codes=codes, masked=masked)
        table, key = REF_TABLES[kind]
        for r in records:
            for column in LOCAL_ONLY:
                r.pop(column, None)
            r["changed_at"] = now
        _upsert(conn, table, key, records)
    return masked.result(len(records))


RULES = "program-rules"


def _import_rules(engine: sa.Engine, path: Path, now: str) -> Imported:
    """A program rules file into central, checked whole first (``bad_rules`` names the table
    and key; nothing is kept); ``rows`` counts its program tables."""
    text, given = program_rules.read_file(path)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(c.ref_program_rules).values(changed_at=now, sha256=digest, text=text)
        )
    return Imported(given)


@dataclass
class PullResult:
    revenue_codes: int = 0
    users: int = 0
    open_items: int = 0
    payments_applied: int = 0
    program_rules: int = 0  # 1 when central's newest rules file was new here
    accounts: int = 0
    program_records: int = 0  # other counters' returns, licences, tags and permits new here
    adjustments_applied: int = 0  # open items other counters' corrections changed (issue 16)
    contests: int = 0  # other counters' contests of citations new here


def pull(ledger: Ledger, engine: sa.Engine, workstation: str, now: str) -> PullResult:
    result = PullResult()
    with ledger.read() as lconn:
        since = lconn.execute(
            sa.select(local.sync_state.c.value).where(local.sync_state.c.key == WATERMARK)
        ).scalar()
        applied = set(lconn.execute(sa.select(local.pulled_batches.c.batch_id)).scalars())
        contests_here = item_programs.pulled_contest_numbers(lconn, workstation)
    with engine.connect() as cconn:
        if cconn.dialect.name == "postgresql":
            # One snapshot for every read: a batch delivered meanwhile is wholly in or out.
            cconn.execution_options(isolation_level="REPEATABLE READ")
        changed: dict[str, list[dict[str, Any]]] = {}
        newest = since or ""
        for kind, (table, _key) in REF_TABLES.items():
            q = sa.select(table)
            if since:
                q = q.where(table.c.changed_at > since)
            rows = [dict(r) for r in cconn.execute(q).mappings()]
            changed[kind] = rows
            newest = max([newest, *(r["changed_at"] for r in rows)])
        new_batches = [
            b
            for b in cconn.execute(
                sa.select(pay.c.batch_id).distinct().where(pay.c.workstation != workstation)
            ).scalars()
            if b not in applied
        ]
        other_payments = _payments(cconn, new_batches)
        records = pull_programs.fetch(cconn, workstation, applied, contests_here)
        rules = cconn.execute(
            sa.select(c.ref_program_rules.c.sha256, c.ref_program_rules.c.text)
            .order_by(c.ref_program_rules.c.id.desc())
            .limit(1)
        ).first()
        changed_refs = {r["ref"]: r for r in changed["open-items"]}
        others = pull_programs.known(cconn)
        absolute = {
            ref: row["amount_due_cents"]
            - _paid_since(cconn, ref, workstation, row["changed_at"])
            - pull_corrections.adjusted_since(cconn, ref, workstation, row["changed_at"], others)
            for ref, row in changed_refs.items()
        }
    with ledger.write() as lconn:
        last_line = int(
            lconn.execute(sa.select(sa.func.max(local.receipt_lines.c.id))).scalar() or 0
        )
        for row in changed["revenue-codes"]:
            row.pop("changed_at")
        _upsert(lconn, local.revenue_codes, "code", changed["revenue-codes"])
        for row in changed["users"]:
            row.pop("changed_at")
        _upsert(lconn, local.users, "login", changed["users"])
        for row in changed["accounts"]:
            row.pop("changed_at")
        _upsert(lconn, local.accounts, "account", changed["accounts"])
        result.program_records = pull_programs.apply(lconn, records)
        result.contests = item_programs.take_pulled_contests(
            lconn, records.rows.get(pull_programs.CONTESTS, []), workstation
        )
        kept = _local_only(lconn, list(changed_refs))
        items = []
        for ref, row in changed_refs.items():
            # Central's plate, issued and notice replace this ledger's; a row without one
            # (a file without the column) keeps what this ledger has, as a re-import sets
            # only the columns its file has.
            item = {k: v for k, v in row.items() if k != "changed_at"}
            item["amount_due_cents"] = absolute[ref]
            for column, value in kept.get(ref, {}).items():
                if not item.get(column):
                    item[column] = value
            item.update(as_of="", paid_before_line=last_line)
            items.append(item)
        # Through the import's own writer: new items get their search key, and the search
        # index follows in this transaction.
        import_write.write_open_items(lconn, iter(items))
        for ref, cents in other_payments.items():
            if ref in changed_refs:
                continue  # the absolute figure above already counts it
            done = lconn.execute(
                sa.update(local.open_items)
                .where(local.open_items.c.ref == ref)
                .values(amount_due_cents=local.open_items.c.amount_due_cents - cents)
            )
            result.payments_applied += int(done.rowcount or 0)
        result.adjustments_applied = pull_corrections.apply_adjusted(
            lconn, records.rows.get(pull_corrections.ADJUSTED, []), changed_refs
        )
        if rules is not None and program_rules.newest_sha256(lconn) != rules.sha256:
            program_rules.store(lconn, rules.text, at=now, actor="central")
            result.program_rules = 1
        pulled = sorted({*new_batches, *records.batches})
        if pulled:
            lconn.execute(
                sa.insert(local.pulled_batches),
                [{"batch_id": b, "pulled_at": now} for b in pulled],
            )
        if newest:
            _upsert(lconn, local.sync_state, "key", [{"key": WATERMARK, "value": newest}])
    result.revenue_codes = len(changed["revenue-codes"])
    result.users = len(changed["users"])
    result.open_items = len(changed_refs)
    result.accounts = len(changed["accounts"])
    return result


def _local_only(conn: sa.Connection, refs: list[str]) -> dict[str, dict[str, Any]]:
    """The plate and dates this ledger has of the items ``refs``, kept where central's row
    has none."""
    t = local.open_items
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(refs), 500):
        rows = conn.execute(
            sa.select(t.c.ref, t.c.plate, t.c.issued, t.c.notice).where(
                t.c.ref.in_(refs[start : start + 500])
            )
        )
        for r in rows:
            out[r.ref] = {"plate": r.plate, "issued": r.issued, "notice": r.notice}
    return out


def _live_lines() -> sa.Select[Any]:
    return (
        sa.select(pay.c.ref, sa.func.sum(pay.c.amount_cents))
        .where(pay.c.voided.is_(False))
        .group_by(pay.c.ref)
    )


def _payments(conn: sa.Connection, batch_ids: list[str]) -> dict[str, int]:
    if not batch_ids:
        return {}
    rows = conn.execute(_live_lines().where(pay.c.batch_id.in_(batch_ids)))
    return {str(ref): int(cents) for ref, cents in rows}


def _paid_since(conn: sa.Connection, ref: str, workstation: str, since: str) -> int:
    """Other counters' payments on an item made after the billing system's row changed."""
    row = conn.execute(
        _live_lines().where(
            pay.c.ref == ref, pay.c.workstation != workstation, pay.c.created_at > since
        )
    ).first()
    return 0 if row is None else int(row[1])
