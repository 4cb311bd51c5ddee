"""Central sync against a real PostgreSQL, with faults injected by a loopback TCP proxy.

Every test gets its own central database (a copy of the run's initialised one) and the
workstation reaches it through the proxy as the ``cashier_workstation`` role — INSERT and
SELECT only — the way a counter does.  After each fault the central batches must equal the
workstation's closed batches exactly: same ids, hashes, receipts and sums; none twice, none
lost.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import psycopg
import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.runner import run_op
from cashier_desk.sync import central
from cashier_desk.sync import schema as c
from cashier_desk.sync.relay import SyncResult
from tests.helpers import FakeClock, small_day
from tests.sync.conftest import (
    CentralPg,
    assert_central_equals_local,
    central_row_counts,
    cli,
    dump_central,
    forget_ack,
    local_payload,
    next_day_clock,
    other_day,
    outbox_row,
    push,
    workstation,
)
from tests.sync.proxy import TcpProxy

pytestmark = pytest.mark.postgres

MakeApp = Callable[..., App]
RECEIVED = "2026-11-23T23:00:00+00:00"


def cut_in_delivery(r: SyncResult) -> bool:
    """The connection was cut during the delivery itself (not while central was checked)."""
    return bool(r.unreachable) and "cannot be reached" not in (r.unreachable or "")


# -- the faults ------------------------------------------------------------------------------


def test_two_days_through_the_proxy_arrive_once(
    make_app: MakeApp, central_pg: CentralPg, proxy: TcpProxy, ws_url: str
) -> None:
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    day1 = small_day(app)
    r = push(app)
    assert (r.sent, r.already_there, r.pending, r.problems, r.unreachable) == (1, 0, 0, [], None)
    clock.advance(days=1)
    day2 = other_day(app)
    r = push(app)
    assert (r.sent, r.pending, r.unreachable) == (1, 0, None)
    assert proxy.connections >= 1
    batches = assert_central_equals_local(central_pg.engine, app)
    assert sorted(batches) == sorted([day1["batch"], day2["batch"]])
    for day in (day1, day2):
        assert central.totals(central_pg.engine, day["date"]) == {
            "batches": 1,
            "receipts": day["receipts"],
            "tenders": day["tenders"],
            "gl": day["gl"],
        }
    assert push(app).sent == 0


def test_cut_before_commit_rolls_back_and_the_resend_posts_once(
    make_app: MakeApp, central_pg: CentralPg, proxy: TcpProxy, ws_url: str
) -> None:
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    day1 = small_day(app)
    proxy.cut_before(b"COMMIT")
    r = push(app)
    assert proxy.cuts_done == 1, "the cut did not fire"
    assert (r.sent, r.already_there, r.pending, r.problems) == (0, 0, 1, [])
    assert cut_in_delivery(r), r.unreachable
    assert sum(central_row_counts(central_pg.engine).values()) == 0, "a cut batch left rows"
    row = outbox_row(app, day1["batch"])
    assert row["sent_at"] is None and row["outcome"] is None
    assert row["attempts"] == 1 and row["last_error"]

    r = push(app)
    assert (r.sent, r.already_there, r.pending, r.unreachable) == (1, 0, 0, None)
    assert outbox_row(app, day1["batch"])["outcome"] == "sent"

    # The next day, on a workstation opened again, cut once more before the commit.
    app.close()
    app2 = workstation(make_app, ws_url, next_day_clock(clock))
    other_day(app2)
    proxy.cut_before(b"COMMIT")
    r = push(app2)
    assert (r.sent, r.pending) == (0, 1) and cut_in_delivery(r)
    assert proxy.cuts_done == 2 and not proxy.armed
    r = push(app2)
    assert (r.sent, r.already_there, r.pending) == (1, 0, 0)
    assert_central_equals_local(central_pg.engine, app2)


def test_cut_after_commit_before_ack_is_already_there_on_resend(
    make_app: MakeApp, central_pg: CentralPg, proxy: TcpProxy, ws_url: str
) -> None:
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    day1 = small_day(app)
    proxy.cut_after_reply_to(b"COMMIT")
    r = push(app)
    assert proxy.cuts_done == 1, "the cut did not fire"
    assert (r.sent, r.already_there, r.pending, r.problems) == (0, 0, 1, [])
    assert cut_in_delivery(r), r.unreachable
    # Central committed although the workstation never heard.
    assert central_row_counts(central_pg.engine)["batches"] == 1
    assert outbox_row(app, day1["batch"])["sent_at"] is None

    r = push(app)
    assert (r.sent, r.already_there, r.pending, r.unreachable) == (0, 1, 0, None)
    row = outbox_row(app, day1["batch"])
    assert row["outcome"] == "already_there" and row["sent_at"] is not None
    assert_central_equals_local(central_pg.engine, app)

    # The chain continues from the batch the workstation never heard about.
    clock.advance(days=1)
    other_day(app)
    proxy.cut_after_reply_to(b"COMMIT")
    r = push(app)
    assert (r.sent, r.pending) == (0, 1) and cut_in_delivery(r)
    assert proxy.cuts_done == 2 and not proxy.armed
    r = push(app)
    assert (r.sent, r.already_there, r.pending) == (0, 1, 0)
    assert_central_equals_local(central_pg.engine, app)


def test_same_batch_delivered_twice_posts_once(
    make_app: MakeApp,
    central_pg: CentralPg,
    ws_url: str,
    engines: Callable[[str], sa.Engine],
) -> None:
    app = workstation(make_app, ws_url)
    day1 = small_day(app)
    payload, sha = local_payload(app, day1["batch"])
    as_ws = engines(central_pg.workstation_url)
    assert central.deliver(as_ws, payload, sha, RECEIVED) == "sent"
    before = dump_central(central_pg.engine)
    assert central.deliver(as_ws, payload, sha, RECEIVED) == "already_there"
    assert dump_central(central_pg.engine) == before

    # The workstation's own resend (its outbox row is still pending) is acknowledged too.
    r = push(app)
    assert (r.sent, r.already_there, r.pending) == (0, 1, 0)
    # A lost acknowledgement: the row is pending again and the batch goes out again.
    forget_ack(app, day1["batch"])
    assert app.desk.relay is not None and app.desk.relay.pending() == 1
    r = push(app)
    assert (r.sent, r.already_there, r.pending, r.problems) == (0, 1, 0, [])
    assert dump_central(central_pg.engine) == before
    assert_central_equals_local(central_pg.engine, app)


def test_two_deliveries_racing_post_once(
    make_app: MakeApp,
    central_pg: CentralPg,
    engines: Callable[[str], sa.Engine],
) -> None:
    """Both deliveries pass the "is it there?" check before either commits (held at the
    chain-head read by a table lock); one posts, the other is told it is already there."""
    app = make_app()
    day1 = small_day(app)
    payload, sha = local_payload(app, day1["batch"])
    results: list[str] = []
    errors: list[BaseException] = []

    def deliver(engine: sa.Engine) -> None:
        try:
            results.append(central.deliver(engine, payload, sha, RECEIVED))
        except BaseException as exc:  # reported below
            errors.append(exc)

    racers = [engines(central_pg.workstation_url) for _ in range(2)]
    with central_pg.engine.connect() as admin:
        admin.execute(sa.text("LOCK TABLE chain_heads IN ACCESS EXCLUSIVE MODE"))
        threads = [threading.Thread(target=deliver, args=(e,)) for e in racers]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with central_pg.engine.connect() as watch:
                waiting = watch.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = :d "
                        "AND usename = :u AND wait_event_type = 'Lock'"
                    ),
                    {"d": central_pg.name, "u": central.WORKSTATION_ROLE},
                ).scalar_one()
            if waiting == 2:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the two deliveries never met at the lock")
        admin.rollback()
    for t in threads:
        t.join(timeout=20)
    assert not errors, errors
    assert sorted(results) == ["already_there", "sent"]
    assert central_row_counts(central_pg.engine)["batches"] == 1
    assert_central_equals_local(central_pg.engine, app)


def test_central_down_for_a_while_then_back(
    make_app: MakeApp, central_pg: CentralPg, proxy: TcpProxy, ws_url: str
) -> None:
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    assert push(app).sent == 0  # nothing to send: central is not even asked
    day1 = small_day(app)
    proxy.down()
    r = push(app)
    assert (r.sent, r.already_there, r.pending, r.problems) == (0, 0, 1, [])
    assert r.unreachable and "cannot be reached" in r.unreachable
    refused = run_op(app.desk, {"op": "sync"})
    assert refused["ok"] is False and refused["error"] == "central_unreachable"
    assert "1 batch(es) wait" in refused["message"]
    row = outbox_row(app, day1["batch"])
    assert row["sent_at"] is None and row["attempts"] == 2 and row["last_error"]

    # Still down the next day, after the workstation was restarted.
    app.close()
    app2 = workstation(make_app, ws_url, next_day_clock(clock))
    other_day(app2)
    r = push(app2)
    assert (r.sent, r.pending) == (0, 2) and r.unreachable
    assert sum(central_row_counts(central_pg.engine).values()) == 0

    proxy.up()
    result = run_op(app2.desk, {"op": "sync"})
    assert result == {
        "op": "sync", "ok": True, "sent": 2, "already_there": 0, "pending": 0, "quarantined": 0,
    }  # fmt: skip
    assert_central_equals_local(central_pg.engine, app2)


def test_central_drops_the_connection_mid_session_then_back(
    make_app: MakeApp, central_pg: CentralPg, proxy: TcpProxy, ws_url: str
) -> None:
    """The relay's pooled connection dies while central is down; it reconnects when back."""
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    small_day(app)
    assert push(app).sent == 1
    clock.advance(days=1)
    other_day(app)
    proxy.down()
    proxy.up()
    r = push(app)
    assert (r.sent, r.pending, r.unreachable) == (1, 0, None)
    assert_central_equals_local(central_pg.engine, app)


