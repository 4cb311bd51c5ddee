"""No race around approvals: an approver's role and the people the approver must not be are
checked again inside the transaction that writes the approval.

Each case lets the real PIN check pass, then changes the people from OUTSIDE the Desk (a
second connection to the ledger file, as a re-import of users from another window or process
would) before the Desk writes.  The Desk's own ``_approver`` step is wrapped, never replaced:
the wrapper calls it, then makes the change, then hands back what it returned.  The write must
refuse and leave the ledger exactly as it was after the change.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.desk import BlindCount
from cashier_desk.errors import Refusal
from cashier_desk.ledger.auth import User
from cashier_desk.money import Money
from tests.faults.fuzzing import at_the_counter
from tests.helpers import dump_tables


def set_role(app: App, login: str, role: str) -> None:
    """What an import of users run elsewhere does to ``login``: a second connection."""
    with contextlib.closing(sqlite3.connect(app.ledger.path, timeout=10)) as other:
        other.execute("UPDATE users SET role = ? WHERE login = ?", (role, login))
        other.commit()


class Interleaved:
    """Wrap the Desk's approver check: after the real check passed, run ``change`` and take
    the picture of the ledger that the refused write must leave as it is."""

    def __init__(self, app: App, change: Callable[[], None]) -> None:
        self.app = app
        self.change = change
        self.before: dict[str, Any] | None = None
        self.checked: list[str] = []
        real = app.desk.station.approver

        def approver(login: object, pin: object, purpose: str, *, not_: set[str]) -> User:
            user = real(login, pin, purpose, not_=not_)
            self.checked.append(user.login)
            self.change()
            self.before = dump_tables(app)
            return user

        app.desk.station.approver = approver  # type: ignore[method-assign]

    def assert_refused(self, call: Callable[[], object], code: str) -> None:
        with pytest.raises(Refusal) as refused:
            call()
        assert refused.value.code == code, refused.value
        assert self.checked, "the PIN check did not run"
        assert self.before is not None and dump_tables(self.app) == self.before


def demote(app: App, login: str) -> Callable[[], None]:
    return lambda: set_role(app, login, "cashier")


def test_a_void_whose_approver_is_demoted_before_the_write_is_refused(app: App) -> None:
    at_the_counter(app)
    race = Interleaved(app, demote(app, "lee"))
    race.assert_refused(lambda: app.desk.void("W1-000001", "lee", "1111", "x"), "not_authorized")
    assert app.desk.receipt("W1-000001") is not None
    assert not app.desk.receipt("W1-000001").voided  # type: ignore[union-attr]


def test_a_paid_out_whose_approver_is_demoted_before_the_write_is_refused(app: App) -> None:
    at_the_counter(app)
    race = Interleaved(app, demote(app, "lee"))
    race.assert_refused(
        lambda: app.desk.paid_out(Money(6000), "postage", "101-1200-52100", "lee", "1111"),
        "not_authorized",
    )


def _awaiting(app: App) -> None:
    """Amy's drawer closed 20.00 short: it awaits a lead."""
    at_the_counter(app)
    assert app.desk.close_drawer(BlindCount(cash={Money(2000): 5})).needs_approval


def test_a_close_approved_by_a_lead_demoted_before_the_write_is_refused(app: App) -> None:
    _awaiting(app)
    race = Interleaved(app, demote(app, "lee"))
    race.assert_refused(lambda: app.desk.approve_close(None, "lee", "1111", "ok"), "not_authorized")


def test_a_close_sent_back_by_a_lead_demoted_before_the_write_is_refused(app: App) -> None:
    _awaiting(app)
    race = Interleaved(app, demote(app, "lee"))
    race.assert_refused(
        lambda: app.desk.reject_close(None, "lee", "1111", "recount"), "not_authorized"
    )


def _closed(app: App) -> None:
    """Amy's drawer closed even (no approval needed): the day can be closed out."""
    at_the_counter(app)
    counted = BlindCount(cash={Money(2000): 5, Money(100): 20, Money(1000): 1, Money(500): 1})
    assert not app.desk.close_drawer(counted).needs_approval


def test_a_closeout_by_a_lead_demoted_before_the_write_is_refused(app: App) -> None:
    _closed(app)
    race = Interleaved(app, demote(app, "pat"))
    race.assert_refused(lambda: app.desk.closeout(None, "pat", "2222"), "not_authorized")
    assert app.desk.day_closeouts(None) == []


def test_a_closeout_by_a_lead_whose_own_drawer_joined_the_batch_meanwhile_is_refused(
    app: App,
) -> None:
    """Between the check (Amy's drawer only) and the write, Pat opens and closes a drawer of
    her own at this workstation: the batch would hold Pat's drawer, approved by Pat."""
    _closed(app)

    def pats_drawer() -> None:
        app.desk.login("pat", "2222")
        app.desk.open_drawer("D2", {Money(2000): 1})
        assert not app.desk.close_drawer(BlindCount(cash={Money(2000): 1})).needs_approval

    race = Interleaved(app, pats_drawer)
    race.assert_refused(lambda: app.desk.closeout(None, "pat", "2222"), "self_approval")
    assert app.desk.day_closeouts(None) == []
    # Someone else may close the day out, both drawers in it.
    assert app.desk.closeout(None, "lee", "1111").receipts == 1


def test_an_unlock_by_a_lead_demoted_before_the_write_is_refused(app: App) -> None:
    for _ in range(5):
        with pytest.raises(Refusal):
            app.desk.login("amy", "0000")
    race = Interleaved(app, demote(app, "lee"))
    race.assert_refused(lambda: app.desk.unlock_user("amy", "lee", "1111"), "not_authorized")
    with pytest.raises(Refusal) as still:
        app.desk.login("amy", "4821")
    assert still.value.code == "locked"


def test_a_takeover_by_a_lead_demoted_before_the_write_is_refused(app: App) -> None:
    at_the_counter(app)
    real = app.desk.station.authenticate

    def authenticate(login: object, pin: object, purpose: str, min_role: str = "cashier") -> User:
        user = real(login, pin, purpose, min_role)
        set_role(app, "lee", "cashier")
        return user

    app.desk.station.authenticate = authenticate  # type: ignore[method-assign]
    with pytest.raises(Refusal) as refused:
        app.desk.unlock("lee", "1111", "amy")
    assert refused.value.code == "not_authorized"
    assert app.desk.user is not None and app.desk.user.login == "amy"


def test_a_lead_cannot_unlock_someone_made_a_supervisor_meanwhile(app: App) -> None:
    for _ in range(5):
        with pytest.raises(Refusal):
            app.desk.login("bob", "0000")
    race = Interleaved(app, lambda: set_role(app, "bob", "supervisor"))
    race.assert_refused(lambda: app.desk.unlock_user("bob", "lee", "1111"), "not_authorized")


def test_an_approval_still_goes_through_when_nothing_changed_meanwhile(app: App) -> None:
    at_the_counter(app)
    Interleaved(app, lambda: None)
    number, _total, _printed = app.desk.void("W1-000001", "lee", "1111", "x")
    assert app.desk.receipt(number).voided  # type: ignore[union-attr]
