"""Central re-checks a batch's detail against the audit records it carries (issue 12, item 3).

The payload waiting in the outbox is edited as if in transit — a receipt's total, a tender, a
line dropped, a receipt added, a void's approver, a drop's amount, a count — keeping its audit
records (whose chain still verifies) and a fresh SHA-256: central holds it in quarantine with
the reason ``detail`` naming what differs, never in its books; the untouched batch goes in.  On
the embedded SQLite central and on PostgreSQL (as the workstation's own role)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.ledger import schema as local
from cashier_desk.runner import run_op
from cashier_desk.sync import central, quarantine, recheck_detail
from tests.helpers import FakeClock, small_day
from tests.sync.conftest import (
    CentralPg,
    local_payload,
    other_day,
    outbox_row,
    reseal,
    workstation,
)

MakeApp = Callable[..., App]
Payload = dict[str, Any]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def where(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[tuple[str, str]]:
    """(the workstation's URL, an administrator's URL) of a fresh central."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'city.db'}"
        yield url, url
        return
    pg: CentralPg = request.getfixturevalue("central_pg")
    yield pg.workstation_url, pg.url


def _receipt(p: Payload, no: str) -> dict[str, Any]:
    return next(r for r in p["detail"]["receipts"] if r["receipt_no"] == no)


def total_changed(p: Payload) -> str:
    r = _receipt(p, "W1-000002")
    r["total_cents"] += 100
    return "receipt W1-000002: its lines add up to 82.15, its total is 83.15"


def total_and_line_changed(p: Payload) -> str:
    r = _receipt(p, "W1-000003")
    r["total_cents"] -= 200
    line = next(x for x in p["detail"]["lines"] if x["receipt_id"] == r["id"])
    line["amount_cents"] -= 200
    r["change_cents"] += 200
    return "receipt W1-000003: total 10.00, change 90.00"


def tender_changed(p: Payload) -> str:
    r = _receipt(p, "W1-000002")
    tender = next(t for t in p["detail"]["tenders"] if t["receipt_id"] == r["id"])
    tender["kind"] = "money_order"
    return "receipt W1-000002: total 82.15, change 0.00, tenders {'money_order': '82.15'}"


def line_dropped(p: Payload) -> str:
    r = _receipt(p, "W1-000001")
    p["detail"]["lines"] = [x for x in p["detail"]["lines"] if x["receipt_id"] != r["id"]]
    return "receipt W1-000001: its lines add up to 0.00, its total is 40.00"


def receipt_added(p: Payload) -> str:
    d = p["detail"]
    r = _receipt(p, "W1-000003")
    d["receipts"].append(dict(r, id=9999, receipt_no="W1-000099"))
    for table in ("lines", "tenders"):
        d[table] += [
            dict(x, id=9999, receipt_id=9999) for x in d[table] if x["receipt_id"] == r["id"]
        ]
    p["summary"]["receipts"] += 1
    return "receipt W1-000099 has no sale record"


def receipt_removed(p: Payload) -> str:
    d = p["detail"]
    r = _receipt(p, "W1-000003")
    d["receipts"].remove(r)
    d["lines"] = [x for x in d["lines"] if x["receipt_id"] != r["id"]]
    d["tenders"] = [t for t in d["tenders"] if t["receipt_id"] != r["id"]]
    p["summary"]["receipts"] -= 1
    return "receipt W1-000003 has a sale record but is not in the batch"


def void_approver_changed(p: Payload) -> str:
    p["detail"]["voids"][0]["approver"] = "sam"
    return "the void of receipt W1-000001: approver sam"


def drop_changed(p: Payload) -> str:
    drop = next(m for m in p["detail"]["movements"] if m["kind"] == "drop")
    drop["amount_cents"] = 4000
    return "drop"


def count_changed(p: Payload) -> str:
    row = next(
        x for x in p["detail"]["close_counts"] if x["tender"] == "cash" and x["count_no"] == 2
    )
    row["counted_cents"] += 1450
    return "count 2 of session"


EDITS = [
    total_changed,
    total_and_line_changed,
    tender_changed,
    line_dropped,
    receipt_added,
    receipt_removed,
    void_approver_changed,
    drop_changed,
    count_changed,
]


def edit_in_outbox(app: App, batch_id: str, edit: Callable[[Payload], str]) -> str:
    """Edit the queued payload as if in transit (its audit records kept, a fresh SHA-256)."""
    text, _ = local_payload(app, batch_id)
    p = json.loads(text)
    named = edit(p)
    new_text, digest = reseal(p)
    with app.ledger.write() as conn:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS batches_no_update")
        conn.execute(
            sa.update(local.batches)
            .where(local.batches.c.id == batch_id)
            .values(payload=new_text, sha256=digest)
        )
    return named


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.__name__)
def test_a_batch_edited_in_transit_is_held_and_named(
    make_app: MakeApp,
    where: tuple[str, str],
    engines: Callable[[str], sa.Engine],
    edit: Callable[[Payload], str],
) -> None:
    ws_url, admin_url = where
    app = workstation(make_app, ws_url)
    day = small_day(app)
    named = edit_in_outbox(app, day["batch"], edit)
    result = run_op(app.desk, {"op": "sync"})
    assert (result["ok"], result["sent"], result["quarantined"]) == (True, 0, 1)
    assert outbox_row(app, day["batch"])["outcome"] == "quarantined"
    admin = engines(admin_url)
    held = quarantine.undecided(admin)
    assert [(h["batch_id"], h["reason"]) for h in held] == [(day["batch"], "detail")]
    assert held[0]["problem"].startswith("the batch's detail does not match its audit records")
    assert named in held[0]["problem"]
    assert central.totals(admin, day["date"])["batches"] == 0


