"""A refused batch never strands the ones after it: central keeps it in quarantine, out of its
books and totals, the workstation's chain continues through it, and an admin's
``sync resolve BATCH --accept|--reject`` decides (audited here and at central; nothing
overwritten; a receipt number already at central stays a conflict).  On the embedded SQLite
central and on PostgreSQL (as the workstation role)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.ledger import schema as local
from cashier_desk.runner import run_op
from cashier_desk.sync import central, quarantine
from cashier_desk.sync import schema as c
from tests.helpers import FakeClock, small_day
from tests.sync.conftest import (
    CentralPg,
    assert_central_equals_local,
    cli,
    dump_central,
    local_payload,
    other_day,
    outbox_row,
    reseal,
    workstation,
)

MakeApp = Callable[..., App]
RECEIVED = "2026-11-23T23:00:00+00:00"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def where(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[tuple[str, str]]:
    """(the workstation's URL, an administrator's URL) of a fresh central."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'city.db'}"
        yield url, url
        return
    pg: CentralPg = request.getfixturevalue("central_pg")
    yield pg.workstation_url, pg.url


def local_audit(app: App, action: str) -> list[tuple[str, str, str]]:
    with app.ledger.read() as conn:
        return [
            (r.actor, r.target, r.outcome)
            for r in conn.execute(
                sa.select(local.audit_log).where(local.audit_log.c.action == action)
            )
        ]


def decisions(engine: sa.Engine) -> list[tuple[str, str, str, str]]:
    d = c.quarantine_decisions
    with engine.connect() as conn:
        return [
            (r.batch_id, r.decision, r.decided_by, r.note)
            for r in conn.execute(sa.select(d).order_by(d.c.decided_at, d.c.batch_id))
        ]


def test_a_conflict_is_held_and_the_days_after_it_still_go(
    make_app: MakeApp, where: tuple[str, str], engines: Callable[[str], sa.Engine]
) -> None:
    ws_url, admin_url = where
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    day1 = small_day(app)
    # Central's books already hold day 1's batch id with other content.
    payload, _ = local_payload(app, day1["batch"])
    planted = json.loads(payload)
    planted["approver"] = "sam"
    text, digest = reseal(planted)
    admin = engines(admin_url)
    if admin_url.startswith("sqlite"):
        central.ensure_ready(admin)
    assert central.deliver(admin, text, digest, RECEIVED) == "sent"
    clock.advance(days=1)
    day2 = other_day(app)
    clock.advance(days=1)
    day3 = other_day(app)

    result = run_op(app.desk, {"op": "sync"})
    assert result == {
        "op": "sync", "ok": True, "sent": 2, "already_there": 0, "pending": 0, "quarantined": 1,
    }  # fmt: skip
    assert outbox_row(app, day1["batch"])["outcome"] == "quarantined"
    for day in (day2, day3):
        assert outbox_row(app, day["batch"])["outcome"] == "sent"
        assert central.totals(admin, day["date"]) == {
            "batches": 1,
            "receipts": day["receipts"],
            "tenders": day["tenders"],
            "gl": day["gl"],
        }
    # Central's totals of day 1 are its books' (the planted batch), never the held one.
    held_day = central.totals(admin, day1["date"])
    assert held_day["batches"] == 1 and held_day["tenders"] == day1["tenders"]
    with admin.connect() as conn:
        approvers = conn.execute(sa.select(c.batches.c.approver).order_by(c.batches.c.id)).all()
    assert [a for (a,) in approvers] == ["sam", "lee", "lee"]
    held = quarantine.undecided(admin)
    assert [(h["batch_id"], h["reason"]) for h in held] == [(day1["batch"], "conflict")]

    # An admin cannot accept it: the books hold its id (and its receipt numbers).
    before = dump_central(admin)
    with pytest.raises(Refusal) as refused:
        app.desk.resolve_quarantined(day1["batch"], accept=True, login="ada", pin="9999")
    assert refused.value.code == "quarantine_conflict"
    assert "stays a conflict for the finance office" in refused.value.message
    assert dump_central(admin) == before and decisions(admin) == []
    # A lead may not decide at all (and the try is audited).
    with pytest.raises(Refusal) as refused:
        app.desk.resolve_quarantined(day1["batch"], accept=False, login="lee", pin="1111")
    assert refused.value.code == "not_authorized"
    assert ("lee", "lee", "refused") in local_audit(app, "override_refused")
    # Rejected: recorded at central and here; it stays out of the books, and is decided.
    decided = app.desk.resolve_quarantined(
        day1["batch"], accept=False, login="ada", pin="9999", note="finance keeps theirs"
    )
    assert decided == {
        "batch": day1["batch"], "decision": "rejected", "workstation": "W1",
        "date": day1["date"], "reason": "conflict",
    }  # fmt: skip
    assert decisions(admin) == [(day1["batch"], "rejected", "ada", "finance keeps theirs")]
    assert local_audit(app, "sync_resolve") == [("ada", day1["batch"], "rejected")]
    assert outbox_row(app, day1["batch"])["outcome"] == "rejected"
    assert dump_central(admin) == before
    assert quarantine.undecided(admin) == []
    with pytest.raises(Refusal) as refused:
        app.desk.resolve_quarantined(day1["batch"], accept=True, login="ada", pin="9999")
    assert refused.value.code == "not_quarantined" and "already rejected by ada" in str(
        refused.value
    )
    r = app.desk.sync()
    assert (r.sent, r.already_there, r.quarantined) == (0, 0, 0)


