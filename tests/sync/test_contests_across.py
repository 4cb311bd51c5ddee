"""A citation contested at one counter is priced as contested at another (programs.md, contests;
"Precise readings": a contested citation is computed on its contest's date): W1's contest
travels with its batch to central, W2's ``sync pull`` brings it (``contests``, each once by its
number), and W2's lookup and quote of the citation are the contested ones to the cent, a second
review refused there too.  A contest of a batch W2 pulled before contests were brought still
comes; W1's own, and those of a workstation central never registered, are never taken; W2's
next batch does not carry W1's contest back.  On SQLite and PostgreSQL (W2 as a role of its
own, reading W1's contests since c0011)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from cashier_desk.app import App
from cashier_desk.ledger import schema as local
from cashier_desk.runner import run_op
from cashier_desk.sync import books, central
from cashier_desk.sync import schema as c
from tests.helpers import SUPERVISOR, FakeClock, import_city, run_ok
from tests.programs.test_contests_plans_counter import CODES, ITEMS, LEAD
from tests.sync.conftest import CentralPg, reseal, workstation
from tests.sync.test_adjustments_across import _sqlite_central

DAY = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # PC-1001's due date, day 21 after its issue
#: Two steps: the fine again the day after the due date, 20.00 more after 30 days.
RULES = (
    '[citation]\npenalties = [ { after_days = 0, amount = "100%" }, '
    '{ after_days = 30, amount = "20.00" } ]\n'
)
LATER = {"ref": "PC-1001", "date": "2027-02-01"}
REVIEW = {"op": "contest", "ref": "PC-1001", "level": "review", "reason": "meter broken",
          "contact": "ann@example.org"}  # fmt: skip
W1_CONTEST = {"contest": "W1-C000001", "date": "2026-11-30", "levels": ["review"]}


def _apps(make_app: Callable[..., App], url1: str, url2: str, tmp_path: Path) -> tuple[App, App]:
    """W1 and W2 with the city's codes, citations and two-step rules imported at each."""
    w1 = workstation(make_app, url1, FakeClock(DAY), name="w1")
    w2 = make_app("w2", workstation="W2", clock=FakeClock(DAY))
    assert w2.desk.relay is not None
    w2.desk.relay.central_url = url2
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    for app in (w1, w2):
        import_city(app, tmp_path, CODES, ITEMS)
        app.desk.import_file("program-rules", tmp_path / "rules.toml", **SUPERVISOR)
    return w1, w2


def _push(app: App) -> None:
    assert app.desk.relay is not None
    pushed = app.desk.relay.push()
    assert (pushed.sent, pushed.problems) == (1, [])


def _close_out(app: App, drawer: str) -> str:
    """A drawer session without a sale, closed out and sent; the batch's id."""
    closed = run_ok(
        app,
        {"op": "open_drawer", "drawer": drawer, "opening": {"20.00": 5}},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5}}},
        {"op": "logout"},
        {"op": "closeout", **LEAD},
    )[-1]
    _push(app)
    return str(closed["batch"])


def _contested_at_w1(w1: App) -> str:
    """W1 takes a review of PC-1001 on its due date, closes out and sends the batch (its id)."""
    run_ok(w1, {"op": "login", "user": "amy", "pin": "4821"})
    assert run_ok(w1, REVIEW)[0]["contest"] == "W1-C000001"
    return _close_out(w1, "D1")


def _looked(app: App) -> tuple[str, str, Any]:
    found = run_ok(app, {"op": "lookup", **LATER})[0]
    return found["status"], found["amount_due"], found["contest"]


def _quoted(app: App) -> str:
    quote = run_ok(app, {"op": "quote", "items": [{"ref": "PC-1001"}], "date": LATER["date"]})
    return str(quote[0]["total"])


def _from_w9(w1: App, engine: sa.Engine) -> None:
    """W1's batch again as if from W9, which central never registered, written straight into
    central's books: its contest (W9-C000001) is never brought."""
    with w1.ledger.read() as conn:
        text = str(conn.execute(sa.select(local.batches.c.payload)).scalar_one())
    w9 = json.loads(text.replace("W1", "W9"))
    with engine.begin() as conn:
        books.insert_batch(conn, w9, *reseal(w9), DAY.isoformat())


