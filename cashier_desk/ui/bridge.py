"""Desk events as Qt signals, delivered on the GUI thread.

The Desk and the device threads publish named events on the core's EventBus from whatever
thread they run on; this adapter re-emits each as a signal, and Qt queues it to the GUI thread
(the widgets never see a device thread).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cashier_desk.events import EventBus
from cashier_desk.ui.qt import QObject, Signal


class DeskBridge(QObject):
    deviceStatus = Signal(str, str, object)  # device name, kind, DeviceStatus
    alert = Signal(str, str)  # kind, message for a person
    scanned = Signal(str)  # a code from the serial scanner
    receiptPosted = Signal(str)  # receipt number
    printJob = Signal(int, bool)  # job id, printed
    userChanged = Signal(object)  # User or None
    drawerClosed = Signal(str, bool)  # session id, needs approval
    changed = Signal(str)  # any other event name: screens refresh what they show

    def __init__(self, events: EventBus) -> None:
        super().__init__()
        self._events = events
        self._subscriptions: list[tuple[str, Callable[..., None]]] = [
            ("device_status", self._on_device_status),
            ("alert", self._on_alert),
            ("scan", self._on_scan),
            ("receipt_posted", self._on_receipt),
            ("print_job", self._on_print_job),
            ("user_changed", self._on_user),
            ("drawer_closed", self._on_drawer_closed),
        ]
        for name in ("drawer_opened", "receipt_voided", "drawer_movement", "close_approved",
                     "close_rejected", "closeout_done", "reference_data_changed"):  # fmt: skip
            self._subscriptions.append((name, self._changer(name)))
        for name, listener in self._subscriptions:
            events.subscribe(name, listener)

    def detach(self) -> None:
        for name, listener in self._subscriptions:
            self._events.unsubscribe(name, listener)

    def _changer(self, name: str) -> Callable[..., None]:
        def listener(**_: Any) -> None:
            self.changed.emit(name)

        return listener

    def _on_device_status(self, device: str, kind: str, status: Any) -> None:
        self.deviceStatus.emit(device, kind, status)

    def _on_alert(self, kind: str, message: str) -> None:
        self.alert.emit(kind, message)

    def _on_scan(self, code: str) -> None:
        self.scanned.emit(code)

    def _on_receipt(self, receipt: str, **_: Any) -> None:
        self.receiptPosted.emit(receipt)

    def _on_print_job(self, job: int, printed: bool) -> None:
        self.printJob.emit(job, printed)

    def _on_user(self, user: Any) -> None:
        self.userChanged.emit(user)

    def _on_drawer_closed(self, session: str, needs_approval: bool) -> None:
        self.drawerClosed.emit(session, needs_approval)
