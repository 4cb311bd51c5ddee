"""The device model, in the spirit of UnifiedPOS.

Every device goes through one lifecycle — open → claim → enable → … → disable → release →
close — and has a :class:`DeviceStatus` that changes by events.  Problems are values
(:class:`DeviceResult` with a code and a message for a person), never exceptions that reach the
caller: a library error (``SerialException``, ``OSError``, ``USBError``) is translated at the
driver boundary (only those: a bug is not an offline device).  A status is only ever replaced
by what the device last reported: an error is not overwritten by "connected" until the device
itself says it is well.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cashier_desk.events import Event

log = logging.getLogger(__name__)


class Lifecycle(enum.Enum):
    CLOSED = "closed"
    OPENED = "opened"
    CLAIMED = "claimed"
    ENABLED = "enabled"


@dataclass(frozen=True)
class DeviceStatus:
    """What a device last reported.  ``online`` False means it did not answer at all."""

    online: bool = False
    cover_open: bool = False
    paper_near_end: bool = False
    paper_empty: bool = False
    drawer_open: bool | None = None
    detail: str = ""

    @property
    def ready(self) -> bool:
        """Can it print now?"""
        return self.online and not self.cover_open and not self.paper_empty

    def problem(self) -> str:
        """What is wrong, in the words shown to the cashier ("" when nothing is)."""
        if self.cover_open:
            return "cover open"
        if self.paper_empty:
            return "out of paper"
        if not self.online:
            return self.detail or "offline"
        return ""

    def with_(self, **changes: Any) -> DeviceStatus:
        return replace(self, **changes)


@dataclass(frozen=True)
class DeviceStatusChanged(Event):
    """A device reported a new status (published on the device's thread)."""

    device: str  # its name
    kind: str  # printer, drawer, scanner, display
    status: DeviceStatus


@dataclass(frozen=True)
class Scanned(Event):
    """The serial scanner read a code."""

    code: str


@dataclass(frozen=True)
class DeviceResult:
    ok: bool
    code: str = ""
    message: str = ""

    @classmethod
    def success(cls) -> DeviceResult:
        return cls(True)

    @classmethod
    def failure(cls, code: str, message: str) -> DeviceResult:
        return cls(False, code, message)


StatusListener = Callable[["Device", DeviceStatus], None]


class WrongThread(RuntimeError):
    """Device I/O was attempted off the device's own thread (a bug of the caller)."""


def check_device_thread(owner: threading.Thread | None, device: str) -> None:
    """A device with its own I/O thread touches its port there only (Electrum's device-thread
    rule): in a debug run (``__debug__``, any run but ``python -O``) anything else raises."""
    if __debug__ and owner is not None and threading.current_thread() is not owner:
        here = threading.current_thread().name
        raise WrongThread(f"{device}: its port was used on thread {here!r}, not its own")


class Device:
    """Base of every device: the lifecycle, the status and its change events."""

    kind = "device"

    def __init__(self, name: str) -> None:
        self.name = name
        self.lifecycle = Lifecycle.CLOSED
        self._status = DeviceStatus(detail="not opened")
        self._listeners: list[StatusListener] = []
        self._lock = threading.RLock()  # the lifecycle
        self._status_lock = threading.Lock()  # the status alone: device threads take only this

    # -- status ------------------------------------------------------------------------------

    @property
    def status(self) -> DeviceStatus:
        return self._status

    def add_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def _set_status(self, status: DeviceStatus) -> None:
        with self._status_lock:
            if status == self._status:
                return
            self._status = status
        for listener in list(self._listeners):
            try:
                listener(self, status)
            except Exception:
                log.exception("status listener of %s failed", self.name)

    # -- lifecycle (subclasses override the _do_* steps) -------------------------------------

    def open(self) -> DeviceResult:
        with self._lock:
            if self.lifecycle is not Lifecycle.CLOSED:
                return DeviceResult.success()
            result = self._do_open()
            if result.ok:
                self.lifecycle = Lifecycle.OPENED
            return result

    def claim(self) -> DeviceResult:
        with self._lock:
            if self.lifecycle is Lifecycle.CLOSED:
                return DeviceResult.failure("not_open", f"the {self.kind} is not open")
            if self.lifecycle is not Lifecycle.OPENED:
                return DeviceResult.success()
            result = self._do_claim()
            if result.ok:
                self.lifecycle = Lifecycle.CLAIMED
            return result

    def enable(self) -> DeviceResult:
        with self._lock:
            if self.lifecycle in (Lifecycle.CLOSED, Lifecycle.OPENED):
                return DeviceResult.failure("not_claimed", f"the {self.kind} is not claimed")
            if self.lifecycle is Lifecycle.ENABLED:
                return DeviceResult.success()
            result = self._do_enable()
            if result.ok:
                self.lifecycle = Lifecycle.ENABLED
            return result

    def disable(self) -> None:
        with self._lock:
            if self.lifecycle is Lifecycle.ENABLED:
                self._do_disable()
                self.lifecycle = Lifecycle.CLAIMED

    def release(self) -> None:
        with self._lock:
            self.disable()
            if self.lifecycle is Lifecycle.CLAIMED:
                self._do_release()
                self.lifecycle = Lifecycle.OPENED

    def close(self) -> None:
        with self._lock:
            self.release()
            if self.lifecycle is Lifecycle.OPENED:
                self._do_close()
                self.lifecycle = Lifecycle.CLOSED

    def start(self) -> DeviceResult:
        """open, claim and enable in one go (what the app does at start-up)."""
        for step in (self.open, self.claim, self.enable):
            result = step()
            if not result.ok:
                return result
        return DeviceResult.success()

    def _do_open(self) -> DeviceResult:
        return DeviceResult.success()

    def _do_claim(self) -> DeviceResult:
        return DeviceResult.success()

    def _do_enable(self) -> DeviceResult:
        return DeviceResult.success()

    def _do_disable(self) -> None:
        pass

    def _do_release(self) -> None:
        pass

    def _do_close(self) -> None:
        pass
