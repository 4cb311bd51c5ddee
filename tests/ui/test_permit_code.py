"""The parking permit form fills in the city's permit code when there is exactly one (the
demo city's `PKG-PRM-ZONE`), and the cursor goes on to the plate; with several codes the
cashier keys one, the first shown as the hint; a code keyed before the answer stays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cashier_desk.ui.qt import QLineEdit, Qt
from tests.helpers import SUPERVISOR, FakeClock
from tests.programs.counter_city import CODES
from tests.ui.conftest import Counter
from tests.ui.keys import press, wait_focus
from tests.ui.steps import at_sale

ALT = Qt.KeyboardModifier.AltModifier
SECOND = "PKG-PRM-B,Residential parking permit zone B,PARKING,101-0000-42500,fixed,45.00,no,parking_permit\n"  # noqa: E501


@pytest.mark.parametrize("codes", [CODES, CODES + SECOND], ids=["one code", "two codes"])
def test_the_one_permit_code_is_filled_in(make_counter: object, tmp_path: Path, codes: str) -> None:
    c: Counter = make_counter(clock=FakeClock(datetime(2026, 11, 10, 18, 0, tzinfo=UTC)))  # type: ignore[operator]
    (tmp_path / "codes.csv").write_text(codes, encoding="utf-8")
    c.desk.import_file("revenue-codes", tmp_path / "codes.csv", **SUPERVISOR)
    at_sale(c)
    press(c, Qt.Key.Key_K, ALT)
    field = c.find(QLineEdit, "permitCode")
    if codes == CODES:
        wait_focus(c, "permitPlate")
        assert field.text() == "PKG-PRM-RES"
    else:
        c.qtbot.waitUntil(lambda: field.placeholderText() == "PKG-PRM-B")
        assert field.text() == "" and field.hasFocus()
