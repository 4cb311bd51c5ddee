"""``report stats --central --by month`` over a city's year on PostgreSQL (issue 17).

A scratch database gets central's schema (every migration, c0007's indexes included) and a
year of 20 workstations: ``RECEIPTS`` receipts (one line and one tender each, about 1 in 50
voided) spread over 2026's days, made by the server itself (``generate_series``).  After
``ANALYZE``, the figure is ``central_stats(engine, "2026-01-01", "2026-12-31", "month")`` —
the command's own queries through SQLAlchemy (rows and total) — best of 3; beside it the same
two aggregates typed by hand into ``psql`` (``\\timing``), best of 3.  Targets: ≤ 2× and ≤ 2 s.

Run: ``python -m benchmarks.report_stats [--receipts N]`` (PostgreSQL from
``CASHIER_DESK_BENCH_PG``, default ``postgresql+psycopg://postgres@127.0.0.1:5432``); the
scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import subprocess
import time

import psycopg
from psycopg import sql

from cashier_desk.sync import central
from cashier_desk.sync.stats import central_stats

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
WORKSTATIONS = 20
RECEIPTS = 2_000_000

FILL = """
INSERT INTO batches (id, workstation, business_date, sha256, payload, approver, receipts,
                     voids, received_at)
SELECT 'W' || w || '-' || to_char(d, 'YYYYMMDD'), 'W' || w, to_char(d, 'YYYY-MM-DD'),
       repeat('0', 64), '{}', 'lee', 0, 0, '2027-01-01'
FROM generate_series(1, %(ws)s) AS w,
     generate_series(date '2026-01-01', date '2026-12-31', interval '1 day') AS d;

INSERT INTO receipts (receipt_no, batch_id, session_id, workstation, cashier, payer,
                      created_at, business_date, total_cents, change_cents, voided)
SELECT 'W' || w || '-' || lpad(n::text, 7, '0'),
       'W' || w || '-' || to_char(day, 'YYYYMMDD'), 'S', 'W' || w,
       CASE WHEN n %% 3 = 0 THEN 'amy' ELSE 'bob' END, '', '2026', to_char(day, 'YYYY-MM-DD'),
       100 + (n * 7919) %% 20000, 0, n %% 50 = 0
FROM (
  SELECT w, n, date '2026-01-01' + ((n - 1) * 365 / %(per_ws)s)::int AS day
  FROM generate_series(1, %(ws)s) AS w, generate_series(1, %(per_ws)s) AS n
) AS s;

INSERT INTO receipt_lines (batch_id, receipt_no, line_no, code, ref, description, qty,
                           amount_cents)
SELECT batch_id, receipt_no, 1, 'MISC', NULL, 'x', 1, total_cents FROM receipts;

INSERT INTO tenders (batch_id, receipt_no, kind, amount_cents)
SELECT batch_id, receipt_no, 'cash', total_cents FROM receipts;
"""

HAND = """\\timing on
SELECT substr(business_date, 1, 7), count(*), sum(total_cents) FROM receipts
 WHERE business_date BETWEEN '2026-01-01' AND '2026-12-31' AND NOT voided GROUP BY 1;
SELECT count(*), sum(total_cents) FROM receipts
 WHERE business_date BETWEEN '2026-01-01' AND '2026-12-31' AND NOT voided;
"""


def _psql_ms(dbname: str) -> float:
    """The two hand-typed aggregates' time in psql (server round trips as psql reports them)."""
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", dbname, "-X", "-q", "-f", "-"],
        input=HAND,
        capture_output=True,
        text=True,
        check=True,
    )
    return sum(float(ms) for ms in re.findall(r"Time: ([0-9.]+) ms", done.stdout))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--receipts", type=int, default=RECEIPTS)
    args = p.parse_args()
    base = os.environ.get("CASHIER_DESK_BENCH_PG", DEFAULT_PG)
    name = f"cashier_desk_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(
        host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True, sslmode="disable"
    )
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    made_role = False
    try:
        if (
            admin.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", [central.WORKSTATION_ROLE]
            ).fetchone()
            is None
        ):
            made_role = True
        engine = central.engine_for(f"{base}/{name}?sslmode=disable&gssencmode=disable")
        central.init_central(engine)
        started = time.perf_counter()
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname=name) as conn:
            conn.execute("SET session_replication_role = replica")  # the fill skips triggers
            per_ws = args.receipts // WORKSTATIONS
            for statement in FILL.split(";")[:-1]:
                conn.execute(statement, {"ws": WORKSTATIONS, "per_ws": per_ws})  # type: ignore[call-overload]
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")
        fill_s = time.perf_counter() - started
        ours = []
        for _ in range(3):
            t = time.perf_counter()
            found = central_stats(engine, "2026-01-01", "2026-12-31", "month")
            ours.append(time.perf_counter() - t)
        by_hand = [_psql_ms(name) / 1000 for _ in range(3)]
        engine.dispose()
        best, hand = min(ours), min(by_hand)
        print(f"receipts: {found.count + args.receipts // 50} made in {fill_s:.0f} s; "
              f"{found.count} not voided, {len(found.rows)} months")  # fmt: skip
        print(f"stats --central --by month: {best * 1000:.0f} ms (best of 3)")
        print(f"the same aggregates by hand in psql: {hand * 1000:.0f} ms (best of 3)")
        print(f"ratio: {best / hand:.2f}x (target <= 2x and <= 2 s)")
        with engine.connect() as conn:
            plan = conn.exec_driver_sql(
                "EXPLAIN SELECT substr(business_date, 1, 7), count(*), sum(total_cents) "
                "FROM receipts WHERE business_date BETWEEN '2026-01-01' AND '2026-12-31' "
                "AND NOT voided GROUP BY 1"
            ).all()
        print("plan:", " / ".join(str(r[0]).strip() for r in plan[:4]))
        engine.dispose()
        return 0 if best <= 2 and best <= 2 * hand else 1
    finally:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if made_role:
            # Another run's database may still use the role: then it stays with that run.
            with contextlib.suppress(psycopg.Error):
                role = sql.Identifier(central.WORKSTATION_ROLE)
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))
        admin.close()


if __name__ == "__main__":
    raise SystemExit(main())
