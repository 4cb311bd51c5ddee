"""Servers that put a simulated device behind real OS interfaces: a pseudo-terminal, a TCP port.

The simulators in this package are byte-in/byte-out engines (anything with
``feed(bytes) -> bytes``, ``take_output()`` and output listeners, like
:class:`~cashier_desk.devices.sim.escpos_printer.EscPosPrinterSim`).  These servers expose one
over the interfaces a real device uses, so the production code path — python-escpos over
pyserial — is the tested code path:

* :class:`PtySimServer` opens a pseudo-terminal; pyserial opens ``server.port`` (the slave,
  e.g. ``/dev/pts/7``) exactly as it would open ``/dev/ttyUSB0``.
* :class:`TcpSimServer` listens like a port-9100 network printer (``socket://host:port`` for
  pyserial), one client at a time; a second client waits in the listen backlog.

Both are :class:`~cashier_desk.devices.sim.loop.SimLoop` s (one daemon thread each, idempotent
``start()``/``stop()``, context managers) and can misbehave on purpose: ``baud`` makes a slow
line (input is consumed no faster than ``baud / 10`` bytes per second, so a writer really
waits), and ``unplug()``/``plug()`` pull the cable and put it back.  For the pty, ``plug()``
makes a *new* pseudo-terminal, whose ``port`` path may differ from the old one — a USB-serial
adapter that is pulled and plugged back re-enumerates too, so code that holds a port must close
it and open it again after an unplug; the old descriptor stays dead.  For TCP, ``plug()``
listens again on the same port.  ``baud`` may be changed while a server runs.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Protocol, Self

from cashier_desk.devices.sim.loop import RawPty, SimLoop, listen

__all__ = ["PtySimServer", "SimDevice", "TcpSimServer"]

_POLL_SECONDS = 1 / 4  # how often a server thread looks at its stop flag when idle
_SLOW_CHUNK = 64  # bytes read per step on a throttled line
_FAST_CHUNK = 4096


class SimDevice(Protocol):
    """What a server needs from a simulator."""

    def feed(self, data: bytes) -> bytes: ...

    def take_output(self) -> bytes: ...

    def add_output_listener(self, listener: Callable[[], None]) -> None: ...

    def remove_output_listener(self, listener: Callable[[], None]) -> None: ...


class _Waker:
    """A self-pipe that wakes a server thread's select() from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        os.set_blocking(self._w, False)
        self._closed = False

    def fileno(self) -> int:
        return self._r

    def wake(self) -> None:
        with self._lock:
            if self._closed:
                return
            with contextlib.suppress(BlockingIOError):  # full of wake-ups: awake already
                os.write(self._w, b"!")

    def drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self._r, 512):
                pass

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                os.close(self._r)
                os.close(self._w)


class _Pacer:
    """Consume a slow line's bytes no faster than ``baud / 10`` per second (8N1 framing)."""

    def __init__(self, baud: Callable[[], int | None]) -> None:
        self._baud = baud
        self._free_at = time.monotonic()

    @property
    def chunk(self) -> int:
        return _SLOW_CHUNK if self._baud() else _FAST_CHUNK

    def wait(self, nbytes: int, stop: threading.Event) -> bool:
        """Sleep until ``nbytes`` would have crossed the line; False if stopped meanwhile."""
        baud = self._baud()
        if not baud:
            return True
        now = time.monotonic()
        self._free_at = max(self._free_at, now) + nbytes * 10 / baud
        return not stop.wait(self._free_at - now)


class _Server(SimLoop):
    """A simulator's port served by a thread woken by the simulator's own output."""

    def __init__(self, sim: SimDevice, baud: int | None) -> None:
        super().__init__()
        self.sim = sim
        self.baud = baud
        self._waker: _Waker | None = None
        self._pacer = _Pacer(lambda: self.baud)

    def start(self) -> Self:
        with self._lock:
            if self._started:
                return self
            self.sim.add_output_listener(self._wake)
            try:
                return super().start()
            except BaseException:
                self.sim.remove_output_listener(self._wake)
                raise

    def stop(self) -> None:
        with self._lock:
            if self._started:
                super().stop()
                self.sim.remove_output_listener(self._wake)

    def _open(self) -> None:
        self._open_port()
        self._waker = _Waker()
        self._pacer = _Pacer(lambda: self.baud)

    def _close(self, abort: bool) -> None:
        self._close_port(abort)
        if self._waker is not None:
            self._waker.close()
            self._waker = None

    def _interrupt(self) -> None:
        self._wake()

    def _wake(self) -> None:
        waker = self._waker
        if waker is not None:
            waker.wake()

    def _open_port(self) -> None:
        raise NotImplementedError

    def _close_port(self, abort: bool) -> None:
        raise NotImplementedError


def _write_fd(fd: int, data: bytes) -> None:
    """Write without blocking; what does not fit is lost, like bytes nobody reads off a line."""
    while data:
        try:
            n = os.write(fd, data)
        except OSError:  # BlockingIOError (full) or a hung-up terminal
            return
        data = data[n:]