def test_the_chain_continues_through_a_held_batch_which_an_admin_then_accepts(
    make_app: MakeApp, where: tuple[str, str], engines: Callable[[str], sa.Engine]
) -> None:
    ws_url, admin_url = where
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    small_day(app)
    clock.advance(days=1)
    day2 = other_day(app)
    clock.advance(days=1)
    day3 = other_day(app)
    admin = engines(admin_url)
    if admin_url.startswith("sqlite"):
        central.ensure_ready(admin)
    # Day 2 arrives before day 1 (its chain does not follow on): held.
    p2, sha2 = local_payload(app, day2["batch"])
    assert central.deliver(engines(ws_url), p2, sha2, RECEIVED) == "quarantined"

    result = run_op(app.desk, {"op": "sync"})
    assert result == {
        "op": "sync", "ok": True, "sent": 2, "already_there": 0, "pending": 0, "quarantined": 1,
    }  # fmt: skip
    # Day 3 followed on from the held day 2; central's totals leave day 2 out.
    assert central.totals(admin, day3["date"])["receipts"] == day3["receipts"]
    assert central.totals(admin, day2["date"]) == central.totals(admin, "2026-01-01")
    held = quarantine.undecided(admin)
    assert [(h["batch_id"], h["reason"]) for h in held] == [(day2["batch"], "chain")]
    assert "central last saw record 0" in held[0]["problem"]

    decided = app.desk.resolve_quarantined(day2["batch"], accept=True, login="ada", pin="9999")
    assert decided["decision"] == "accepted" and decided["reason"] == "chain"
    assert central.totals(admin, day2["date"]) == {
        "batches": 1,
        "receipts": day2["receipts"],
        "tenders": day2["tenders"],
        "gl": day2["gl"],
    }
    assert_central_equals_local(admin, app)
    assert decisions(admin) == [(day2["batch"], "accepted", "ada", "")]
    assert local_audit(app, "sync_resolve") == [("ada", day2["batch"], "accepted")]
    assert outbox_row(app, day2["batch"])["outcome"] == "accepted"
    r = app.desk.sync()
    assert (r.sent, r.already_there, r.quarantined) == (0, 0, 0)


