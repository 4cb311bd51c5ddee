"""An animal licence renewed at the counter without keying it all again (programs.md "Animal
licences"): Alt+A, the old licence's number, Enter — the form fills the animal, owner, term
and rabies from the old licence and prices the renewal (the late fee when it is more than
``late_after_days`` after the old licence's last day) — check, Enter adds it to the sale.  An
unknown number is said beside the field and nothing else changes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cashier_desk.ledger.schema import animal_licences
from cashier_desk.ui.qt import QCheckBox, QComboBox, QLabel, QLineEdit, Qt
from tests.helpers import FakeClock
from tests.programs.counter_city import counts, receipt_lines, rows
from tests.programs.counter_city import sale as sell
from tests.programs.test_animal_permit_counter import dog
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press, wait_focus
from tests.ui.test_program_forms import (  # noqa: F401 (city: a fixture)
    city,
    closed,
    pay_exact_and_post,
    sale,
    shown_lines,
    wait_total,
)
from tests.ui.test_program_screens import open_dialog, shot

Key = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
OLD = "AL-W1-000001"


@pytest.fixture
def renewing(city: Counter) -> tuple[Counter, FakeClock]:  # noqa: F811
    """A senior's altered dog licensed for a year on 2026-11-10 (its last day 2027-11-09,
    rabies through 2030-06-30); amy at the sale screen, the city's codes imported."""
    old = sell(city.app, [dog(senior=True)])
    assert old["licences"][0] == {"licence": OLD, "tag": "TAG-W1-000001", "expires": "2027-11-09"}
    clock = city.desk.clock
    assert isinstance(clock, FakeClock)
    return city, clock


def text(c: Counter, name: str) -> str:
    return str(c.find(QLineEdit, name).text())


def open_form(c: Counter) -> None:
    press(c, Key.Key_A, ALT)
    wait_focus(c, "animalRenews")  # the licence renewed comes first


def test_number_enter_check_enter_renews_late_with_the_late_fee_to_the_cent(
    renewing: tuple[Counter, FakeClock], tmp_path: Path
) -> None:
    c, clock = renewing
    # 2027-12-20 is 41 days after the old licence's last day: more than 30, so late.
    clock.now = datetime(2027, 12, 20, 18, 0, tzinfo=UTC)
    open_form(c)
    c.qtbot.keyClicks(focused(), OLD)
    press(c, Key.Key_Return)
    # the animal filled in from the old licence; the cursor on the last field
    wait_focus(c, "animalRabiesExpires")
    assert c.find(QComboBox, "animalSpecies").currentData() == "dog"
    assert [text(c, n) for n in ("animalName", "animalOwner", "animalAddress")] == [
        "Rex", "Ann Lee", "1 Main St"]  # fmt: skip
    assert c.find(QCheckBox, "animalAltered").isChecked()
    assert c.find(QCheckBox, "animalSenior").isChecked()
    assert c.find(QComboBox, "animalTerm").currentData() == 1
    assert (text(c, "animalRabiesCert"), text(c, "animalRabiesExpires")) == (
        "R-1234", "2030-06-30")  # fmt: skip
    note = c.find(QLabel, "animalRenewsNote")
    assert note.text() == "Rex, dog, Ann Lee; expires 2027-11-09"
    wait_total(c, "animalFormTotal", "27.50")
    shot(c, tmp_path, "animal-renewal", open_dialog("animalForm"))  # whole, the note beside
    # senior 15.00 − 50% = 7.50, and the late fee 20.00 (not discounted): 27.50
    wait_total(c, "animalFormTotal", "27.50")
    assert shown_lines(c, "animalFormLines") == [
        ("Dog licence (altered), 1 year, senior", "7.50"),
        ("Animal licence late fee", "20.00"),
    ]
    press(c, Key.Key_Return)  # the last field: the renewal goes onto the sale
    closed(c, "animalForm")
    s = sale(c)
    c.qtbot.waitUntil(lambda: len(s.lines) == 1 and s.lines[0].priced is not None)
    assert str(s.total) == "27.50"
    slip = pay_exact_and_post(c)
    assert "Animal licence late fee" in slip and "27.50" in slip
    assert s.result is not None
    assert [(i.number, i.tag, i.expires) for i in s.result.issued] == [
        ("AL-W1-000002", "TAG-W1-000002", "2028-12-19")]  # fmt: skip
    assert receipt_lines(c.app, str(s.result.receipt)) == [
        ("Dog licence (altered), 1 year, senior", "7.50"),
        ("Animal licence late fee", "20.00"),
    ]
    renewal = rows(c.app, animal_licences)[-1]
    assert (renewal.renews, renewal.name, renewal.owner, renewal.starts, renewal.expires) == (
        OLD, "Rex", "Ann Lee", "2027-12-20", "2028-12-19")  # fmt: skip
    assert (renewal.rabies_cert, renewal.rabies_expires) == ("R-1234", "2030-06-30")


