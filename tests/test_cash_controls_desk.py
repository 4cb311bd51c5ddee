"""Cash controls in the Desk: what every reader of a close sees after a recount, refusals that
change nothing, the [policy] keys, the papers' layout, and the ledger's migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from cashier_desk.app import App
from cashier_desk.config import ConfigError, parse_config
from cashier_desk.devices.cash_slips import drop_slip, paid_out_voucher
from cashier_desk.errors import Refusal
from cashier_desk.events import CloseRejected, UserUnlocked
from cashier_desk.ids import SessionId
from cashier_desk.ledger.db import Ledger, alembic_config
from cashier_desk.ledger.drawer import Movement
from cashier_desk.money import Money
from tests.doubles import MemoryPrinter
from tests.helpers import dump_tables, run_ok

LEE = {"approver": "lee", "approver_pin": "1111"}


def _sent_back(app: App) -> str:
    """amy's drawer (100.00 fund, 30.00 cash taken) counted 20.00 short and sent back."""
    results = run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"code": "MISC", "amount": "30.00"}],
         "tenders": [{"type": "cash", "amount": "30.00"}]},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "10.00": 1}}},
        {"op": "reject_close", **LEE, "comment": "count the tens again"},
    )  # fmt: skip
    return str(results[-1]["session"])


def _open(app: App, opening: dict[str, int]) -> None:
    run_ok(
        app,
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": opening},
    )


def _refused(code: str, fn: Any, *args: Any) -> Refusal:
    with pytest.raises(Refusal) as refused:
        fn(*args)
    assert refused.value.code == code, refused.value
    return refused.value


def test_while_sent_back_the_close_has_no_report_history_or_approval(app: App) -> None:
    sid = _sent_back(app)
    desk = app.desk
    [session] = desk.day_sessions()
    assert session.state == "recount"
    _refused("unknown_session", desk.drawer_report, sid)
    day = desk.business_date()
    assert desk.over_short_history(day, day) == []
    before = dump_tables(app)
    _refused("not_awaiting_approval", desk.reject_close, sid, "lee", "1111", "again")
    _refused("not_awaiting_approval", desk.approve_close, sid, "lee", "1111", "ok")
    _refused("recount_pending", desk.closeout, day, "pat", "2222")
    assert dump_tables(app) == before


def test_every_reader_uses_the_deciding_count(app: App) -> None:
    sid = _sent_back(app)
    desk = app.desk
    run_ok(app, {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "10.00": 2,
                                                            "5.00": 1, "1.00": 4}}})  # fmt: skip
    # 100.00 + 20.00 + 5.00 + 4.00 = 129.00 against 130.00: 1.00 short, within tolerance
    figures = desk.close_figures(sid)
    assert [str(m) for m in figures["cash"]] == ["130.00", "129.00", "-1.00"]
    report = desk.drawer_report(sid)
    assert str(report.figures["cash"].counted) == "129.00"
    [back] = report.sent_back  # the first count, kept: 20.00 short
    assert (back.count_no, back.approver, back.comment) == (1, "lee", "count the tens again")
    assert {t: str(m) for t, m in back.over_short.items() if m} == {"cash": "-20.00"}
    assert desk.print_drawer_report(sid)
    printer = desk.printer
    assert isinstance(printer, MemoryPrinter)
    slip = printer.jobs[-1]
    assert "Count 1 sent back" in slip and "Found: Cash -20.00" in slip
    assert "Why: count the tens again" in slip
    day = desk.business_date()
    [history] = desk.over_short_history(day, day)
    assert str(history.by_tender["cash"]) == "-1.00" and history.approved_by is None
    result = desk.closeout(day, "pat", "2222")
    assert str(result.tenders["cash"].over_short) == "-1.00"
    assert {k: str(v) for k, v in result.gl.items()} == {
        "101-0000-49100": "30.00",
        "101-0000-49900": "-1.00",
    }
    detail = result.detail
    assert detail is not None
    assert {str(d): n for d, n in detail.counted.items()} == {
        "20.00": 5, "10.00": 2, "5.00": 1, "1.00": 4}  # fmt: skip
    assert str(detail.cash) == "29.00"


