"""The window's start on a ledger that lost work (issue 12, item 2): it says so, naming the
last receipt the ledger knew, and offers a supervisor's "Accept the loss"; a cashier's PIN is
refused there with the reason shown, a supervisor's accepts it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from cashier_desk.app import App, open_app
from cashier_desk.ui import ledger_loss
from cashier_desk.ui.qt import QLineEdit, QMessageBox
from cashier_desk.ui.widgets.approver import ApproverDialog
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.helpers import FakeClock, run_ok
from tests.ui.steps import when_modal

LOGIN = {"op": "login", "user": "amy", "pin": "4821"}
SALE = {
    "op": "sale",
    "items": [{"code": "DOG-LIC"}],
    "tenders": [{"type": "cash", "amount": "20.00"}],
}


def _open(data: Path) -> App:
    return open_app(
        data, "W1", clock=FakeClock(), printer=MemoryPrinter(), cash_drawer=CountingDrawer()
    )


def _lost_two_receipts(template_dir: Path, tmp_path: Path) -> App:
    data = tmp_path / "data"
    shutil.copytree(template_dir, data)
    app = _open(data)
    run_ok(app, LOGIN, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}}, SALE)
    app.close()
    shutil.copy(data / "ledger.db", tmp_path / "old.db")
    app = _open(data)
    run_ok(app, LOGIN, SALE, SALE)
    app.close()
    shutil.copy(tmp_path / "old.db", data / "ledger.db")
    return _open(data)


def test_the_window_offers_a_supervisor_to_accept_the_loss(
    template_dir: Path, tmp_path: Path, qapp: Any
) -> None:
    app = _lost_two_receipts(template_dir, tmp_path)
    said: list[str] = []
    given = iter([("amy", "4821"), None, ("sam", "3333")])

    def ask(message: str) -> bool:
        said.append(message)
        return True

    try:
        assert ledger_loss.offer_acceptance(app, ask, lambda: next(given))
        assert "W1-000003" in said[0]
        assert said[1].startswith("Not accepted:") and "cashier" in said[1]
        assert "Not accepted" not in said[2]  # put off, then asked again
        assert app.ledger.loss is None
        result = run_ok(app, LOGIN, SALE)[-1]
        assert result["receipt"] == "W1-000004"
        assert not ledger_loss.offer_acceptance(app, ask, lambda: None)  # nothing to ask
        assert len(said) == 3
    finally:
        app.close()


def test_the_dialogs_default_is_to_go_on_without_taking_money(
    template_dir: Path, tmp_path: Path, qapp: Any
) -> None:
    app = _lost_two_receipts(template_dir, tmp_path)
    seen: list[str] = []

    def press_enter(box: Any) -> bool:
        if isinstance(box, QMessageBox) and box.objectName() == "ledgerLoss":
            seen.append(box.text())
            box.defaultButton().click()
            return True
        return False

    def accept_as_sam(box: Any) -> bool:
        if isinstance(box, QMessageBox) and box.objectName() == "ledgerLoss":
            accept = [b for b in box.buttons() if b.text() == ledger_loss.ACCEPT]
            accept[0].click()
            when_modal(type_sam)
            return True
        return False

    def type_sam(dialog: Any) -> bool:
        if not isinstance(dialog, ApproverDialog):
            return False
        fields = {f.objectName(): f for f in dialog.findChildren(QLineEdit)}
        fields["approverLogin"].setText("sam")
        fields["approverPin"].setText("3333")
        dialog.accept()
        return True

    try:
        when_modal(press_enter)
        assert not ledger_loss.offer_acceptance(app)
        assert "W1-000003" in seen[0] and app.ledger.loss is not None
        when_modal(accept_as_sam)
        assert ledger_loss.offer_acceptance(app)
        assert app.ledger.loss is None
    finally:
        app.close()