def test_left_by_tab_an_early_renewal_takes_a_new_rabies_certificate_and_no_late_fee(
    renewing: tuple[Counter, FakeClock],
) -> None:
    c, clock = renewing
    second = sell(c.app, [dog(name="Bo", rabies_expires="2028-06-30")])["licences"][0]
    clock.now = datetime(2027, 10, 1, 18, 0, tzinfo=UTC)  # before the old licence ends
    open_form(c)
    c.qtbot.keyClicks(focused(), second["licence"])
    press(c, Key.Key_Tab)  # leaving the field looks it up too
    c.qtbot.waitUntil(lambda: text(c, "animalName") == "Bo")
    assert not c.find(QCheckBox, "animalSenior").isChecked()
    # from 2027-11-10 to 2028-11-09: the old certificate (to 2028-06-30) ends too soon
    message = c.find(QLabel, "dialogMessage")
    c.qtbot.waitUntil(lambda: "valid through 2028-11-09" in message.text())
    c.type_into(c.find(QLineEdit, "animalRabiesCert"), "R-5678")  # the new certificate
    wait_focus(c, "animalRabiesExpires")
    c.type_into(c.find(QLineEdit, "animalRabiesExpires"), "2029-06-30", enter=False)
    wait_total(c, "animalFormTotal", "15.00")  # not late: no late fee
    assert shown_lines(c, "animalFormLines") == [("Dog licence (altered), 1 year", "15.00")]
    press(c, Key.Key_Return)
    closed(c, "animalForm")
    s = sale(c)
    c.qtbot.waitUntil(lambda: len(s.lines) == 1 and s.lines[0].priced is not None)
    pay_exact_and_post(c)
    renewal = rows(c.app, animal_licences)[-1]
    assert (renewal.renews, renewal.name, renewal.starts, renewal.expires) == (
        second["licence"], "Bo", "2027-11-10", "2028-11-09")  # fmt: skip
    assert (renewal.rabies_cert, renewal.rabies_expires) == ("R-5678", "2029-06-30")


def test_an_unknown_number_is_said_beside_it_and_nothing_else_changes(
    renewing: tuple[Counter, FakeClock], tmp_path: Path
) -> None:
    c, _clock = renewing
    before = counts(c.app)
    open_form(c)
    c.qtbot.keyClicks(focused(), "AL-W9-000404")
    press(c, Key.Key_Return)
    note = c.find(QLabel, "animalRenewsNote")
    c.qtbot.waitUntil(lambda: note.text() == "There is no animal licence AL-W9-000404 to renew.")
    wait_focus(c, "animalRenews")  # the cursor stays on the number, to key it again
    assert c.find(QLineEdit, "animalRenews").selectedText() == "AL-W9-000404"
    names = ("animalName", "animalOwner", "animalAddress", "animalRabiesCert")
    assert [text(c, n) for n in (*names, "animalRabiesExpires")] == [""] * 5
    assert c.find(QComboBox, "animalSpecies").currentIndex() == 0
    assert c.find(QComboBox, "animalTerm").currentIndex() == 0
    assert not c.find(QCheckBox, "animalAltered").isChecked()
    assert not c.find(QCheckBox, "animalSenior").isChecked()
    assert shown_lines(c, "animalFormLines") == []
    shot(c, tmp_path, "animal-renewal-unknown", open_dialog("animalForm"))
    # keying the right number clears the note and fills the form
    c.find(QLineEdit, "animalRenews").selectAll()
    c.qtbot.keyClicks(focused(), OLD)
    assert note.text() == ""
    press(c, Key.Key_Return)
    c.qtbot.waitUntil(lambda: text(c, "animalName") == "Rex")
    press(c, Key.Key_Escape)
    closed(c, "animalForm")
    assert not sale(c).lines
    assert counts(c.app) == before


def test_a_licence_renewed_already_is_filled_and_says_so_and_the_quote_refuses_it(
    renewing: tuple[Counter, FakeClock],
) -> None:
    c, _clock = renewing
    again = sell(c.app, [dog(senior=True, renews=OLD)])["licences"][0]["licence"]
    open_form(c)
    c.qtbot.keyClicks(focused(), OLD)
    press(c, Key.Key_Return)
    note = c.find(QLabel, "animalRenewsNote")
    c.qtbot.waitUntil(lambda: f"renewed already by {again}" in note.text())
    assert text(c, "animalName") == "Rex"
    message = c.find(QLabel, "dialogMessage")
    c.qtbot.waitUntil(lambda: f"by {again}: renew that licence" in message.text())
    assert shown_lines(c, "animalFormLines") == []
    press(c, Key.Key_Return)  # Enter to add: refused, the cursor back on the number
    wait_focus(c, "animalRenews")
    press(c, Key.Key_Escape)
    closed(c, "animalForm")
    assert not sale(c).lines
