"""Named events from the core to whoever listens (the GUI adapts them to Qt signals).

Listeners are called synchronously on the thread that publishes; a listener that fails is
logged and never breaks the operation that published the event.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Listener = Callable[..., None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: dict[str, list[Listener]] = defaultdict(list)

    def subscribe(self, event: str, listener: Listener) -> None:
        self._listeners[event].append(listener)

    def unsubscribe(self, event: str, listener: Listener) -> None:
        if listener in self._listeners[event]:
            self._listeners[event].remove(listener)

    def publish(self, event: str, **data: Any) -> None:
        for listener in list(self._listeners[event]):
            try:
                listener(**data)
            except Exception:
                log.exception("listener for %s failed", event)
