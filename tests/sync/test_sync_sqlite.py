"""Central sync to the embedded SQLite central (``central.db`` in the data dir): what arrives
equals the closed batches, a lost acknowledgement or a second delivery posts nothing twice,
refusals are kept, and ``central totals`` after a synced day equals that day's closeout."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from cashier_desk.app import App, default_central_url
from cashier_desk.runner import run_op
from cashier_desk.sync import central, quarantine
from tests.helpers import FakeClock, small_day
from tests.sync.conftest import (
    assert_central_equals_local,
    central_row_counts,
    cli,
    dump_central,
    forget_ack,
    local_payload,
    other_day,
    outbox_row,
    reseal,
)

MakeApp = Callable[..., App]
RECEIVED = "2026-11-23T23:00:00+00:00"


def sqlite_central(app: App, engines: Callable[[str], sa.Engine]) -> sa.Engine:
    engine = engines(default_central_url(app.data_dir))
    central.ensure_ready(engine)
    return engine


def test_central_totals_after_cli_sync_equals_the_closeout(
    make_app: MakeApp, engines: Callable[[str], sa.Engine]
) -> None:
    clock = FakeClock()
    app = make_app(clock=clock)
    day1 = small_day(app)
    clock.advance(days=1)
    day2 = other_day(app)
    data_dir = str(app.data_dir)
    app.close()

    done = cli("--data-dir", data_dir, "sync")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "ok": True, "sent": 2, "already_there": 0, "pending": 0, "quarantined": 0,
    }  # fmt: skip
    done = cli("--data-dir", data_dir, "central", "totals", "--date", day1["date"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "batches": 1,
        "receipts": day1["receipts"],
        "tenders": day1["tenders"],
        "gl": day1["gl"],
    }
    assert (Path(data_dir) / "central.db").exists()
    again = make_app(clock=clock)
    engine = sqlite_central(again, engines)
    assert central.totals(engine, day2["date"]) == {
        "batches": 1,
        "receipts": day2["receipts"],
        "tenders": day2["tenders"],
        "gl": day2["gl"],
    }
    assert_central_equals_local(engine, again)
    assert again.desk.sync().sent == 0


def test_lost_ack_and_a_second_delivery_post_nothing_twice(
    make_app: MakeApp, engines: Callable[[str], sa.Engine]
) -> None:
    app = make_app()
    day1 = small_day(app)
    assert run_op(app.desk, {"op": "sync"}) == {
        "op": "sync", "ok": True, "sent": 1, "already_there": 0, "pending": 0, "quarantined": 0,
    }  # fmt: skip
    engine = sqlite_central(app, engines)
    before = dump_central(engine)
    payload, sha = local_payload(app, day1["batch"])
    assert central.deliver(engine, payload, sha, RECEIVED) == "already_there"
    forget_ack(app, day1["batch"])
    assert app.desk.sync().already_there == 1
    assert outbox_row(app, day1["batch"])["outcome"] == "already_there"
    assert dump_central(engine) == before
    assert_central_equals_local(engine, app)


def test_central_unreachable_then_reachable(
    make_app: MakeApp, engines: Callable[[str], sa.Engine], tmp_path: Path
) -> None:
    app = make_app()
    small_day(app)
    folder = tmp_path / "central-share"
    url = f"sqlite:///{folder / 'central.db'}"
    assert app.desk.relay is not None
    app.desk.relay.central_url = url
    r = app.desk.sync()
    assert (r.sent, r.pending) == (0, 1) and r.unreachable
    folder.mkdir()
    r = app.desk.sync()
    assert (r.sent, r.pending, r.unreachable) == (1, 0, None)
    assert_central_equals_local(engines(url), app)
    # Nothing waits here, but a central that cannot be asked cannot confirm it holds it all.
    app.desk.relay.central_url = f"sqlite:///{tmp_path / 'gone' / 'central.db'}"
    refused = run_op(app.desk, {"op": "sync"})
    assert refused["error"] == "central_unreachable"
    assert "could not be checked" in refused["message"]


def test_conflict_is_quarantined_kept_out_of_the_books_and_central_unchanged(
    make_app: MakeApp, engines: Callable[[str], sa.Engine]
) -> None:
    app = make_app()
    day1 = small_day(app)
    payload, sha = local_payload(app, day1["batch"])
    other = json.loads(payload)
    other["approver"] = "lee"
    text, digest = reseal(other)
    engine = sqlite_central(app, engines)
    assert central.deliver(engine, text, digest, RECEIVED) == "sent"
    before = dump_central(engine)
    assert central.deliver(engine, payload, sha, RECEIVED) == "quarantined"
    assert central.deliver(engine, payload, sha, RECEIVED) == "quarantined"  # held once

    result = run_op(app.desk, {"op": "sync"})
    assert result == {
        "op": "sync", "ok": True, "sent": 0, "already_there": 0, "pending": 0, "quarantined": 1,
    }  # fmt: skip
    row = outbox_row(app, day1["batch"])
    assert row["outcome"] == "quarantined" and "other content" in row["last_error"]
    assert dump_central(engine) == before
    held = quarantine.undecided(engine)
    assert [(h["batch_id"], h["sha256"], h["reason"]) for h in held] == [
        (day1["batch"], sha, "conflict")
    ]


def test_an_altered_audit_chain_is_quarantined_and_the_genuine_batch_still_goes(
    make_app: MakeApp, engines: Callable[[str], sa.Engine]
) -> None:
    app = make_app()
    day1 = small_day(app)
    payload, sha = local_payload(app, day1["batch"])
    tampered = json.loads(payload)
    tampered["audit"][0]["actor"] = "mallory"
    text, digest = reseal(tampered)
    engine = sqlite_central(app, engines)
    assert central.deliver(engine, text, digest, RECEIVED) == "quarantined"
    assert sum(central_row_counts(engine).values()) == 0
    assert "was altered" in quarantine.undecided(engine)[0]["problem"]
    assert central.deliver(engine, payload, sha, RECEIVED) == "sent"
    assert_central_equals_local(engine, app)


def test_a_batch_damaged_here_is_never_sent_and_never_strands_the_next(
    make_app: MakeApp, engines: Callable[[str], sa.Engine]
) -> None:
    """A batch whose payload here no longer matches its own SHA-256 (a damaged disk, a hand
    edit) is refused once, noted on every sync, never sent; the next day, whose audit chain
    follows it, is held in quarantine, and the day after goes into central's books."""
    from cashier_desk.ledger import schema as local

    clock = FakeClock()
    app = make_app(clock=clock)
    day1 = small_day(app)
    with app.ledger.write() as conn:
        conn.exec_driver_sql("DROP TRIGGER batches_no_update")
        conn.execute(
            sa.update(local.batches)
            .where(local.batches.c.id == day1["batch"])
            .values(payload=local.batches.c.payload + " ")
        )
    clock.advance(days=1)
    day2 = other_day(app)
    clock.advance(days=1)
    day3 = other_day(app)
    for _ in range(2):
        refused = run_op(app.desk, {"op": "sync"})
        assert refused["error"] == "sync_refused"
        assert "does not match its own SHA-256" in refused["message"]
    outcomes = [outbox_row(app, d["batch"])["outcome"] for d in (day1, day2, day3)]
    assert outcomes == ["damaged", "quarantined", "sent"]
    with app.ledger.read() as conn:
        marked = conn.execute(
            sa.select(sa.func.count()).where(
                local.audit_log.c.action == "sync", local.audit_log.c.target == day1["batch"]
            )
        ).scalar_one()
    assert marked == 1  # refused once, not again on every pass
    engine = sqlite_central(app, engines)
    assert central.totals(engine, day3["date"])["receipts"] == day3["receipts"]
    assert [central.totals(engine, d["date"])["batches"] for d in (day1, day2)] == [0, 0]
