"""The forms of the city's program items (issue 15, item 5) — a TOT return, a business licence,
an animal licence and a parking permit — and a sale of them show whole on a 1366×768 counter
screen and on the strictest one (1280×700 left to a window), with the simulated printer's paper
beside them. The README's pictures of them come from here:
``CASHIER_DESK_SHOTS=docs/screenshots pytest tests/ui/test_program_form_screens.py`` writes
them (else they go to a temporary folder)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from cashier_desk.ui.qt import QLabel, QLineEdit, Qt
from cashier_desk.ui.screens.sale import SaleScreen
from tests.helpers import SUPERVISOR, FakeClock
from tests.programs.counter_city import ACCOUNTS, CODES
from tests.ui.conftest import Counter
from tests.ui.keys import press, wait_focus
from tests.ui.steps import at_sale
from tests.ui.test_program_screens import keys, open_dialog, shot

Key = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier


def total_shown(c: Counter, name: str, total: str) -> None:
    label = c.find(QLabel, name)
    c.qtbot.waitUntil(lambda: label.text() == f"Total {total}")


def test_the_program_forms_show_whole(make_counter: object, tmp_path: Path) -> None:
    out = Path(os.environ.get("CASHIER_DESK_SHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    more = tmp_path / "more"  # the forms checked whole but not pictured in the README
    more.mkdir()
    clock = FakeClock(datetime(2026, 11, 10, 18, 0, tzinfo=UTC))
    c: Counter = make_counter(clock=clock, sims=True)  # type: ignore[operator]
    (tmp_path / "codes.csv").write_text(CODES, encoding="utf-8")
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    c.desk.import_file("revenue-codes", tmp_path / "codes.csv", **SUPERVISOR)
    c.desk.import_file("accounts", tmp_path / "accounts.csv", **SUPERVISOR)
    at_sale(c)
    sale = c.window.screens["sale"]
    assert isinstance(sale, SaleScreen)

    # A late TOT return: tax, penalty and interest as typed.
    press(c, Key.Key_H, ALT)
    wait_focus(c, "totAccount")
    keys(c, "TOT-0042")
    keys(c, "2026-Q3")
    keys(c, "50000.00")
    keys(c, "5000.00")
    total_shown(c, "totFormTotal", "4972.50")
    shot(c, out, "16-tot-return", open_dialog("totForm"))
    press(c, Key.Key_Return)  # on 'amended': the return goes onto the sale
    c.qtbot.waitUntil(lambda: len(sale.lines) == 1 and sale.lines[0].priced is not None)
    wait_focus(c, "saleInput")

    # A renewal, late: the account looked up, tax, state fee and the capped penalty.
    press(c, Key.Key_B, ALT)
    wait_focus(c, "licenceKind")
    press(c, Key.Key_Down)
    press(c, Key.Key_Return)
    keys(c, "BL-0007")
    keys(c, "2026")
    keys(c, "250000.00", enter=False)
    holder = c.find(QLabel, "licenceHolder")
    c.qtbot.waitUntil(lambda: holder.text() == "Blue Door Cafe, 12 Oak St")
    total_shown(c, "licenceFormTotal", "254.00")
    shot(c, out, "17-business-licence", open_dialog("licenceForm"))
    press(c, Key.Key_Return)
    c.qtbot.waitUntil(lambda: len(sale.lines) == 2 and sale.lines[1].priced is not None)
    wait_focus(c, "saleInput")

    # A dog's licence and a residential permit: whole too (no pictures).
    press(c, Key.Key_A, ALT)
    wait_focus(c, "animalRenews")
    press(c, Key.Key_Return)  # renews nothing: a new licence
    wait_focus(c, "animalSpecies")
    press(c, Key.Key_Return)
    keys(c, "Rex")
    keys(c, "Ann Lee")
    keys(c, "1 Main St")
    press(c, Key.Key_Space)  # altered
    press(c, Key.Key_Return)
    press(c, Key.Key_Return)  # 1 year
    press(c, Key.Key_Return)  # not a senior
    keys(c, "R-1234")
    keys(c, "2028-06-30", enter=False)
    total_shown(c, "animalFormTotal", "15.00")
    shot(c, more, "animal-licence", open_dialog("animalForm"))
    press(c, Key.Key_Return)  # the last field: onto the sale
    c.qtbot.waitUntil(lambda: len(sale.lines) == 3 and sale.lines[2].priced is not None)
    wait_focus(c, "saleInput")
    press(c, Key.Key_K, ALT)
    wait_focus(c, "permitPlate")  # the city's one permit code is filled in
    assert c.find(QLineEdit, "permitCode").text() == "PKG-PRM-RES"
    keys(c, "8abc123")
    keys(c, "1 Main St")
    total_shown(c, "permitFormTotal", "40.00")
    shot(c, more, "parking-permit", open_dialog("permitForm"))
    press(c, Key.Key_Return)
    c.qtbot.waitUntil(lambda: len(sale.lines) == 4 and sale.lines[3].priced is not None)
    wait_focus(c, "saleInput")
    assert str(sale.total) == "5281.50"  # 4972.50 + 254.00 + 15.00 + 40.00
    shot(c, out, "18-program-sale", c.window)
