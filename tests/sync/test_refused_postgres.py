"""Refused batches on a real PostgreSQL, as the workstation role: a conflict or an audit chain
that does not follow on is held in quarantine, out of central's books (which stay unchanged),
and the batches after it still go."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.ledger import schema as local
from cashier_desk.runner import run_op
from cashier_desk.sync import central, quarantine
from tests.helpers import FakeClock, small_day
from tests.sync.conftest import (
    CentralPg,
    assert_central_equals_local,
    central_row_counts,
    dump_central,
    local_payload,
    other_day,
    outbox_row,
    push,
    reseal,
    workstation,
)

pytestmark = pytest.mark.postgres

MakeApp = Callable[..., App]
RECEIVED = "2026-11-23T23:00:00+00:00"


def test_same_batch_other_content_is_a_conflict_and_central_is_unchanged(
    make_app: MakeApp, central_pg: CentralPg, engines: Callable[[str], sa.Engine]
) -> None:
    app = make_app()
    day1 = small_day(app)
    payload, sha = local_payload(app, day1["batch"])
    as_ws = engines(central_pg.workstation_url)
    assert central.deliver(as_ws, payload, sha, RECEIVED) == "sent"
    before = dump_central(central_pg.engine)

    edited = json.loads(payload)
    edited["summary"]["gl"]["101-0000-49900"] = "-99.00"
    text, digest = reseal(edited)
    assert digest != sha
    assert central.deliver(as_ws, text, digest, RECEIVED) == "quarantined"
    assert "other content" in quarantine.undecided(as_ws)[0]["problem"]
    # A payload that does not match its own hash is refused (and not kept: it cannot be read).
    with pytest.raises(central.BatchConflict):
        central.deliver(as_ws, text, sha, RECEIVED)
    assert dump_central(central_pg.engine) == before


def test_conflict_through_the_relay_is_kept_and_shown(
    make_app: MakeApp,
    central_pg: CentralPg,
    ws_url: str,
    engines: Callable[[str], sa.Engine],
) -> None:
    app = workstation(make_app, ws_url)
    day1 = small_day(app)
    payload, _ = local_payload(app, day1["batch"])
    # Central already holds this batch id with other content.
    other = json.loads(payload)
    other["approver"] = "lee"
    text, digest = reseal(other)
    assert central.deliver(engines(central_pg.url), text, digest, RECEIVED) == "sent"
    before = dump_central(central_pg.engine)

    result = run_op(app.desk, {"op": "sync"})
    assert result == {
        "op": "sync", "ok": True, "sent": 0, "already_there": 0, "pending": 0, "quarantined": 1,
    }  # fmt: skip
    row = outbox_row(app, day1["batch"])
    assert row["outcome"] == "quarantined" and row["sent_at"] is not None
    assert "other content" in row["last_error"]
    assert dump_central(central_pg.engine) == before
    # It waits for an admin at central: not pending here, not sent again.
    r = push(app)
    assert (r.sent, r.already_there, r.pending, r.problems, r.quarantined) == (0, 0, 0, [], 1)
    assert day1["batch"] in r.held_back[0]
    with app.ledger.read() as conn:
        logged = conn.execute(
            sa.select(local.audit_log.c.outcome).where(
                local.audit_log.c.action == "sync", local.audit_log.c.target == day1["batch"]
            )
        ).all()
    assert [r.outcome for r in logged] == ["quarantined"]


def test_an_altered_audit_record_is_refused(
    make_app: MakeApp, central_pg: CentralPg, engines: Callable[[str], sa.Engine]
) -> None:
    app = make_app()
    day1 = small_day(app)
    payload, sha = local_payload(app, day1["batch"])
    tampered = json.loads(payload)
    record = tampered["audit"][3]
    details = json.loads(record["details"])
    details["tampered"] = True
    record["details"] = json.dumps(details, sort_keys=True, separators=(",", ":"))
    text, digest = reseal(tampered)  # the payload's own hash is right: only the chain is wrong
    as_ws = engines(central_pg.workstation_url)
    assert central.deliver(as_ws, text, digest, RECEIVED) == "quarantined"
    assert "altered" in quarantine.undecided(as_ws)[0]["problem"]
    assert sum(central_row_counts(central_pg.engine).values()) == 0
    assert central.deliver(as_ws, payload, sha, RECEIVED) == "sent"
    assert_central_equals_local(central_pg.engine, app)


def test_a_batch_that_does_not_follow_on_is_held_and_the_missing_one_is_sent_again(
    make_app: MakeApp,
    central_pg: CentralPg,
    ws_url: str,
    engines: Callable[[str], sa.Engine],
) -> None:
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    day1 = small_day(app)
    clock.advance(days=1)
    day2 = other_day(app)
    p2, sha2 = local_payload(app, day2["batch"])
    assert json.loads(p2)["audit_since"] > 0
    as_ws = engines(central_pg.workstation_url)
    # Day 2 without day 1: its audit segment starts past what central last saw (nothing).
    assert central.deliver(as_ws, p2, sha2, RECEIVED) == "quarantined"
    assert "central last saw record 0" in quarantine.undecided(as_ws)[0]["problem"]
    assert sum(central_row_counts(central_pg.engine).values()) == 0

    # Day 1 is (wrongly) marked sent here: the relay asks central, which lacks it, so it goes.
    with app.ledger.write() as conn:
        conn.execute(
            sa.update(local.outbox)
            .where(local.outbox.c.batch_id == day1["batch"])
            .values(sent_at=RECEIVED, outcome="sent")
        )
    result = run_op(app.desk, {"op": "sync"})
    assert result == {
        "op": "sync", "ok": True, "sent": 1, "resent": 1, "already_there": 0, "pending": 0,
        "quarantined": 1,
    }  # fmt: skip
    assert central.totals(central_pg.engine, day2["date"])["batches"] == 0

    # An admin accepts day 2 now that day 1 is there; central's totals count it from then on.
    decided = app.desk.resolve_quarantined(
        day2["batch"], accept=True, login="ada", pin="9999", note="day 1 had not arrived"
    )
    assert decided["decision"] == "accepted"
    assert_central_equals_local(central_pg.engine, app)
    assert central.totals(central_pg.engine, day2["date"])["receipts"] == day2["receipts"]
    assert push(app).quarantined == 0
    # A forged audit_since of a batch the books hold is a conflict: held, books unchanged.
    before = dump_central(central_pg.engine)
    forged = json.loads(p2)
    forged["audit_since"] = 0
    text, digest = reseal(forged)
    assert central.deliver(as_ws, text, digest, RECEIVED) == "quarantined"
    assert dump_central(central_pg.engine) == before
