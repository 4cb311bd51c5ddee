"""What every simulator here shares: a raw pseudo-terminal, and a port served by one thread.

:class:`RawPty` is the pty a simulated serial device sits behind: the driver opens
:attr:`RawPty.port` (the slave side, e.g. ``/dev/pts/7``) exactly as it would open
``/dev/ttyUSB0``; the simulator reads and writes the master side.

:class:`SimLoop` is the life of a simulated device's port: ``start()``/``stop()`` (idempotent;
``start`` returns the simulator), a context manager, and the fault switches ``unplug()`` (the
port closes under the driver's feet) and ``plug()`` (a fresh port; returns where the driver
reaches it now — a pty's path may differ, as a re-enumerated USB device's does).  A subclass
says how its port opens (:meth:`SimLoop._open`), closes (:meth:`SimLoop._close`) and is served
(:meth:`SimLoop._serve`, run on one daemon thread until its stop flag is set; a device that
only writes when told, like the scanner, has no thread).
"""

from __future__ import annotations

import os
import pty
import select
import socket
import threading
import time
import tty
from types import TracebackType
from typing import ClassVar, Self

__all__ = ["PtyLoop", "RawPty", "SimLoop", "listen"]

_JOIN_SECONDS = 5


class RawPty:
    """A pseudo-terminal in raw mode (no echo, no line editing: bytes pass as they are)."""

    def __init__(self, *, blocking: bool = True) -> None:
        master, slave = pty.openpty()
        tty.setraw(slave)
        if not blocking:
            os.set_blocking(master, False)
        # We keep our own slave descriptor open, so the master never reads a hang-up between
        # two clients (a driver closing the port and opening it again).
        self.master, self.slave = master, slave
        self.port = os.ttyname(slave)

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes from the master side; b"" when none came within ``timeout``
        (or the slave side is gone for the moment: EIO)."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self.master, size)
        except BlockingIOError:
            return b""
        except OSError:  # EIO, should the slave side be gone: wait as if nothing came
            time.sleep(timeout)
            return b""

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


def listen(host: str, port: int) -> socket.socket:
    """A TCP listener on ``host:port`` (0: any free port), as a network device's socket."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(4)
    except OSError:
        listener.close()
        raise
    return listener


class SimLoop:
    """Start/stop and unplug/plug of a simulator's port; see the module docstring."""

    #: Whether the port is served by a thread (:meth:`_serve`).
    threaded: ClassVar[bool] = True
    thread_name: ClassVar[str] = "sim"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._started = False
        self._plugged = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._aborting = False  # why the thread is told to stop: an unplug, not a stop

    # -- public
    def start(self) -> Self:
        with self._lock:
            if not self._started:
                self._connect()
                self._started = True
        return self

    def stop(self) -> None:
        with self._lock:
            if self._started:
                self._started = False
                self._disconnect(abort=False)

    def unplug(self) -> None:
        """Pull the cable: stop serving and close the port under the driver's feet."""
        with self._lock:
            if self._started:
                self._disconnect(abort=True)

    def plug(self) -> str:
        """Put the cable back (starts the simulator if it was never started); returns where
        the driver reaches the device now."""
        with self._lock:
            if not self._started:
                self.start()
            elif not self._plugged:
                self._connect()
            return self._where()

    @property
    def running(self) -> bool:
        with self._lock:
            return self._started

    @property
    def plugged(self) -> bool:
        with self._lock:
            return self._started and self._plugged

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals
    def _connect(self) -> None:
        self._open()
        self._plugged = True
        if not self.threaded:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(self._stop,), name=self.thread_name, daemon=True
        )
        self._thread.start()

    def _disconnect(self, abort: bool) -> None:
        if not self._plugged:
            return
        self._plugged = False
        self._aborting = abort
        self._stop.set()
        self._interrupt()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(_JOIN_SECONDS)
            if thread.is_alive():
                raise RuntimeError(f"{thread.name} did not stop")
        self._close(abort)

    # -- for subclasses
    def _where(self) -> str:
        """The path or URL the driver opens."""
        raise NotImplementedError

    def _open(self) -> None:
        raise NotImplementedError

    def _close(self, abort: bool) -> None:
        """Close the port (``abort``: as a pulled cable, not a goodbye); the thread is done."""
        raise NotImplementedError

    def _serve(self, stop: threading.Event) -> None:
        """Serve the port until ``stop`` is set (on the simulator's thread)."""
        raise NotImplementedError

    def _interrupt(self) -> None:
        """Wake the serving thread after ``stop`` was set (when it may wait long)."""


class PtyLoop(SimLoop):
    """A simulator behind a :class:`RawPty`; the driver opens :attr:`port`."""

    #: The master side does not block (whoever writes to it waits with select).
    blocking: ClassVar[bool] = True

    def __init__(self) -> None:
        super().__init__()
        self._pty: RawPty | None = None
        self._port = ""

    @property
    def port(self) -> str:
        """The slave side's path (the "serial port"); a new one after every unplug/plug."""
        if not self._port:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._port

    def _where(self) -> str:
        return self.port

    def _open(self) -> None:
        self._pty = RawPty(blocking=self.blocking)
        self._port = self._pty.port

    def _close(self, abort: bool) -> None:
        if self._pty is not None:
            self._pty.close()
            self._pty = None
