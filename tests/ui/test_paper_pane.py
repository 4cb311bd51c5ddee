"""The simulated printer's paper beside the counter shows every slip, not only receipts.

An outside trial read "printed" for a drop slip, a contest's acknowledgement and the closeout
slip while the paper pane stayed as it was: it was refreshed only when a receipt printed.
"""

from __future__ import annotations

from collections.abc import Callable

from cashier_desk.runner import run_op
from cashier_desk.ui.qt import QPlainTextEdit
from tests.ui.conftest import Counter


def test_a_drop_slip_shows_on_the_paper_pane(make_counter: Callable[..., Counter]) -> None:
    c = make_counter(sims=True)
    for op in (
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 10}},
    ):
        assert run_op(c.desk, op)["ok"], op
    paper = c.find(QPlainTextEdit, "printerPaper")
    c.idle()
    before = paper.toPlainText()
    assert "DROP" not in before.upper()
    dropped = run_op(c.desk, {"op": "drop", "amount": "100.00", "bag": "B-17"})
    assert dropped["ok"] and dropped.get("printed", True), dropped
    c.qtbot.waitUntil(lambda: "B-17" in paper.toPlainText(), timeout=5000)
    assert paper.toPlainText() != before
