"""Desk events as one Qt signal, delivered on the GUI thread.

The Desk and the device threads publish typed events (``cashier_desk.events``) on the core's
EventBus from whatever thread they run on; this adapter re-emits every event as one signal,
which Qt queues to the GUI thread, and hands each to the widgets that asked for its class
with :meth:`DeskBridge.on` (the widgets never see a device thread).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from cashier_desk.events import (
    CloseApproved,
    CloseoutDone,
    CloseRejected,
    DrawerClosed,
    DrawerMovement,
    DrawerOpened,
    Event,
    EventBus,
    ReceiptVoided,
    ReferenceDataChanged,
)
from cashier_desk.ui.qt import QObject, Signal

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)

#: What changes the day's drawers, receipts or reference data: screens showing them refresh.
DAY_CHANGES: tuple[type[Event], ...] = (
    DrawerOpened,
    DrawerMovement,
    DrawerClosed,
    ReceiptVoided,
    CloseApproved,
    CloseRejected,
    CloseoutDone,
    ReferenceDataChanged,
)


class DeskBridge(QObject):
    happened = Signal(object)  # an Event, on the GUI thread

    def __init__(self, events: EventBus) -> None:
        super().__init__()
        self._events = events
        self._handlers: dict[type[Event], list[Callable[[Any], None]]] = defaultdict(list)
        self.happened.connect(self._deliver)
        events.subscribe_all(self._forward)

    def on(self, kind: type[E], handler: Callable[[E], None]) -> None:
        """Call ``handler`` on the GUI thread with every event of class ``kind``."""
        self._handlers[kind].append(handler)

    def on_any(self, kinds: tuple[type[Event], ...], handler: Callable[[Event], None]) -> None:
        for kind in kinds:
            self.on(kind, handler)

    def detach(self) -> None:
        self._events.unsubscribe_all(self._forward)

    def _forward(self, event: Event) -> None:  # on the publishing thread
        self.happened.emit(event)

    def _deliver(self, event: Event) -> None:  # on the GUI thread
        for handler in list(self._handlers[type(event)]):
            try:
                handler(event)
            except Exception:  # one screen's bug must not keep the event from the others
                log.exception("the window's handler of %s failed", type(event).__name__)
