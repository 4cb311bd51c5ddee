"""The audit chain's head anchored at every sync contact, not only in batches (issue 12, item 3).

Every ``sync`` (even with nothing to send) and ``sync pull`` leaves the workstation's newest
audit record (seq, hash) at central; central flags a contact behind what it saw or off the
chain it knows, the sync says so, and a later batch must pass through every head contacted.
A ledger put back to an older copy after a contact-only sync is caught by what central saw.
On the SQLite central and on PostgreSQL (as the workstation's own role); on PostgreSQL a
workstation role adds and reads only its own contacts."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.events import Alert
from cashier_desk.ledger import audit
from cashier_desk.runner import run_op
from cashier_desk.sync import access, central, contacts, quarantine
from cashier_desk.sync import schema as c
from tests.helpers import FakeClock, run_ok, small_day
from tests.sync.conftest import AT, CentralPg, workstation

MakeApp = Callable[..., App]
LOGIN = {"op": "login", "user": "amy", "pin": "4821"}
SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC"}],
    "tenders": [{"type": "cash", "amount": "20.00"}],
}
DRAWER = {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def where(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[tuple[str, str]]:
    """(the workstation's URL, an administrator's URL) of a fresh central."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'city.db'}"
        yield url, url
        return
    pg: CentralPg = request.getfixturevalue("central_pg")
    yield pg.workstation_url, pg.url


def all_contacts(engine: sa.Engine) -> list[dict[str, Any]]:
    k = c.contacts
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(k).order_by(k.c.id)).mappings()]


def head(app: App) -> tuple[int, str]:
    with app.ledger.read() as conn:
        return audit.head(conn)


def test_every_sync_and_pull_leaves_a_contact_even_with_nothing_to_send(
    make_app: MakeApp, where: tuple[str, str], engines: Callable[[str], sa.Engine]
) -> None:
    ws_url, admin_url = where
    clock = FakeClock()
    app = workstation(make_app, ws_url, clock)
    small_day(app)
    assert run_op(app.desk, {"op": "sync"})["sent"] == 1
    admin = engines(admin_url)
    first = all_contacts(admin)
    assert [(x["seq"], x["hash"], x["problem"]) for x in first] == [(*head(app), None)]
    run_ok(app, LOGIN, DRAWER, SALE)  # work after the batch: only a contact shows it
    clock.advance(minutes=5)
    assert run_op(app.desk, {"op": "sync"}) == {
        "op": "sync", "ok": True, "sent": 0, "already_there": 0, "pending": 0, "quarantined": 0,
    }  # fmt: skip
    clock.advance(minutes=5)
    app.desk.pull_reference_data()
    made = all_contacts(admin)
    assert len(made) == 3 and made[-1]["seq"] == head(app)[0] > made[1]["seq"] > first[0]["seq"]
    assert all(x["workstation"] == "W1" and x["problem"] is None for x in made)
    (row,) = central.status(admin)
    assert (row["last_contact"], row["flagged_contacts"]) == (made[-1]["at"], 0)


def _copy(data: Path, to: Path) -> None:
    to.mkdir(exist_ok=True)
    for name in ("ledger.db", "ledger.mark"):
        shutil.copy(data / name, to / name)


def _rolled_back_after_a_contact(
    make_app: MakeApp, ws_url: str, clock: FakeClock, tmp_path: Path
) -> tuple[App, dict[str, Any], tuple[int, str]]:
    """A day closed and sent; the ledger copied; a sale and a contact-only sync; then the
    copy put back (with its mark).  Returns the reopened workstation, the day, and the head
    the lost contact showed."""
    app = workstation(make_app, ws_url, clock)
    day = small_day(app)
    assert run_op(app.desk, {"op": "sync"})["sent"] == 1
    data = Path(app.data_dir)
    app.close()
    _copy(data, tmp_path / "old")
    app = workstation(make_app, ws_url, clock)
    run_ok(app, LOGIN, DRAWER, SALE)
    clock.advance(minutes=5)
    assert run_op(app.desk, {"op": "sync"})["sent"] == 0
    lost = head(app)
    app.close()
    _copy(tmp_path / "old", data)
    return workstation(make_app, ws_url, clock), day, lost


def test_a_ledger_rolled_back_after_a_contact_only_sync_is_caught(
    make_app: MakeApp, where: tuple[str, str], engines: Callable[[str], sa.Engine], tmp_path: Path
) -> None:
    ws_url, admin_url = where
    clock = FakeClock()
    app, _day, lost = _rolled_back_after_a_contact(make_app, ws_url, clock, tmp_path)
    assert app.ledger.loss is None  # the copy and its mark agree: only central knows
    assert head(app)[0] < lost[0]
    assert app.desk.relay is not None
    behind = app.desk.relay.check_ledger()
    assert behind is not None and f"central already holds its record {lost[0]}" in behind
    run_ok(app, LOGIN)
    with pytest.raises(Refusal) as refused:
        app.desk.open_drawer("D1", {})
    assert refused.value.code == "ledger_rolled_back"
    synced = run_op(app.desk, {"op": "sync"})
    assert (synced["ok"], synced["error"]) == (False, "ledger_rolled_back")
    last = all_contacts(engines(admin_url))[-1]
    assert last["seq"] == head(app)[0] and last["problem"].startswith(
        f"behind: the workstation shows audit record {head(app)[0]}, but central already saw "
        f"its record {lost[0]}"
    )
    assert [f["seq"] for f in contacts.flagged(engines(admin_url), "W1")] == [last["seq"]]