def test_an_untouched_batch_goes_in_and_the_next_day_follows_a_held_one(
    make_app: MakeApp, where: tuple[str, str], engines: Callable[[str], sa.Engine]
) -> None:
    ws_url, admin_url = where
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    day1 = small_day(app)
    assert run_op(app.desk, {"op": "sync"})["sent"] == 1
    clock.advance(days=1)
    day2 = other_day(app)
    edit_in_outbox(app, day2["batch"], total_changed_other)
    clock.advance(days=1)
    day3 = other_day(app)
    result = run_op(app.desk, {"op": "sync"})
    assert (result["sent"], result["quarantined"]) == (1, 1)
    admin = engines(admin_url)
    assert [h["batch_id"] for h in quarantine.undecided(admin)] == [day2["batch"]]
    for day in (day1, day3):
        assert outbox_row(app, day["batch"])["outcome"] == "sent"
        assert central.totals(admin, day["date"])["receipts"] == day["receipts"]


def total_changed_other(p: Payload) -> str:
    p["detail"]["receipts"][0]["total_cents"] += 1
    return "its lines add up to"


def test_a_closeout_record_that_disagrees_with_the_batch_it_names(
    make_app: MakeApp, engines: Callable[[str], sa.Engine], tmp_path: Any
) -> None:
    """The closeout is audited after its batch is made: the next batch carries the record,
    and central holds it to the batch it names (here one planted in central's books with the
    deposit changed — its detail unchanged)."""
    url = f"sqlite:///{tmp_path / 'city.db'}"
    clock = FakeClock()
    app = workstation(make_app, url, clock)
    day1 = small_day(app)
    text, _ = local_payload(app, day1["batch"])
    planted = json.loads(text)
    planted["summary"]["deposit"]["cash"] = "0.00"
    planted["summary"]["deposit"]["total"] = planted["summary"]["deposit"]["checks"]
    engine = engines(url)
    central.ensure_ready(engine)
    assert central.deliver(engine, *reseal(planted), "2026-11-23T23:00:00+00:00") == "sent"
    clock.advance(days=1)
    day2 = other_day(app)
    run_op(app.desk, {"op": "sync"})
    held = quarantine.undecided(engine)
    assert [(h["batch_id"], h["reason"]) for h in held] == [
        (day1["batch"], "conflict"),
        (day2["batch"], "detail"),
    ]
    assert f"batch {day1['batch']}: central holds 3 receipts, deposit 82.15" in held[1]["problem"]


def test_the_recheck_reads_earlier_segments_for_records_made_before_them() -> None:
    """A receipt whose sale record an earlier batch carried is found there; one whose record
    is nowhere is named."""
    payload: Payload = {
        "batch": "W1-20261102-001",
        "summary": {"receipts": 1, "voids": 0, "deposit": {
            "cash": "5.00", "checks": "0.00", "money_orders": "0.00", "total": "5.00"}},
        "detail": {
            "sessions": [{"id": "S1"}], "voids": [], "movements": [], "closes": [],
            "close_counts": [],
            "receipts": [{"id": 1, "receipt_no": "W1-000001", "session_id": "S1",
                          "total_cents": 500, "change_cents": 0}],
            "lines": [{"receipt_id": 1, "amount_cents": 500}],
            "tenders": [{"receipt_id": 1, "kind": "cash", "amount_cents": 500}],
        },
    }  # fmt: skip
    sale = {
        "action": "sale",
        "target": "W1-000001",
        "details": json.dumps(
            {"session": "S1", "total": "5.00", "change": "0.00", "tenders": {"cash": "5.00"}}
        ),
    }
    with pytest.raises(recheck_detail.Missing):
        recheck_detail.problems(payload, recheck_detail.index([]), final=False)
    assert recheck_detail.problems(payload, recheck_detail.index([]), final=True) == [
        "receipt W1-000001 has no sale record"
    ]
    assert recheck_detail.problems(payload, recheck_detail.index([sale]), final=True) == []


def test_a_session_open_across_a_closeout_finds_its_records_in_the_batch_before(
    make_app: MakeApp, where: tuple[str, str], engines: Callable[[str], sa.Engine]
) -> None:
    """Bob's drawer of the next day is open (a sale made) when the first day closes out: his
    sale record travels in the first batch, his receipt in the second, which still goes."""
    from tests.helpers import run_ok

    ws_url, admin_url = where
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    sale = {
        "op": "sale",
        "items": [{"code": "DOG-LIC", "qty": 1}],
        "tenders": [{"type": "cash", "amount": "20.00"}],
    }
    day1 = app.desk.business_date()
    run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        sale,
        {"op": "close_drawer", "counted": {"cash": {"20.00": 6}}},
        {"op": "logout"},
    )
    clock.advance(days=1)
    run_ok(
        app,
        {"op": "login", "user": "bob", "pin": "2468"},
        {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}},
        sale,
        {"op": "logout"},
    )
    first = app.desk.closeout(day1, "lee", "1111")
    run_ok(
        app,
        {"op": "login", "user": "bob", "pin": "2468"},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 6}}},
        {"op": "logout"},
    )
    second = app.desk.closeout(None, "lee", "1111")
    text, _ = local_payload(app, second.batch)
    payload = json.loads(text)
    (receipt,) = payload["detail"]["receipts"]
    assert not any(r["target"] == receipt["receipt_no"] for r in payload["audit"])
    result = run_op(app.desk, {"op": "sync"})
    assert (result["sent"], result["quarantined"]) == (2, 0), result
    admin = engines(admin_url)
    assert central.totals(admin, second.business_date)["receipts"] == 1
    assert first.batch != second.batch