# -- the workstation role ------------------------------------------------------------------


def test_the_workstation_role_can_insert_and_select_but_never_update_or_delete(
    make_app: MakeApp, central_pg: CentralPg, engines: Callable[[str], sa.Engine]
) -> None:
    app = make_app()
    day1 = small_day(app)
    payload, sha = local_payload(app, day1["batch"])
    as_ws = engines(central_pg.workstation_url)
    with as_ws.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar_one() == "cashier_workstation"
    assert central.deliver(as_ws, payload, sha, RECEIVED) == "sent"  # INSERT into every table
    before = dump_central(central_pg.engine)
    with as_ws.connect() as conn:
        assert conn.execute(sa.select(c.batches.c.id)).scalars().all() == [day1["batch"]]

    statements = []
    for table in c.BATCH_TABLES + c.QUARANTINE_TABLES:
        statements += [
            f'UPDATE "{table}" SET batch_id = batch_id'
            if table not in ("batches", *c.QUARANTINE_TABLES)
            else f"UPDATE \"{table}\" SET workstation = 'x'",
            f'DELETE FROM "{table}"',
            f'TRUNCATE "{table}" CASCADE',
        ]
    for stmt in statements:
        with as_ws.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as caught:
            conn.execute(sa.text(stmt))
        assert isinstance(caught.value.orig, psycopg.errors.InsufficientPrivilege), stmt
    assert dump_central(central_pg.engine) == before
    with central_pg.engine.connect() as conn:
        privileges = conn.execute(
            sa.text(
                "SELECT privilege_type FROM information_schema.role_table_grants "
                "WHERE grantee = :r AND table_name = 'batches' ORDER BY 1"
            ),
            {"r": central.WORKSTATION_ROLE},
        ).scalars()
        assert list(privileges) == ["INSERT", "SELECT"]


