"""The forms of the city's program items from the sale screen (issue 15, item 5), keyboard only:
Alt+H a TOT return, Alt+B a business licence. The figures on screen are programs.md's worked
examples; the sale posts them and its receipt prints their lines; a refusal is shown in the form
and adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cashier_desk.errors import Refusal
from cashier_desk.ui.qt import QCheckBox, QLabel, QLineEdit, Qt, QTableWidget
from cashier_desk.ui.screens.sale import SaleScreen
from tests.doubles import MemoryPrinter
from tests.helpers import SUPERVISOR, FakeClock
from tests.programs.counter_city import ACCOUNTS, CODES, counts, receipt_lines
from tests.ui.conftest import Counter
from tests.ui.keys import focused, press, wait_focus
from tests.ui.steps import at_sale

Key = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def city(make_counter: object, tmp_path: Path) -> Counter:
    """Amy at the sale screen on 2026-11-10 (2026-Q3's returns were due 2026-10-31), the
    city's program codes and registered accounts imported."""
    clock = FakeClock(datetime(2026, 11, 10, 18, 0, tzinfo=UTC))
    c = make_counter(clock=clock)  # type: ignore[operator]
    (tmp_path / "codes.csv").write_text(CODES, encoding="utf-8")
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    c.desk.import_file("revenue-codes", tmp_path / "codes.csv", **SUPERVISOR)
    c.desk.import_file("accounts", tmp_path / "accounts.csv", **SUPERVISOR)
    return at_sale(c)


def sale(c: Counter) -> SaleScreen:
    s = c.window.screens["sale"]
    assert isinstance(s, SaleScreen)
    return s


def keys(c: Counter, text: str, *, enter: bool = True) -> None:
    c.qtbot.keyClicks(focused(), text)
    if enter:
        press(c, Key.Key_Return)


def shown_lines(c: Counter, name: str) -> list[tuple[str, str]]:
    table = c.find(QTableWidget, name)
    return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]


def wait_total(c: Counter, name: str, total: str) -> None:
    label = c.find(QLabel, name)
    c.qtbot.waitUntil(lambda: label.text() == f"Total {total}")


def closed(c: Counter, name: str) -> None:
    c.qtbot.waitUntil(lambda: c.window.findChild(QLabel, f"{name}Note") is None)


def pay_exact_and_post(c: Counter) -> str:
    """F9 exact cash, Enter posts; the receipt printed."""
    printer = c.desk.printer
    assert isinstance(printer, MemoryPrinter)
    jobs = len(printer.jobs)
    wait_focus(c, "saleInput")
    press(c, Key.Key_F9)
    press(c, Key.Key_Return)
    c.qtbot.waitUntil(lambda: sale(c).result is not None)
    c.qtbot.waitUntil(lambda: len(printer.jobs) > jobs)
    return printer.jobs[-1]