def test_sync_resolve_on_the_command_line(make_app: MakeApp, tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'city.db'}"
    clock = FakeClock()
    app = workstation(make_app, url, clock)
    small_day(app)
    clock.advance(days=1)
    day2 = other_day(app)
    p2, sha2 = local_payload(app, day2["batch"])
    engine = central.engine_for(url)
    central.ensure_ready(engine)
    assert central.deliver(engine, p2, sha2, RECEIVED) == "quarantined"
    engine.dispose()
    data = str(app.data_dir)
    app.close()
    done = cli("--data-dir", data, "--central", url, "sync")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["quarantined"] == 1
    assert f"central holds batch {day2['batch']}" in done.stderr
    assert "sync resolve" in done.stderr
    done = cli("--data-dir", data, "--central", url, "central", "status")
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    assert [x["quarantined"] for x in lines if "quarantined" in x] == [day2["batch"]]

    resolve = ("--data-dir", data, "--central", url)
    done = cli(*resolve, "sync", "resolve", day2["batch"], "--accept")
    assert done.returncode == 1 and "--user LOGIN --pin PIN" in done.stderr
    done = cli(*resolve, "--user", "lee", "--pin", "1111", "sync", "resolve", day2["batch"],
                   "--accept")  # fmt: skip
    assert done.returncode == 1 and "admin" in done.stderr
    done = cli(
        *resolve, "sync", "resolve", day2["batch"], "--accept", "--note", "late day 1",
        env={"CASHIER_DESK_USER": "ada", "CASHIER_DESK_PIN": "9999"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "ok": True, "batch": day2["batch"], "decision": "accepted", "workstation": "W1",
        "date": day2["date"], "reason": "chain",
    }  # fmt: skip
    done = cli(*resolve, "--user", "ada", "--pin", "9999", "sync", "resolve", day2["batch"],
                   "--reject")  # fmt: skip
    assert done.returncode == 1 and "already accepted by ada" in done.stderr
    again = make_app(clock=clock)
    engine = central.engine_for(url)
    try:
        assert_central_equals_local(engine, again)
    finally:
        engine.dispose()


def test_migration_c0003_makes_the_quarantine_tables_of_the_schema(tmp_path: Any) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = central.engine_for(f"sqlite:///{tmp_path / 'city.db'}")
    try:
        assert central.init_central(engine) == central.head_revision()
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={"include_name": lambda name, *_: name != central.VERSION_TABLE},
            )
            assert compare_metadata(ctx, c.metadata) == []
        # And back: c0003 comes off whole and goes on again.
        from alembic import command

        cfg = central._config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "c0002")
        assert central.revision(engine) == "c0002"
        assert not {"quarantine", "quarantine_decisions"} & set(
            sa.inspect(engine).get_table_names()
        )
        assert central.init_central(engine) == central.head_revision()
    finally:
        engine.dispose()


def test_a_receipt_number_already_at_central_stays_a_conflict(
    make_app: MakeApp, where: tuple[str, str], engines: Callable[[str], sa.Engine]
) -> None:
    """A workstation set up again from an old copy numbers its receipts anew: its next batch
    repeats receipt numbers central holds.  Held; accept is refused, saying why."""
    ws_url, admin_url = where
    first = workstation(make_app, ws_url, FakeClock(), "first")
    small_day(first)
    assert first.desk.sync().sent == 1
    again = workstation(make_app, ws_url, FakeClock(), "again")
    day = next_day(again)
    admin = engines(admin_url)
    before = dump_central(admin)
    r = again.desk.sync()
    assert (r.sent, r.quarantined) == (0, 1)
    held = quarantine.undecided(admin)
    assert [(h["batch_id"], h["reason"]) for h in held] == [(day["batch"], "conflict")]
    assert "receipt number(s) W1-000001" in held[0]["problem"]
    with pytest.raises(Refusal) as refused:
        again.desk.resolve_quarantined(day["batch"], accept=True, login="ada", pin="9999")
    assert refused.value.code == "quarantine_conflict"
    assert "W1-000001" in refused.value.message
    assert "stays a conflict for the finance office" in refused.value.message
    assert dump_central(admin) == before and decisions(admin) == []


def next_day(app: App) -> dict[str, Any]:
    assert isinstance(app.desk.clock, FakeClock)
    app.desk.clock.advance(days=1)
    return other_day(app)