def test_only_a_close_awaiting_approval_can_be_sent_back(app: App) -> None:
    heard: list[str] = []
    app.desk.events.subscribe(CloseRejected, lambda e: heard.append(e.session))
    _open(app, {"20.00": 5})
    _refused("not_awaiting_approval", app.desk.reject_close, "W1-S000001", "lee", "1111", "x")
    run_ok(app, {"op": "close_drawer", "counted": {"cash": {"20.00": 5}}})  # exact: closed
    _refused("not_awaiting_approval", app.desk.reject_close, "W1-S000001", "lee", "1111", "x")
    _refused("not_awaiting_approval", app.desk.reject_close, None, "lee", "1111", "x")
    assert heard == []
    run_ok(
        app,
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 4}}},  # 20.00 short
        {"op": "approve_close", "approver": "lee", "approver_pin": "1111", "comment": "ok"},
    )
    _refused("not_awaiting_approval", app.desk.reject_close, "W1-S000002", "lee", "1111", "x")
    assert heard == []


def test_a_rejected_close_is_not_awaiting_and_others_cannot_take_the_drawer(app: App) -> None:
    _sent_back(app)
    run_ok(app, {"op": "login", "user": "bob", "pin": "2468"})
    _refused("drawer_in_use", app.desk.open_drawer, "D1", {})
    # bob may open another drawer; his count is his own
    run_ok(app, {"op": "open_drawer", "drawer": "D2", "opening": {}})
    assert [s.state for s in app.desk.day_sessions()] == ["recount", "open"]


def test_refused_paid_outs_and_unlocks_change_nothing(app: App) -> None:
    _open(app, {"20.00": 5})
    desk = app.desk
    before = dump_tables(app)
    _refused("approval_required", desk.paid_out, Money(5001), "tape", "101-1200-52100")
    _refused("bad_gl", desk.paid_out, Money(100), "tape", "not an account")
    _refused("bad_amount", desk.paid_out, Money(0), "tape", "101-1200-52100")
    _refused("bad_text", desk.paid_out, Money(100), "", "101-1200-52100")
    _refused("not_locked", desk.unlock_user, "bob", "lee", "1111")
    _refused("unknown_user", desk.unlock_user, "nobody", "lee", "1111")
    _refused("bad_text", desk.drop, Money(100), "\x07bell")
    assert dump_tables(app) == before


def test_an_unlock_is_told_to_the_window(app: App) -> None:
    heard: list[str] = []
    app.desk.events.subscribe(UserUnlocked, lambda e: heard.append(e.login))
    for _ in range(5):
        with pytest.raises(Refusal):
            app.desk.login("bob", "0000")
    assert app.desk.unlock_user("bob", "lee", "1111").login == "bob"
    assert heard == ["bob"]
    assert app.desk.login("bob", "2468").login == "bob"


def test_the_policy_keys() -> None:
    config = parse_config(
        '[policy]\npaid_out_limit = "25.00"\npaid_out_accounts = ["101-1200-52100"]\n'
    )
    assert (config.paid_out_limit, config.paid_out_accounts) == (Money(2500), ("101-1200-52100",))
    default = parse_config("")
    assert (default.paid_out_limit, default.paid_out_accounts) == (Money(5000), ())
    for bad, says in (
        ('paid_out_limit = "-1.00"', "paid_out_limit may not be negative"),
        ("paid_out_limit = 50", "paid_out_limit must be a string"),
        ('paid_out_accounts = "101-1200-52100"', "paid_out_accounts must be a list"),
        ('paid_out_accounts = ["postage"]', "[policy] paid_out_accounts"),
    ):
        with pytest.raises(ConfigError, match=says.replace("[", r"\[").replace("]", r"\]")):
            parse_config(f"[policy]\n{bad}\n")


def _movement(**kw: Any) -> Movement:
    values: dict[str, Any] = {
        "id": 1, "kind": "paid_out", "amount": Money(6000),
        "reason": "courier for the council packets to every member's home, and tape",
        "gl": "101-1200-52100", "bag": None, "approver": "lee",
        "at": "2026-11-23T15:00:00+00:00", "session_id": SessionId("W1-S000001"),
        "workstation": "W1", "drawer": "D1", "cashier": "amy",
    }  # fmt: skip
    values.update(kw)
    return Movement(**values)