def test_a_tot_return_shows_tax_penalty_and_interest_and_the_sale_files_it(
    city: Counter,
) -> None:
    press(city, Key.Key_H, ALT)
    wait_focus(city, "totAccount")
    keys(city, "TOT-0042")
    keys(city, "2026-Q3")
    keys(city, "50000.00")
    keys(city, "5000.00", enter=False)
    wait_total(city, "totFormTotal", "4972.50")  # shown as typed, before any Enter
    operator = city.find(QLabel, "totHolder")
    city.qtbot.waitUntil(lambda: operator.text() == "Harbor Inn, 1 Bay Rd")
    assert shown_lines(city, "totFormLines") == [
        ("Transient occupancy tax TOT-0042 2026-Q3", "4500.00"),
        ("TOT penalty TOT-0042 2026-Q3", "450.00"),
        ("TOT interest TOT-0042 2026-Q3", "22.50"),
    ]
    press(city, Key.Key_Return)  # on to 'amended' (not ticked)
    wait_focus(city, "totAmended")
    press(city, Key.Key_Return)  # the last field: the lines shown go onto the sale
    closed(city, "totForm")
    wait_focus(city, "saleInput")
    s = sale(city)
    city.qtbot.waitUntil(lambda: len(s.lines) == 1 and s.lines[0].priced is not None)
    assert str(s.total) == "4972.50"
    assert city.find(QLineEdit, "salePayer").text() == "Harbor Inn"  # the operator looked up
    assert city.find(QLabel, "totalDue").text() == "TOTAL 4972.50"
    table = city.find(QTableWidget, "saleLines")
    assert table.item(0, 0).text() == (
        "TOT return TOT-0042 2026-Q3\nTransient occupancy tax 4500.00 · TOT penalty 450.00 · "
        "TOT interest 22.50"
    )
    assert (table.item(0, 1).text(), table.item(0, 3).text()) == ("TOT", "4972.50")
    slip = pay_exact_and_post(city)
    for text in ("Transient occupancy tax", "4500.00", "450.00", "22.50", "4972.50"):
        assert text in slip, (text, slip)
    assert s.result is not None
    assert receipt_lines(city.app, str(s.result.receipt)) == [
        ("Transient occupancy tax TOT-0042 2026-Q3", "4500.00"),
        ("TOT penalty TOT-0042 2026-Q3", "450.00"),
        ("TOT interest TOT-0042 2026-Q3", "22.50"),
    ]
    with pytest.raises(Refusal) as filed:  # filed: the period's return is in
        city.desk.quote([sale(city).lines[0].request()])
    assert filed.value.code == "already_filed"


def test_a_new_business_licence_is_129_and_a_renewal_shows_its_business(
    city: Counter,
) -> None:
    press(city, Key.Key_B, ALT)
    wait_focus(city, "licenceKind")
    press(city, Key.Key_Return)  # a new licence, the first kind
    wait_focus(city, "licenceName")
    keys(city, "Blue Door Cafe")
    keys(city, "12 Oak St")
    keys(city, "2027")
    keys(city, "250000.00", enter=False)
    wait_total(city, "licenceFormTotal", "129.00")
    lines = shown_lines(city, "licenceFormLines")
    assert [amount for _what, amount in lines] == ["125.00", "4.00"]
    assert lines[0][0] == "Business licence tax 2027"
    press(city, Key.Key_Return)
    closed(city, "licenceForm")
    s = sale(city)
    city.qtbot.waitUntil(lambda: len(s.lines) == 1 and s.lines[0].priced is not None)
    assert str(s.total) == "129.00"
    assert city.find(QLineEdit, "salePayer").text() == "Blue Door Cafe"  # the new business
    slip = pay_exact_and_post(city)
    assert "Business licence tax 2027" in slip and "125.00" in slip and "129.00" in slip
    assert s.result is not None and s.result.issued
    number = s.result.issued[0].number
    banner = city.window.banner.text()  # type: ignore[attr-defined]
    assert f"licence {number} valid through 2027-12-31" in banner
    press(city, Key.Key_Return)  # the next customer
    # the renewal of a known account: its business shows beside it
    press(city, Key.Key_B, ALT)
    wait_focus(city, "licenceKind")
    press(city, Key.Key_Down)  # Renewal
    press(city, Key.Key_Return)
    wait_focus(city, "licenceAccount")
    keys(city, "BL-0007")
    holder = city.find(QLabel, "licenceHolder")
    keys(city, "2026")
    keys(city, "250000.00", enter=False)
    city.qtbot.waitUntil(lambda: holder.text() == "Blue Door Cafe, 12 Oak St")
    wait_total(city, "licenceFormTotal", "254.00")  # ten months late: the penalty capped
    assert [amount for _what, amount in shown_lines(city, "licenceFormLines")] == [
        "125.00", "4.00", "125.00"]  # fmt: skip
    press(city, Key.Key_Escape)
    closed(city, "licenceForm")
    assert not sale(city).lines