def test_a_forked_chain_is_flagged_and_its_next_batch_held(
    make_app: MakeApp, where: tuple[str, str], engines: Callable[[str], sa.Engine], tmp_path: Path
) -> None:
    """After the copy is put back, more work than was lost: the ledger is no longer behind by
    its length, but its record at the contacted seq is another one — a fork."""
    ws_url, admin_url = where
    clock = FakeClock()
    app, _day, lost = _rolled_back_after_a_contact(make_app, ws_url, clock, tmp_path)
    other = {**SALE, "items": [{"code": "MISC", "amount": "3.00"}]}
    clock.advance(days=1)
    run_ok(app, LOGIN, DRAWER, other, other, other, other)
    assert head(app)[0] > lost[0]
    assert app.desk.relay is not None and app.desk.relay.check_ledger() is None
    alerts: list[dict[str, Any]] = []
    app.desk.events.subscribe(Alert, lambda a: alerts.append(vars(a)))
    synced = run_op(app.desk, {"op": "sync"})
    assert (synced["ok"], synced["error"]) == (False, "chain_flagged")
    assert f"fork: central saw audit record {lost[0]} as {lost[1][:12]}" in synced["message"]
    assert [a["kind"] for a in alerts] == ["chain_flagged"]
    admin = engines(admin_url)
    assert all_contacts(admin)[-1]["problem"].startswith("fork:")
    (row,) = central.status(admin)
    assert row["flagged_contacts"] == 1

    # The day closes; its batch links to the last batch, but not through the contacted head.
    run_ok(
        app,
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "5.00": 2, "1.00": 2}}},
    )
    closed = app.desk.closeout(None, "pat", "2222")
    run_op(app.desk, {"op": "sync"})
    held = quarantine.undecided(admin)
    assert [(h["batch_id"], h["reason"]) for h in held] == [(closed.batch, "chain")]
    assert f"audit record {lost[0]} is not the one it showed central" in held[0]["problem"]


def test_a_contact_behind_or_off_the_chain_is_flagged_at_central(
    where: tuple[str, str], engines: Callable[[str], sa.Engine]
) -> None:
    """central.contact on its own: the first contact fits; one further along fits when the
    workstation holds central's head; behind, the same seq with another hash, or another
    record at central's head are flagged and never become what central knows."""
    ws_url, admin_url = where
    engine = engines(ws_url)
    central.ensure_ready(engines(admin_url))
    if admin_url.startswith("sqlite"):
        access.add(engine, "W1", at=AT)
    chain = {5: "a" * 64, 9: "b" * 64}

    def contact(seq: int, digest: str, held: dict[int, str] = chain) -> str | None:
        return central.contact(engine, "W1", (seq, digest), AT, held.get)

    assert contact(5, chain[5]) is None
    assert contact(9, chain[9]) is None
    assert contact(9, chain[9]) is None  # a pull right after a sync: the same head
    assert (contact(7, "c" * 64) or "").startswith("behind: the workstation shows audit record 7")
    assert (contact(9, "d" * 64) or "").startswith("fork: central saw audit record 9 as bbbb")
    assert (contact(12, "e" * 64, {9: "f" * 64}) or "").startswith("fork:")
    assert (contact(12, "e" * 64, {}) or "").endswith("the workstation holds no record there")
    assert contact(12, "e" * 64) is None
    with engine.connect() as conn:
        assert contacts.newest(conn, "W1") == (12, "e" * 64)


@pytest.mark.postgres
def test_a_workstation_role_adds_and_reads_only_its_own_contacts(
    central_pg: CentralPg,
    ws_role: Callable[[str], str],
    engines: Callable[[str], sa.Engine],
) -> None:
    w1 = engines(central_pg.workstation_url)
    w2 = engines(ws_role("W2"))
    assert central.contact(w1, "W1", (3, "a" * 64), AT, lambda _s: None) is None
    assert central.contact(w2, "W2", (8, "b" * 64), AT, lambda _s: None) is None
    row = {"workstation": "W1", "at": AT, "seq": 99, "hash": "c" * 64}
    with pytest.raises(sa.exc.ProgrammingError) as refused, w2.begin() as conn:
        conn.execute(sa.insert(c.contacts).values(**row))
    assert "row-level security" in str(refused.value)
    with pytest.raises(access.UnknownWorkstation):
        central.contact(w2, "W1", (99, "c" * 64), AT, lambda _s: None)
    with w2.connect() as conn:
        seen = conn.execute(sa.select(c.contacts.c.workstation, c.contacts.c.seq)).all()
        assert [tuple(r) for r in seen] == [("W2", 8)]
        assert contacts.newest(conn, "W1") is None
    with pytest.raises(sa.exc.ProgrammingError), w2.begin() as conn:
        conn.execute(sa.update(c.contacts).values(seq=1))
    with w1.connect() as conn:
        assert [tuple(r) for r in conn.execute(sa.select(c.contacts.c.seq))] == [(3,)]
    with central_pg.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(c.contacts)).scalar() == 2
