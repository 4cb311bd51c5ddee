"""Writing checked import rows into the ledger: rows replace rows with the same key, open
items stream through ``sqlite3`` with their search key (the search index follows by its
triggers).  Always inside the caller's write transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cashier_desk.ledger import search
from cashier_desk.ledger.schema import accounts, open_items, revenue_codes, users

#: The key column of each kind of import.
KEY = {"revenue-codes": "code", "users": "login", "open-items": "ref", "accounts": "account"}
_TABLES = {
    "revenue-codes": revenue_codes,
    "users": users,
    "open-items": open_items,
    "accounts": accounts,
}


def write_rows(conn: sa.Connection, kind: str, records: list[dict[str, Any]]) -> None:
    """Replace the rows with the same keys, inside the caller's write transaction."""
    if not records:
        return
    if kind == "open-items":
        write_open_items(conn, iter(records))
        return
    table = _TABLES[kind]
    key = KEY[kind]
    stmt = sqlite_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[key],
        set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name != key},
    )
    conn.execute(stmt, records)


#: The columns an import (or a pull from central) sets; what the counter made of an item is
#: in other columns and stays.
ITEM_COLUMNS = (
    "ref",
    "program",
    "account",
    "name",
    "address",
    "amount_due_cents",
    "due_date",
    "revenue_code",
    "status",
    "plate",
    "as_of",
    "issued",
    "notice",
    "paid_before_line",
)
_UPSERT_ITEM = (
    f"INSERT INTO open_items ({', '.join(ITEM_COLUMNS)}, search_key) "
    f"VALUES ({', '.join(':' + c for c in ITEM_COLUMNS)}, {search.NEW_KEY_SQL}) "
    "ON CONFLICT (ref) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in ITEM_COLUMNS[1:])
)


def write_open_items(conn: sa.Connection, records: Iterator[dict[str, Any]]) -> int:
    """Insert or replace open items (new ones get their search key; the search index follows
    by its triggers), streaming ``records`` through ``sqlite3``'s ``executemany`` on the
    write transaction's own connection; returns how many."""
    count = 0

    def params() -> Iterator[dict[str, Any]]:
        nonlocal count
        for record in records:
            record["key_base"] = search.key_base(record["ref"])
            count += 1
            yield record

    raw = conn.connection.dbapi_connection
    if not isinstance(raw, sqlite3.Connection) or not conn.in_transaction():
        raise RuntimeError("open items are written inside the ledger's write transaction")
    cursor = raw.cursor()
    try:
        cursor.executemany(_UPSERT_ITEM, params())
    finally:
        cursor.close()
    return count