def test_an_unknown_account_is_shown_in_the_form_and_adds_nothing(city: Counter) -> None:
    before = counts(city.app)
    press(city, Key.Key_H, ALT)
    wait_focus(city, "totAccount")
    keys(city, "TOT-9999")
    keys(city, "2026-Q3")
    keys(city, "50000.00")
    keys(city, "0")  # the last field but one: Enter moves on to 'amended'
    press(city, Key.Key_Return)  # Enter on the last field: the Desk refuses
    wait_focus(city, "totAccount")  # the cursor back on the account
    message = city.find(QLabel, "dialogMessage")
    city.qtbot.waitUntil(lambda: "TOT-9999 is not registered" in message.text())
    assert "TOT-9999 is not registered" in city.window.banner.text()  # type: ignore[attr-defined]
    assert shown_lines(city, "totFormLines") == []
    field = city.find(QLineEdit, "totAccount")
    assert field.selectedText() == "TOT-9999"
    press(city, Key.Key_Escape)
    closed(city, "totForm")
    wait_focus(city, "saleInput")
    assert not sale(city).lines and str(sale(city).total) == "0.00"
    assert counts(city.app) == before


def test_the_amended_box_with_the_cursor_on_it_looks_it(city: Counter) -> None:
    """An outside trial pressed Enter through the TOT form and saw nothing happen: the cursor
    was on the 'amended' box, which showed no sign of it.  Focused, it is drawn otherwise."""
    press(city, Key.Key_H, ALT)
    wait_focus(city, "totAccount")
    box = city.find(QCheckBox, "totAmended")
    unfocused = box.grab().toImage()
    box.setFocus()
    city.qtbot.waitUntil(box.hasFocus)
    city.idle()
    assert box.grab().toImage() != unfocused
    press(city, Key.Key_Escape)
    closed(city, "totForm")


def add_tot(c: Counter) -> None:
    press(c, Key.Key_H, ALT)
    wait_focus(c, "totAccount")
    for text in ("TOT-0042", "2026-Q3", "50000.00", "5000.00"):
        keys(c, text)
    wait_total(c, "totFormTotal", "4972.50")
    press(c, Key.Key_Return)
    closed(c, "totForm")
    wait_focus(c, "saleInput")


def test_the_same_return_twice_in_one_sale_is_refused_by_the_sale(city: Counter) -> None:
    add_tot(city)
    s = sale(city)
    city.qtbot.waitUntil(lambda: len(s.lines) == 1 and s.lines[0].priced is not None)
    add_tot(city)  # alone it is priced; beside the first it is already filed
    banner = city.window.banner  # type: ignore[attr-defined]
    city.qtbot.waitUntil(lambda: "already filed" in banner.text())
    city.idle()
    assert len(s.lines) == 1 and str(s.total) == "4972.50"
    press(city, Key.Key_F3)  # a program line has no quantity or amount of its own
    assert "is priced from its form" in banner.text()


def test_a_renewal_of_an_unknown_account_says_so_beside_it(city: Counter) -> None:
    press(city, Key.Key_B, ALT)
    wait_focus(city, "licenceKind")
    press(city, Key.Key_Down)
    press(city, Key.Key_Return)
    keys(city, "BL-0404")
    keys(city, "2026")
    keys(city, "1000.00", enter=False)
    holder = city.find(QLabel, "licenceHolder")
    city.qtbot.waitUntil(lambda: holder.text() == "There is no account BL-0404.")
    message = city.find(QLabel, "dialogMessage")
    city.qtbot.waitUntil(lambda: "BL-0404" in message.text())
    press(city, Key.Key_Return)  # Enter: refused, the cursor back on the account
    wait_focus(city, "licenceAccount")
    press(city, Key.Key_Escape)
    closed(city, "licenceForm")
    assert not sale(city).lines
