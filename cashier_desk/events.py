"""Typed events from the core to whoever listens (the window adapts them to one Qt signal).

Each event is a frozen dataclass saying what happened; a listener subscribes to the event's
class and receives the event.  Listeners are called synchronously on the thread that
publishes; a listener that fails is logged and never breaks the operation that published the
event.  Events of the devices (a device's status, a scan) are defined in ``devices/model.py``,
beside the devices that make them; the rest are here.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from cashier_desk.ids import BatchId, Login, ReceiptNo, SessionId
from cashier_desk.money import Money

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Something that happened at the workstation; each kind is a subclass."""


@dataclass(frozen=True)
class UserChanged(Event):
    """Someone logged in (or took over the counter), or the counter was logged out."""

    login: Login | None
    name: str = ""
    role: str = ""


@dataclass(frozen=True)
class UserUnlocked(Event):
    """A lead cleared the lockout of a login."""

    login: str


@dataclass(frozen=True)
class LedgerLossAccepted(Event):
    """A supervisor accepted that the ledger lost work; numbering goes on after this."""

    last_receipt: str


@dataclass(frozen=True)
class DrawerOpened(Event):
    session: SessionId


@dataclass(frozen=True)
class DrawerMovement(Event):
    """A drop, paid-out or no-sale."""

    kind: str
    amount: Money


@dataclass(frozen=True)
class DrawerClosed(Event):
    session: SessionId
    needs_approval: bool


@dataclass(frozen=True)
class CloseApproved(Event):
    session: SessionId


@dataclass(frozen=True)
class CloseRejected(Event):
    session: SessionId


@dataclass(frozen=True)
class CloseoutDone(Event):
    batch: BatchId


@dataclass(frozen=True)
class ReceiptPosted(Event):
    receipt: ReceiptNo
    total: Money
    change: Money


@dataclass(frozen=True)
class ReceiptVoided(Event):
    receipt: ReceiptNo


@dataclass(frozen=True)
class PrintFinished(Event):
    """A print job went to the printer: ``printed`` whether the printer took all of it."""

    job: int
    printed: bool


@dataclass(frozen=True)
class DocumentPrinted(Event):
    """A slip that is not a receipt went to the printer (a drop slip, a contest's
    acknowledgement, a closeout slip …): ``printed`` whether the printer took all of it."""

    printed: bool


@dataclass(frozen=True)
class PrintPending(Event):
    """A receipt's job waits in the print queue (the printer did not take it)."""

    receipt_id: int


@dataclass(frozen=True)
class ReferenceDataChanged(Event):
    """Revenue codes, open items, people or rules changed (an import, a pull)."""

    kind: str


@dataclass(frozen=True)
class SyncPassed(Event):
    """A sync pass with central ended; ``waiting`` batches are still to send."""

    waiting: int


@dataclass(frozen=True)
class Alert(Event):
    """Something a person must see now (a drawer left open, a batch held at central)."""

    kind: str
    message: str


E = TypeVar("E", bound=Event)
Listener = Callable[[Any], None]


class EventBus:
    """Listeners by event class, plus listeners of every event (the window's bridge)."""

    def __init__(self) -> None:
        self._listeners: dict[type[Event], list[Listener]] = defaultdict(list)
        self._every: list[Callable[[Event], None]] = []

    def subscribe(self, kind: type[E], listener: Callable[[E], None]) -> None:
        self._listeners[kind].append(listener)

    def unsubscribe(self, kind: type[E], listener: Callable[[E], None]) -> None:
        if listener in self._listeners[kind]:
            self._listeners[kind].remove(listener)

    def subscribe_all(self, listener: Callable[[Event], None]) -> None:
        self._every.append(listener)

    def unsubscribe_all(self, listener: Callable[[Event], None]) -> None:
        if listener in self._every:
            self._every.remove(listener)

    def publish(self, event: Event) -> None:
        for listener in [*self._listeners[type(event)], *self._every]:
            try:
                listener(event)
            except Exception:  # a listener's bug is logged; the publisher's work stands
                log.exception("a listener of %s failed", type(event).__name__)
