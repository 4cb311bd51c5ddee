"""A simulated standalone cash drawer, reached over RFC 2217 on a loopback TCP socket.

A pseudo-terminal has no modem-status lines, so the drawer's switch could not be seen through
one.  RFC 2217 (Telnet COM-port control) carries them: the simulator serves pyserial's server
side (``serial.rfc2217.PortManager``) on ``127.0.0.1``, and the driver under test opens
:attr:`SerialDrawerSim.url` (``rfc2217://127.0.0.1:PORT``) with the very code it runs in
production.

``PortManager`` drives a serial-port-like object; here that is :class:`_DrawerLine`, an
in-memory port whose writes reach the drawer's solenoid and whose ``cts``/``dsr``/``cd``
inputs show the drawer's switch.  Each connection gets a thread that feeds socket bytes through
``PortManager.filter`` into that port, calls ``check_modem_lines`` every 20 ms (which sends a
NOTIFY-MODEMSTATE when the switch moved) and escapes whatever the port has to send (a drawer
sends nothing, but the pump is complete).

The drawer opens when it receives its open byte and closes ``close_after`` seconds later (None:
only when :meth:`SerialDrawerSim.close_drawer` is called, as a person pushing it shut).  Fault
switch: :meth:`~SerialDrawerSim.unplug` drops every connection and refuses new ones until
:meth:`~SerialDrawerSim.plug`, which listens on the same port again (``loop.py``).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time

import serial
import serial.rfc2217

from cashier_desk.config.device_urls import SENSE_LINES
from cashier_desk.devices.sim.loop import SimLoop, listen

log = logging.getLogger(__name__)

_TICK_MS = 20
_JOIN_SECONDS = 2

_Client = tuple[socket.socket, threading.Event, threading.Thread]


class _DrawerLine:
    """The serial port that ``PortManager`` drives: the drawer's end of the cable."""

    def __init__(self, drawer: SerialDrawerSim) -> None:
        self._drawer = drawer
        # Settings the client may set and read back through RFC 2217.
        self.baudrate = 9600
        self.bytesize = serial.EIGHTBITS
        self.parity = serial.PARITY_NONE
        self.stopbits = serial.STOPBITS_ONE
        self.xonxoff = False
        self.rtscts = False
        self.break_condition = False
        self.dtr = False
        self.rts = False

    # data: bytes from the workstation reach the solenoid; the drawer never answers
    def write(self, data: bytes) -> int:
        self._drawer._receive(data)
        return len(data)

    def read(self, size: int = 1) -> bytes:
        return b""

    @property
    def in_waiting(self) -> int:
        return 0

    def reset_input_buffer(self) -> None:
        pass

    def reset_output_buffer(self) -> None:
        pass

    # modem-status inputs: the drawer switch is wired to one of them
    def _line(self, name: str) -> bool:
        return name == self._drawer.sense and self._drawer._sense_level()

    @property
    def cts(self) -> bool:
        return self._line("cts")

    @property
    def dsr(self) -> bool:
        return self._line("dsr")

    @property
    def cd(self) -> bool:
        return self._line("cd")

    @property
    def ri(self) -> bool:
        return False


class _Connection:
    """What ``PortManager`` writes to: a socket, made thread-safe and quiet on failure."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.broken = False
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            if self.broken:
                return
            try:
                self.sock.sendall(data)
            except OSError:
                self.broken = True


class SerialDrawerSim(SimLoop):
    """A standalone drawer behind an RFC 2217 server on loopback; see the module docstring."""

    thread_name = "drawer sim accept"

    def __init__(
        self,
        *,
        open_byte: int = 0x07,
        sense: str = "dsr",
        open_means_high: bool = True,
        close_after: float | None = 2,
    ) -> None:
        if sense not in SENSE_LINES:
            raise ValueError(f"sense must be one of {', '.join(SENSE_LINES)}, not {sense!r}")
        super().__init__()
        self.open_byte = open_byte
        self.sense = sense
        self.open_means_high = open_means_high
        self.close_after = close_after
        self.pulses = 0  # how many times the open byte arrived
        self.received = bytearray()  # every data byte the drawer received
        self._line = _DrawerLine(self)
        self._state_lock = threading.Lock()
        self._opened_at: float | None = None
        self._port = 0
        self._listener: socket.socket | None = None
        self._clients_lock = threading.Lock()
        self._clients: list[_Client] = []

    # -- the drawer ---------------------------------------------------------------------------

    @property
    def drawer_open(self) -> bool:
        with self._state_lock:
            if (
                self._opened_at is not None
                and self.close_after is not None
                and time.monotonic() - self._opened_at >= self.close_after
            ):
                self._opened_at = None
            return self._opened_at is not None

    def open_drawer(self) -> None:
        """Open the drawer by hand (a key, or the solenoid)."""
        with self._state_lock:
            if self._opened_at is None:
                self._opened_at = time.monotonic()

    def close_drawer(self) -> None:
        """Push the drawer shut."""
        with self._state_lock:
            self._opened_at = None

    def _receive(self, data: bytes) -> None:
        self.received.extend(data)
        for byte in data:
            if byte == self.open_byte:
                self.pulses += 1
                self.open_drawer()

    def _sense_level(self) -> bool:
        return self.drawer_open == self.open_means_high

    # -- the server ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if not self._port:
            raise RuntimeError("the drawer simulator is not started")
        return f"rfc2217://127.0.0.1:{self._port}"

    def _where(self) -> str:
        return self.url

    def _open(self) -> None:
        listener = listen("127.0.0.1", self._port)
        listener.settimeout(_TICK_MS / 1000)
        self._port = listener.getsockname()[1]
        self._listener = listener

    def _close(self, abort: bool) -> None:
        """Close the listener and every connection (the acceptor has stopped)."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._clients_lock:
            clients, self._clients = self._clients, []
        for sock, stop, _ in clients:
            stop.set()
            with contextlib.suppress(OSError):  # already closed by its thread
                sock.shutdown(socket.SHUT_RDWR)
        for _, _, thread in clients:
            if thread is not threading.current_thread():
                thread.join(_JOIN_SECONDS)

    def _serve(self, stop: threading.Event) -> None:
        """Accept connections, each served on its own thread."""
        listener = self._listener
        while listener is not None and not stop.is_set():
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(_TICK_MS / 1000)
            client_stop = threading.Event()
            thread = threading.Thread(
                target=self._serve_line,
                args=(sock, client_stop),
                name="drawer sim line",
                daemon=True,
            )
            with self._clients_lock:
                if stop.is_set():
                    sock.close()
                    return
                self._clients.append((sock, client_stop, thread))
            thread.start()

    def _serve_line(self, sock: socket.socket, stop: threading.Event) -> None:
        connection = _Connection(sock)
        try:
            manager = serial.rfc2217.PortManager(self._line, connection)
            while not stop.is_set() and not connection.broken:
                try:
                    data = sock.recv(1024)
                except TimeoutError:
                    data = None
                except OSError:
                    break
                if data == b"":
                    break  # the workstation hung up
                if data:
                    payload = b"".join(manager.filter(data))
                    if payload:
                        self._line.write(payload)
                manager.check_modem_lines()
                waiting = self._line.in_waiting
                if waiting:
                    connection.write(b"".join(manager.escape(self._line.read(waiting))))
        except Exception:
            log.exception("drawer simulator: a connection failed")
        finally:
            sock.close()
            with self._clients_lock:
                self._clients = [c for c in self._clients if c[0] is not sock]