def _send(sock: socket.socket, data: bytes) -> None:
    while data:
        try:
            n = sock.send(data)
        except OSError:  # BlockingIOError (client not reading) or a dead connection
            return
        data = data[n:]


class PtySimServer(_Server):
    """The simulator behind a pseudo-terminal; open :attr:`port` with pyserial.

    ``unplug()`` closes the pty, so the client's next write fails (EIO → ``SerialException``)
    and bytes not yet consumed are lost; ``plug()`` opens a fresh pty — read :attr:`port` again.
    """

    thread_name = "PtySimServer"

    def __init__(self, sim: SimDevice, baud: int | None = None) -> None:
        super().__init__(sim, baud)
        self._pty: RawPty | None = None
        self._port: str | None = None

    @property
    def port(self) -> str:
        """The slave side's path (the "serial port"); changes with every ``plug()``."""
        with self._lock:
            if self._port is None:
                raise RuntimeError("the pty server has not been started")
            return self._port

    def _where(self) -> str:
        return self.port

    def _open_port(self) -> None:
        self._pty = RawPty(blocking=False)
        self._port = self._pty.port

    def _close_port(self, abort: bool) -> None:
        if self._pty is not None:
            self._pty.close()
            self._pty = None

    def _serve(self, stop: threading.Event) -> None:
        waker, pacer = self._waker, self._pacer
        if self._pty is None or waker is None:
            return
        master = self._pty.master
        with selectors.DefaultSelector() as sel:
            sel.register(master, selectors.EVENT_READ, "line")
            sel.register(waker.fileno(), selectors.EVENT_READ, "wake")
            while not stop.is_set():
                for key, _ in sel.select(_POLL_SECONDS):
                    if key.data == "wake":
                        waker.drain()
                        _write_fd(master, self.sim.take_output())
                        continue
                    try:
                        data = os.read(master, pacer.chunk)
                    except BlockingIOError:
                        continue
                    except OSError:  # no slave side at the moment
                        stop.wait(_POLL_SECONDS)
                        continue
                    if not data or not pacer.wait(len(data), stop):
                        continue
                    answer = self.sim.feed(data)
                    if answer:
                        _write_fd(master, answer)


class TcpSimServer(_Server):
    """The simulator behind a TCP port, like a network receipt printer on port 9100.

    One client at a time; ``unplug()`` resets the client's connection and stops listening
    (connections are refused until ``plug()``, which listens on the same port again).
    """

    thread_name = "TcpSimServer"

    def __init__(
        self,
        sim: SimDevice,
        host: str = "127.0.0.1",
        port: int = 0,
        baud: int | None = None,
    ) -> None:
        super().__init__(sim, baud)
        self._host = host
        self._port = port
        self._listener: socket.socket | None = None

    @property
    def address(self) -> tuple[str, int]:
        """(host, port); with ``port=0`` the port is chosen at the first ``start()``."""
        with self._lock:
            return self._host, self._port

    @property
    def url(self) -> str:
        """The pyserial URL of this printer, ``socket://host:port``."""
        host, port = self.address
        return f"socket://{host}:{port}"

    def _where(self) -> str:
        return self.url

    def _open_port(self) -> None:
        listener = listen(self._host, self._port)
        listener.setblocking(False)
        self._port = listener.getsockname()[1]
        self._listener = listener

    def _close_port(self, abort: bool) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _drop_client(self, client: socket.socket, abort: bool) -> None:
        if abort:  # a reset, not a goodbye: the client's next write fails at once
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()

    def _serve(self, stop: threading.Event) -> None:
        listener, waker, pacer = self._listener, self._waker, self._pacer
        if listener is None or waker is None:
            return
        client: socket.socket | None = None
        with selectors.DefaultSelector() as sel:
            sel.register(listener, selectors.EVENT_READ, "accept")
            sel.register(waker.fileno(), selectors.EVENT_READ, "wake")
            try:
                while not stop.is_set():
                    for key, _ in sel.select(_POLL_SECONDS):
                        if key.data == "wake":
                            waker.drain()
                            pending = self.sim.take_output()
                            if client is not None:
                                _send(client, pending)
                        elif key.data == "accept":
                            try:
                                client, _ = listener.accept()
                            except OSError:
                                continue
                            client.setblocking(False)
                            sel.unregister(listener)
                            sel.register(client, selectors.EVENT_READ, "client")
                        elif client is not None:
                            try:
                                data = client.recv(pacer.chunk)
                            except BlockingIOError:
                                continue
                            except OSError:
                                data = b""
                            if not data:  # the client hung up: wait for the next one
                                sel.unregister(client)
                                self._drop_client(client, abort=False)
                                client = None
                                sel.register(listener, selectors.EVENT_READ, "accept")
                                continue
                            if not pacer.wait(len(data), stop):
                                continue
                            answer = self.sim.feed(data)
                            if answer:
                                _send(client, answer)
            finally:
                if client is not None:
                    self._drop_client(client, abort=self._aborting)
