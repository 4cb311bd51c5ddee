"""The window's closeout says when the backup after it failed (operations.md: reported to the
lead, never failing the closeout)."""

from __future__ import annotations

import dataclasses

from cashier_desk.ui.qt import QLabel, Qt
from cashier_desk.ui.screens.closeout import CloseoutScreen
from tests.ui.conftest import Counter
from tests.ui.test_dialogs_closeout import approve, banner, open_day, press, sale, wait_focus


def _close_out(counter: Counter) -> CloseoutScreen:
    open_day(
        counter,
        sale("12.00"),
        {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "10.00": 1, "1.00": 2}}},
    )
    counter.login("pat", "2222")
    counter.idle()
    wait_focus(counter, "sessionTable")
    press(counter, Qt.Key.Key_F10)
    approve(counter, "", "2222", None)
    counter.idle()
    screen = counter.window.screens["closeout"]
    assert isinstance(screen, CloseoutScreen)
    counter.qtbot.waitUntil(lambda: screen.papers is not None)
    return screen


def test_a_failed_backup_is_in_the_closeout_message_and_the_day_is_closed(
    counter: Counter,
) -> None:
    blocker = counter.app.data_dir / "blocker"
    blocker.write_text("a file where the backups should go", encoding="utf-8")
    desk = counter.desk
    desk.config = dataclasses.replace(desk.config, backup_dir=str(blocker))
    screen = _close_out(counter)
    assert [s.state for s in desk.day_sessions()] == ["batched"]
    assert screen.result is not None and screen.result.backup_problem
    assert "The backup after closeout" in banner(counter)
    assert "The backup after closeout" in counter.find(QLabel, "closeoutFiles").text()


def test_a_closeout_backed_up_says_nothing_of_it_but_the_backup_is_there(
    counter: Counter,
) -> None:
    screen = _close_out(counter)
    assert screen.result is not None and screen.result.backup is not None
    assert "backup" not in counter.find(QLabel, "closeoutFiles").text().lower()
    assert len(list((counter.app.data_dir / "backups").iterdir())) == 1
