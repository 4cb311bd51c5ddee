"""Central trusts each workstation for itself only (PostgreSQL row-level security).

Workstation W1 is the run's ``cashier_workstation`` role; W2 gets a role of its own for the
test (``ws_role``).  Connected as W2's role — through any client, not only ``deliver`` — nothing
of W1's can be added, forged or read, and a batch of a workstation central does not know is
refused and never applied by ``sync pull``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.demo import DEMO_DIR
from cashier_desk.sync import access, books, central
from cashier_desk.sync import schema as c
from cashier_desk.sync.pull import central_import
from tests.helpers import FakeClock, run_ok, small_day
from tests.sync.conftest import (
    CentralPg,
    cli,
    dump_central,
    local_payload,
    next_day_clock,
    other_day,
    reseal,
    workstation,
)

pytestmark = pytest.mark.postgres

MakeApp = Callable[..., App]
RECEIVED = "2026-11-23T23:00:00+00:00"


def _refused_by_the_database(engine: sa.Engine, stmt: str, **params: Any) -> None:
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as caught:
        conn.execute(sa.text(stmt), params)
    # Row-level security and missing grants are both SQLSTATE 42501.
    assert isinstance(caught.value.orig, psycopg.errors.InsufficientPrivilege), stmt


def test_a_second_workstation_cannot_add_forge_or_read_the_first_ones_rows(
    make_app: MakeApp,
    central_pg: CentralPg,
    ws_role: Callable[[str], str],
    engines: Callable[[str], sa.Engine],
) -> None:
    clock = FakeClock()
    w1 = workstation(make_app, central_pg.workstation_url, clock)
    day1 = small_day(w1)
    assert w1.desk.relay is not None and w1.desk.relay.push().sent == 1
    as_w2 = engines(ws_role("W2"))
    before = dump_central(central_pg.engine)
    bid = day1["batch"]

    # Through the program: W1's batches (sent or not yet) are refused, nothing written.
    payload, sha = local_payload(w1, bid)
    with pytest.raises(access.UnknownWorkstation, match="workstation W2's"):
        central.deliver(as_w2, payload, sha, RECEIVED)
    w1.close()
    later = workstation(make_app, central_pg.workstation_url, next_day_clock(clock))
    day2 = other_day(later)
    payload2, sha2 = local_payload(later, day2["batch"])
    with pytest.raises(access.UnknownWorkstation):
        central.deliver(as_w2, payload2, sha2, RECEIVED)

    # Around the program, with plain SQL: every way in is refused by the database itself.
    head = {"w": "W1", "b": bid, "h": "0" * 64}
    _refused_by_the_database(
        as_w2,
        "INSERT INTO batches VALUES ('W1-20991231-001', 'W1', '2099-12-31', :h, '{}', 'lee', "
        "0, 0, 'now')",
        h="0" * 64,
    )
    _refused_by_the_database(
        as_w2,
        "INSERT INTO receipt_lines (batch_id, receipt_no, line_no, code, description, qty, "
        "amount_cents) VALUES (:b, 'W2-999999', 1, 'MISC', 'x', 1, 100)",
        b=bid,
    )
    _refused_by_the_database(
        as_w2,
        "INSERT INTO receipts VALUES ('W2-999999', :b, 's', 'W2', 'amy', '', 'now', "
        "'2026-11-22', 100, 0, false)",
        b=bid,
    )
    _refused_by_the_database(
        as_w2,
        "INSERT INTO chain_heads VALUES (:w, 999, :h, :b, 'now')",
        **head,
    )
    _refused_by_the_database(
        as_w2, "INSERT INTO chain_heads VALUES ('W2', 999, :h, :b, 'now')", h="0" * 64, b=bid
    )
    _refused_by_the_database(as_w2, "UPDATE chain_heads SET hash = :h WHERE workstation = 'W1'",
                             h="0" * 64)  # fmt: skip
    _refused_by_the_database(as_w2, "INSERT INTO workstations VALUES ('W3', 'x', 'now', NULL)")
    _refused_by_the_database(as_w2, "UPDATE ref_open_items SET amount_due_cents = 0")
    _refused_by_the_database(as_w2, "INSERT INTO tender_totals VALUES (:b, 'cash', 0, 0, 0)",
                             b=bid)  # fmt: skip

    # COPY (which the big tables take) is checked the same way, once a statement.
    with as_w2.connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy("COPY tenders (batch_id, receipt_no, kind, "
                                           "amount_cents) FROM STDIN") as copy:  # fmt: skip
            copy.write_row((bid, "W1-999999", "cash", 100))

    # Reading: W2 sees none of W1's rows in any table (the big ones it may not read at all),
    # and only itself among the workstations.
    for table in access.BULK:
        _refused_by_the_database(as_w2, f'SELECT * FROM "{table}"')
    with as_w2.connect() as conn:
        for table in set(c.BATCH_TABLES) - set(access.BULK):
            rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).all()
            assert all(bid not in (str(v) for v in r) for r in rows), table
            assert not [r for r in rows if "W1" in (str(v) for v in r)], table
        assert conn.execute(sa.text("SELECT id FROM workstations")).scalars().all() == ["W2"]
    after = dump_central(central_pg.engine)
    assert after["batches"] == before["batches"] and after["chain_heads"] == before["chain_heads"]
    assert after["receipt_lines"] == before["receipt_lines"]


def test_workstation_roles_carry_timeouts(
    central_pg: CentralPg, ws_role: Callable[[str], str], engines: Callable[[str], sa.Engine]
) -> None:
    as_w2 = engines(ws_role("W2"))
    with as_w2.connect() as conn:
        shown = {
            name: conn.execute(sa.text(f"SHOW {name}")).scalar_one()
            for name in access.ROLE_SETTINGS
        }
        assert conn.execute(sa.text("SELECT central_workstation()")).scalar_one() == "W2"
    assert shown == {
        "lock_timeout": "10s",
        "statement_timeout": "2min",
        "idle_in_transaction_session_timeout": "1min",
    }


def test_a_batch_of_an_unknown_workstation_is_refused_and_never_applied_by_pull(
    make_app: MakeApp,
    central_pg: CentralPg,
    ws_role: Callable[[str], str],
    engines: Callable[[str], sa.Engine],
) -> None:
    for kind, name in (("revenue-codes", "revenue_codes"), ("open-items", "open_items")):
        central_import(central_pg.engine, kind, DEMO_DIR / f"{name}.csv", RECEIVED)
    w1 = workstation(make_app, central_pg.workstation_url, name="w1")
    w2 = make_app("w2", workstation="W2")
    assert w2.desk.relay is not None
    w2.desk.relay.central_url = ws_role("W2")
    assert w1.desk.pull_reference_data().open_items == 1611
    run_ok(w2, {"op": "login", "user": "bob", "pin": "2468"},
           {"op": "open_drawer", "drawer": "D9", "opening": {"20.00": 5}},
           {"op": "sale", "items": [{"ref": "UB-100234", "amount": "50.00"}],
            "tenders": [{"type": "cash", "amount": "50.00"}]},
           {"op": "close_drawer", "counted": {"cash": {"50.00": 3}}},
           {"op": "closeout", "approver": "lee", "approver_pin": "1111"})  # fmt: skip
    with w2.ledger.read() as conn:
        text = str(conn.execute(sa.text("SELECT payload FROM batches")).scalar_one())
    # W9 was never registered: the same day as if from W9 is refused, even to the admin ...
    w9_text = text.replace('"W2', '"W9')
    w9 = json.loads(w9_text)
    with pytest.raises(access.UnknownWorkstation, match="does not know workstation W9"):
        central.deliver(central_pg.engine, *reseal(w9), RECEIVED)
    # ... and rows written around the program (an old central, a hand edit) are never applied.
    with central_pg.engine.begin() as conn:
        books.insert_batch(conn, w9, *reseal(w9), RECEIVED)
    assert w1.desk.pull_reference_data().payments_applied == 0
    item = w1.desk.open_item("UB-100234")
    assert item is not None and str(item.still_due) == "82.15"
    # W2 is known: its payment is applied once it has arrived.
    assert w2.desk.relay.push().sent == 1
    assert w1.desk.pull_reference_data().payments_applied == 1
    item = w1.desk.open_item("UB-100234")
    assert item is not None and str(item.still_due) == "32.15"


def test_workstation_add_and_remove_from_the_command_line(
    make_app: MakeApp, central_pg: CentralPg, pg_server: Any, tmp_path: Any
) -> None:
    role = f"{central_pg.name}_w5"
    try:
        done = cli("--data-dir", str(tmp_path / "adm"), "--central", central_pg.url,
                   "central", "workstation", "add", "W5", "--role", role)  # fmt: skip
        assert done.returncode == 0, done.stderr
        made = json.loads(done.stdout)
        assert (made["workstation"], made["role"]) == ("W5", role)
        assert len(made["password"]) >= 32
        found = pg_server.admin.execute(
            "SELECT rolcanlogin, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s",
            [role],
        ).fetchone()
        assert found == (True, True)
        again = cli("--data-dir", str(tmp_path / "adm"), "--central", central_pg.url,
                    "central", "workstation", "add", "W6", "--role", role)  # fmt: skip
        assert again.returncode == 1 and not again.stdout
        assert f"role {role} is workstation W5's" in again.stderr

        gone = cli("--data-dir", str(tmp_path / "adm"), "--central", central_pg.url,
                   "central", "workstation", "remove", "W5")  # fmt: skip
        assert gone.returncode == 0, gone.stderr
        found = pg_server.admin.execute(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [role]
        ).fetchone()
        assert found == (False,)
        with central_pg.engine.connect() as conn:
            row = conn.execute(sa.select(c.workstations).where(c.workstations.c.id == "W5"))
            assert row.one().removed_at is not None
    finally:
        central_pg.engine.dispose()
        pg_server.admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [role]
        )
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname=central_pg.name,
                             autocommit=True) as conn:  # fmt: skip
            conn.execute(psycopg.sql.SQL("DROP OWNED BY {}").format(psycopg.sql.Identifier(role)))
        pg_server.admin.execute(
            psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(psycopg.sql.Identifier(role))
        )
