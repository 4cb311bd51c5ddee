"""The window never shows a card number back in full (PCI DSS 3.3.1, 3.4.1): a message on the
banner or in a dialog that quotes what was typed shows a card number masked to its last four,
in every writing (spaces, no-break spaces, fullwidth or Arabic-Indic digits, ...)."""

from __future__ import annotations

from cashier_desk.ui.dialogs import VoidDialog
from cashier_desk.ui.qt import Qt
from tests.faults.card_scan import PANS, fed_numbers_in, masked
from tests.ui.conftest import Counter
from tests.ui.keys import focused
from tests.ui.test_sale_screen import banner, press, sale  # noqa: F401 (sale: a fixture)


def test_the_banner_and_a_dialog_mask_a_card_number_they_quote(counter: Counter) -> None:
    counter.login("amy", "4821")
    dialog = VoidDialog(counter.ctx, None)
    try:
        for card_text in PANS:
            counter.window.show_message(f"There is no revenue code '{card_text}'.", kind="error")
            shown = str(counter.window.banner.text())
            assert shown == f"There is no revenue code '{masked(card_text)}'.", card_text
            dialog.complain(f"No receipt {card_text} here.")
            said = str(dialog.message.text())
            assert said == f"No receipt {masked(card_text)} here.", card_text
            assert fed_numbers_in(f"{shown}\n{said}\n{banner(counter)}".encode()) == []
    finally:
        dialog.close()


def test_a_card_number_rung_at_the_sale_screen_is_refused_and_never_shown(sale: Counter) -> None:  # noqa: F811
    for card_text in PANS:
        field = focused()
        assert field.objectName() == "saleInput"
        field.setText(card_text)  # as a wedge scanner or a paste puts it (any script)
        press(sale, Qt.Key.Key_Return)
        shown = banner(sale)
        assert shown, card_text  # something was said
        assert fed_numbers_in(shown.encode()) == [], (card_text, shown)