# -- central totals --------------------------------------------------------------------------


def test_central_totals_after_a_synced_day_equals_the_closeout(
    make_app: MakeApp, central_pg: CentralPg, ws_url: str, engines: Callable[[str], sa.Engine]
) -> None:
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    day1 = small_day(app)
    clock.advance(days=1)
    day2 = other_day(app)
    assert push(app).sent == 2
    data_dir = str(app.data_dir)
    app.close()
    done = cli(
        "--data-dir", data_dir, "--central", central_pg.url, "central", "totals",
        "--date", day1["date"],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "batches": 1,
        "receipts": day1["receipts"],
        "tenders": day1["tenders"],
        "gl": day1["gl"],
    }
    # The same through the API, for the other day, and as the workstation role.
    as_ws = engines(central_pg.workstation_url)
    assert central.totals(as_ws, day2["date"]) == {
        "batches": 1,
        "receipts": day2["receipts"],
        "tenders": day2["tenders"],
        "gl": day2["gl"],
    }
    empty = central.totals(as_ws, "2026-11-01")
    assert (empty["batches"], empty["receipts"], empty["gl"]) == (0, 0, {})


def test_cli_sync_with_central_url(
    make_app: MakeApp, central_pg: CentralPg, proxy: TcpProxy, ws_url: str
) -> None:
    app = make_app()
    day1 = small_day(app)
    data_dir = str(app.data_dir)
    app.close()
    done = cli("--data-dir", data_dir, "--central", ws_url, "sync")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "ok": True, "sent": 1, "already_there": 0, "pending": 0, "quarantined": 0,
    }  # fmt: skip
    assert proxy.connections >= 1
    assert_central_equals_local(central_pg.engine, make_app())
    assert central.totals(central_pg.engine, day1["date"])["receipts"] == day1["receipts"]


# -- storage ---------------------------------------------------------------------------------


def test_a_batch_payload_is_stored_compressed_with_lz4_when_the_server_has_it(
    make_app: MakeApp, central_pg: CentralPg
) -> None:
    """Migration c0002: the payload column compresses with lz4 (three times faster than
    PostgreSQL's default pglz at about the same size) on a server built with it."""
    with central_pg.engine.connect() as conn:
        methods = conn.execute(
            sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        ).scalar()
        if "lz4" not in (methods or []):
            pytest.skip("this PostgreSQL server was built without lz4")
    app = make_app()
    day = small_day(app)
    payload, sha = local_payload(app, day["batch"])
    assert central.deliver(central_pg.engine, payload, sha, RECEIVED) == "sent"
    with central_pg.engine.connect() as conn:
        column = conn.execute(
            sa.text(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = 'batches'::regclass AND attname = 'payload'"
            )
        ).scalar()
        stored = conn.execute(
            sa.text("SELECT pg_column_compression(payload), payload FROM batches")
        ).one()
    assert column == "l"
    assert len(payload) > 2048  # large enough to be compressed at all
    assert tuple(stored) == ("lz4", payload)