@pytest.mark.parametrize("columns", [42, 48])
def test_the_voucher_and_the_drop_slip_fit_the_paper(columns: int) -> None:
    voucher = paid_out_voucher(
        _movement(), city="City of Springfield", columns=columns, timezone="UTC"
    )
    text = voucher.as_text()
    assert all(len(line) <= columns for line in text.splitlines())
    assert "P E T T Y   C A S H" in text and "PAID-OUT VOUCHER" in text
    assert "2026-11-23 15:00" in text and "6 0 . 0 0" in text  # the amount in large type
    assert "every member's home, and tape" in text  # a long reason wraps, never cut
    assert text.count("_" * columns) == 3  # received by, name, approver
    slip = drop_slip(
        _movement(kind="drop", bag="B-1042", approver=None, gl=None, reason="drop to safe"),
        city="City of Springfield",
        columns=columns,
    )
    text = slip.as_text()
    assert all(len(line) <= columns for line in text.splitlines())
    assert "B-1042" in text and "S A F E   D R O P" in text and text.count("_" * columns) == 2
    with pytest.raises(ValueError):
        drop_slip(_movement(), city="x", columns=40)


def test_a_ledger_of_the_last_revision_keeps_its_closes_as_first_counts(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
        for sql in (
            "INSERT INTO users VALUES ('amy', 'Amy', 'cashier', 'x')",
            "INSERT INTO drawer_sessions VALUES ('W1-S000001','W1','D1','amy','2026-01-02',"
            "'2026-01-02T09:00:00+00:00',10000,'{}')",
            "INSERT INTO drawer_closes VALUES ('W1-S000001','2026-01-02T17:00:00+00:00','{}',0)",
            "INSERT INTO close_counts VALUES ('W1-S000001','cash',10000,9900)",
        ):
            conn.exec_driver_sql(sql)
    engine.dispose()
    ledger = Ledger(path)
    with ledger.read() as conn:
        assert conn.exec_driver_sql("SELECT count_no, needs_approval FROM drawer_closes").all() == [
            (1, 0)
        ]
        assert conn.exec_driver_sql("SELECT count_no, counted_cents FROM close_counts").all() == [
            (1, 9900)
        ]
        triggers = {
            r[0]
            for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    assert {f"close_rejections_no_{verb}" for verb in ("update", "delete")} <= triggers
    for table in ("drawer_closes", "close_counts"):
        for sql in (f"UPDATE {table} SET rowid = rowid", f"DELETE FROM {table}"):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"), ledger.write() as c:
                c.exec_driver_sql(sql)
    ledger.close()
    # and back down: the first counts fit the old key again
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
        assert conn.exec_driver_sql("SELECT * FROM close_counts").all() == [
            ("W1-S000001", "cash", 10000, 9900)
        ]
    engine.dispose()


def test_a_paid_out_and_a_drop_return_what_was_written(app: App) -> None:
    _open(app, {"20.00": 10})
    desk = app.desk
    # credentials given below the limit are checked and kept all the same
    small = desk.paid_out(Money(250), "postage", "101-1200-52100", "pat", "2222")
    assert (small.movement.amount, small.movement.approver, small.printed) == (
        Money(250), "pat", True)  # fmt: skip
    big = desk.paid_out(Money(5001), "courier", "101-1200-52100", "lee", "1111")
    m = big.movement
    assert (m.kind, m.amount, m.gl, m.approver, m.cashier, m.session_id, m.drawer) == (
        "paid_out", Money(5001), "101-1200-52100", "lee", "amy", "W1-S000001", "D1")  # fmt: skip
    dropped = desk.drop(Money(1000), "  B-9  ")
    assert (dropped.movement.bag, dropped.movement.reason) == ("B-9", "drop to safe")
    printer = desk.printer
    assert isinstance(printer, MemoryPrinter)
    printer.online = False  # the drop stands; its slip did not print
    offline = desk.drop(Money(100))
    assert (offline.printed, offline.movement.bag) == (False, None)
    with app.ledger.read() as conn:
        cash = conn.exec_driver_sql(
            "SELECT sum(amount_cents) FROM postings WHERE account = 'DRAWER:cash'"
        ).scalar()
    assert cash == -(250 + 5001 + 1000 + 100)