def _across(w1: App, w2: App, engine: sa.Engine) -> None:
    _contested_at_w1(w1)
    _from_w9(w1, engine)
    run_ok(w2, {"op": "login", "user": "bob", "pin": "2468"})
    # Before the pull W2 knows nothing of it: both steps grown by February.
    assert _looked(w2) == ("open", "120.00", None)
    assert _quoted(w2) == "120.00"
    pulled = w2.desk.pull_reference_data()
    assert pulled.contests == 1
    # Contested on its due date: no penalty grows, at W2 as at W1.
    assert _looked(w2) == ("appeal", "50.00", W1_CONTEST)
    run_ok(w1, {"op": "login", "user": "amy", "pin": "4821"})
    assert _looked(w1) == ("appeal", "50.00", W1_CONTEST)
    assert _quoted(w2) == "50.00"
    refused = run_op(w2.desk, REVIEW)
    assert (refused["ok"], refused["error"]) == (False, "already_contested")
    again = w2.desk.pull_reference_data()
    assert (again.contests, again.program_records) == (0, 0)
    assert w1.desk.pull_reference_data().contests == 0  # its own is never taken back
    with w2.ledger.read() as conn:
        held = conn.execute(sa.select(local.contests.c.number, local.contests.c.workstation))
        assert sorted(tuple(r) for r in held) == [("W1-C000001", "W1")]
    # W2's next batch carries none of W1's contest (central would refuse it twice).
    _close_out(w2, "D2")
    with engine.connect() as conn:
        at_central = conn.execute(sa.select(c.contests.c.number, c.contests.c.workstation))
        assert sorted(tuple(r) for r in at_central) == [("W1-C000001", "W1"), ("W9-C000001", "W9")]


def test_a_contest_at_one_counter_prices_as_contested_at_another_on_sqlite(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    url = _sqlite_central(tmp_path)
    engine = central.engine_for(url)
    try:
        _across(*_apps(make_app, url, url, tmp_path), engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_contest_at_one_counter_prices_as_contested_at_another_on_postgresql(
    make_app: Callable[..., App],
    central_pg: CentralPg,
    ws_role: Callable[[str], str],
    tmp_path: Path,
) -> None:
    as_w2 = ws_role("W2")
    _across(*_apps(make_app, central_pg.workstation_url, as_w2, tmp_path), central_pg.engine)
    # W2's role reads W1's contest (never W9's, unregistered) since c0011, and not before it.
    engine = central.engine_for(as_w2)
    try:
        assert _readable(engine) == ["W1-C000001"]
        cfg = central._config()
        with central_pg.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "c0010")
        assert _readable(engine) == []
        assert central.init_central(central_pg.engine) == central.head_revision()
        assert _readable(engine) == ["W1-C000001"]
    finally:
        engine.dispose()


def _readable(engine: sa.Engine) -> list[str]:
    """The other workstations' contests a workstation's role reads at central."""
    with engine.connect() as conn:
        t = c.contests
        return sorted(conn.execute(sa.select(t.c.number).where(t.c.workstation != "W2")).scalars())


def test_the_contests_of_a_batch_pulled_before_still_come(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    """W2 pulled W1's batch before contests were brought (its id in ``pulled_batches``): the
    next pull still brings its contest, once."""
    url = _sqlite_central(tmp_path)
    w1, w2 = _apps(make_app, url, url, tmp_path)
    batch = _contested_at_w1(w1)
    with w2.ledger.write() as conn:
        conn.execute(sa.insert(local.pulled_batches).values(batch_id=batch, pulled_at="earlier"))
    assert w2.desk.pull_reference_data().contests == 1
    assert w2.desk.pull_reference_data().contests == 0
    run_ok(w2, {"op": "login", "user": "bob", "pin": "2468"})
    assert _looked(w2) == ("appeal", "50.00", W1_CONTEST)


def test_the_earliest_contest_freezes_the_penalties_whichever_counter_made_it(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    """W2, not yet knowing W1's review of 2026-11-30, takes one of its own on 2026-12-05 (a
    lead allows it late): once pulled, W1's earlier contest is the first, and its date freezes
    the penalties at W2 (the 100% step grown by 12-05 no longer counts)."""
    url = _sqlite_central(tmp_path)
    w1, w2 = _apps(make_app, url, url, tmp_path)
    _contested_at_w1(w1)
    w2.desk.clock.now = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    run_ok(w2, {"op": "login", "user": "bob", "pin": "2468"}, REVIEW | LEAD)
    mine = {"contest": "W2-C000001", "date": "2026-12-05", "levels": ["review"]}
    assert _looked(w2) == ("appeal", "100.00", mine)
    assert w2.desk.pull_reference_data().contests == 1
    both = W1_CONTEST | {"levels": ["review", "review"]}
    assert _looked(w2) == ("appeal", "50.00", both)
    assert _quoted(w2) == "50.00"
