"""The lead's Reports and Corrections screens are built on first use (a cold start builds
neither): the shortcut works the first time, the cursor lands where it always did, a cashier's
shortcut builds nothing, and a screen once built keeps its state."""

from __future__ import annotations

from cashier_desk.ui.qt import QLineEdit, Qt
from cashier_desk.ui.screens.lazy import LazyScreen
from tests.ui.conftest import Counter
from tests.ui.keys import press, wait_focus
from tests.ui.steps import at_sale

Key = Qt.Key
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def built(c: Counter) -> list[str]:
    return sorted(n for n in ("reports", "corrections") if dict.get(c.window.screens, n))


def test_a_cashiers_shortcut_builds_no_lead_screen(counter: Counter) -> None:
    at_sale(counter)
    for key in (Key.Key_R, Key.Key_E):
        press(counter, key, CTRL_SHIFT)
        assert counter.screen() == "sale"
    assert built(counter) == []
    assert "reports" in counter.window.screens  # known, not built


def test_the_leads_shortcuts_build_each_screen_the_first_time_and_keep_it(
    counter: Counter,
) -> None:
    assert built(counter) == []
    counter.login("lee", "1111")
    press(counter, Key.Key_R, CTRL_SHIFT)
    assert counter.screen() == "reports"
    wait_focus(counter, "reportKind")
    reports = counter.window.screens["reports"]
    assert built(counter) == ["reports"]

    press(counter, Key.Key_E, CTRL_SHIFT)
    assert counter.screen() == "corrections"
    wait_focus(counter, "corr_receipt")
    corrections = counter.window.screens["corrections"]
    field = counter.find(QLineEdit, "corr_receipt")
    counter.qtbot.keyClicks(field, "W1-")
    assert built(counter) == ["corrections", "reports"]

    press(counter, Key.Key_R, CTRL_SHIFT)
    assert counter.window.screens["reports"] is reports
    press(counter, Key.Key_E, CTRL_SHIFT)
    assert counter.window.screens["corrections"] is corrections
    assert counter.find(QLineEdit, "corr_receipt").text().startswith("W1-")
    assert counter.window.stack.indexOf(reports) >= 0


def test_a_lazy_screen_must_be_the_screen_it_names(counter: Counter) -> None:
    wrong = LazyScreen("reports", "cashier_desk.ui.screens.corrections", "CorrectionsScreen")
    try:
        wrong.build(counter.ctx)
    except TypeError as exc:
        assert "not the reports screen" in str(exc)
    else:
        raise AssertionError("a screen of another name was taken")
