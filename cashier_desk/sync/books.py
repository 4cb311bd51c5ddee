"""Central's books: a batch central takes goes into them whole — its drawer sessions,
receipts, lines, tenders, GL distribution, per-tender over/short, deposit and the workstation's
audit-chain head — in the caller's transaction (a delivery, or an admin's accepting a batch
held in quarantine)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from cashier_desk.money import Money
from cashier_desk.sync import schema as c
from cashier_desk.sync import schema_corrections as sc
from cashier_desk.sync.schema_programs import RECORDS

Rows = list[tuple[Any, ...]]

RECEIPT_COLUMNS = (
    "receipt_no", "batch_id", "session_id", "workstation", "cashier", "payer", "created_at",
    "business_date", "total_cents", "change_cents", "voided",
)  # fmt: skip
LINE_COLUMNS = (
    "batch_id", "receipt_no", "line_no", "code", "ref", "description", "qty", "amount_cents",
)  # fmt: skip
TENDER_COLUMNS = ("batch_id", "receipt_no", "kind", "amount_cents", "number", "auth", "last4")


def _bulk(
    conn: sa.Connection, *tables: tuple[sa.Table, tuple[str, ...], Callable[[], Rows]]
) -> None:
    """Insert many rows (tuples in the order of their columns) into each table in the batch's
    transaction: COPY on PostgreSQL (one round trip for the lot; these tables take COPY
    because a statement-level check, not row security, keeps each workstation to its own
    batches — see ``access``), executemany elsewhere."""
    raw = conn.connection.driver_connection
    for table, columns, make in tables:
        rows = make()
        if not rows:
            continue
        if conn.dialect.name != "postgresql" or raw is None:
            conn.execute(sa.insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
            continue
        import psycopg

        names = ", ".join(f'"{col}"' for col in columns)
        statement = f'COPY "{table.name}" ({names}) FROM STDIN'
        try:
            with raw.cursor() as cur, cur.copy(statement) as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        except psycopg.Error as exc:  # as SQLAlchemy would raise it (an IntegrityError, ...)
            raise sa.exc.DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def _receipts(bid: str, detail: Mapping[str, Any]) -> Rows:
    voided = {v["receipt_id"] for v in detail["voids"]}
    return [
        (r["receipt_no"], bid, r["session_id"], r["workstation"], r["cashier"], r["payer"],
         r["created_at"], r["business_date"], r["total_cents"], r["change_cents"],
         r["id"] in voided)
        for r in detail["receipts"]
    ]  # fmt: skip


def _numbers(detail: Mapping[str, Any]) -> dict[int, str]:
    return {r["id"]: r["receipt_no"] for r in detail["receipts"]}


def _lines(bid: str, detail: Mapping[str, Any]) -> Rows:
    numbers = _numbers(detail)
    return [
        (bid, numbers[x["receipt_id"]], x["line_no"], x["code"], x["ref"], x["description"],
         x["qty"], x["amount_cents"])
        for x in detail["lines"]
    ]  # fmt: skip


def _tenders(bid: str, detail: Mapping[str, Any]) -> Rows:
    numbers = _numbers(detail)
    return [
        (bid, numbers[t["receipt_id"]], t["kind"], t["amount_cents"], t["number"], t["auth"],
         t["last4"])
        for t in detail["tenders"]
    ]  # fmt: skip


def _cents(text: str) -> int:
    return Money.parse(text).cents


def insert_batch(
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
    _bulk(
        conn,
        (c.receipts, RECEIPT_COLUMNS, lambda: _receipts(bid, detail)),
        (c.lines, LINE_COLUMNS, lambda: _lines(bid, detail)),
        (c.tenders, TENDER_COLUMNS, lambda: _tenders(bid, detail)),
    )
    _programs(conn, bid, p["workstation"], p.get("programs") or {})
    _corrections(conn, bid, p["workstation"], p["business_date"], p.get("corrections") or {})
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


def receipts_taken(conn: sa.Connection, numbers: list[str]) -> list[str]:
    """Which of these receipt numbers central's books already hold, whichever workstation's.
    On PostgreSQL through ``central_receipts_taken`` (a workstation role may not read
    receipts; the function answers only for the numbers it is given), one join with the
    numbers as an array: a list of IN parameters was checked against every row while the
    table had no statistics yet (seconds a batch)."""
    if conn.dialect.name == "postgresql":
        return sorted(
            conn.execute(
                sa.text("SELECT central_receipts_taken(CAST(:numbers AS varchar[]))"),
                {"numbers": numbers},
            ).scalars()
        )
    found: list[str] = []
    for i in range(0, len(numbers), 500):
        found += conn.execute(
            sa.select(c.receipts.c.receipt_no).where(
                c.receipts.c.receipt_no.in_(numbers[i : i + 500])
            )
        ).scalars()
    return sorted(found)


CONTEST_KEYS = ("number", "ref", "level", "business_date", "reason", "contact",
                "inability_to_pay", "actor", "approver", "created_at")  # fmt: skip
PLAN_KEYS = ("number", "ref", "business_date", "indigent", "monthly_cents", "fee_cents",
             "fine_cents", "penalty_cents", "total_cents", "actor", "approver",
             "created_at")  # fmt: skip


def _programs(conn: sa.Connection, bid: str, ws: str, programs: Mapping[str, Any]) -> None:
    """The contests and payment plans the batch carries (a batch made before they existed
    carries none), kept with it."""
    made = [{k: x[k] for k in CONTEST_KEYS} | {"batch_id": bid, "workstation": ws}
            for x in programs.get("contests", ())]  # fmt: skip
    if made:
        conn.execute(sa.insert(c.contests), made)
    _records(conn, bid, ws, programs.get("records") or {})
    planned = programs.get("plans", ())
    if planned:
        conn.execute(
            sa.insert(c.plans),
            [{k: x[k] for k in PLAN_KEYS} | {"batch_id": bid, "workstation": ws} for x in planned],
        )
        conn.execute(
            sa.insert(c.plan_instalments),
            [
                {"plan": x["number"], "n": i["n"], "due": i["due"],
                 "amount_cents": i["amount_cents"]}
                for x in planned
                for i in x["instalments"]
            ],
        )  # fmt: skip


def _records(
    conn: sa.Connection, bid: str, ws: str, records: Mapping[str, list[Mapping[str, Any]]]
) -> None:
    """What the program items of the batch's receipts made (migration c0008), kept with it;
    a table the batch names that central does not know is refused by ``recheck``."""
    for name, rows in records.items():
        table = RECORDS.get(name)
        if table is None or not rows:
            continue
        conn.execute(
            sa.insert(table),
            [{k: v for k, v in r.items() if k in table.c} | {"batch_id": bid, "workstation": ws}
             for r in rows],
        )  # fmt: skip


#: What central keeps of an open item a returned check made.
ITEM_COLUMNS = ("ref", "program", "account", "name", "address", "amount_due_cents", "due_date",
                "revenue_code", "gl")  # fmt: skip


def _corrections(
    conn: sa.Connection, bid: str, ws: str, on: str, carried: Mapping[str, Any]
) -> None:
    """The returned checks, refunds and transfers the batch carries (migration c0009), kept
    with it under its business date, and their GL by side and account; what they changed of
    existing open items and the clears of the certified-funds flag (c0010)."""
    _clears(conn, bid, ws, carried.get("clears") or ())
    made = carried.get("records") or ()
    if not made:
        return
    adjusted = [
        {"number": x["number"], "n": n, "ref": a["ref"], "part": a["part"],
         "amount_cents": int(a["amount_cents"]), "created_at": x["created_at"],
         "batch_id": bid, "workstation": ws}
        for x in made
        for n, a in enumerate(x.get("adjusted") or (), 1)
    ]  # fmt: skip
    if adjusted:
        conn.execute(sa.insert(sc.correction_adjustments), adjusted)
    conn.execute(
        sa.insert(sc.corrections),
        [{k: x.get(k) for k in sc.KEPT}
         | {"batch_id": bid, "workstation": ws, "business_date": on, "made_on": x["business_date"]}
         for x in made],
    )  # fmt: skip
    gl: dict[tuple[str, str, str], int] = {}
    for x in made:
        for post in x.get("postings") or ():
            key = (str(x["number"]), str(post["side"]), str(post["account"]))
            gl[key] = gl.get(key, 0) + int(post["amount_cents"])
    items = carried.get("items") or ()
    if items:
        conn.execute(
            sa.insert(sc.correction_items),
            [{k: x.get(k) for k in ITEM_COLUMNS}
             | {"batch_id": bid, "workstation": ws} for x in items],
        )  # fmt: skip
    if gl:
        conn.execute(
            sa.insert(sc.correction_gl),
            [{"number": n, "side": s, "account": a, "amount_cents": v, "batch_id": bid,
              "workstation": ws} for (n, s, a), v in gl.items()],
        )  # fmt: skip


def _clears(conn: sa.Connection, bid: str, ws: str, clears: Any) -> None:
    """The supervisors' clears of the certified-funds flag the batch carries (c0010)."""
    if clears:
        conn.execute(
            sa.insert(sc.flag_clears),
            [{"account": x["account"], "set_at": x["set_at"], "actor": x["actor"],
              "batch_id": bid, "workstation": ws} for x in clears],
        )  # fmt: skip
