"""A small threaded loopback TCP proxy that stands between a workstation and PostgreSQL, so a
test can cut the connection at the worst moments.

- ``down()`` stops listening (new connections are refused) and closes the open ones; ``up()``
  listens again on the same port.
- ``cut_before(pattern)`` drops the next client connection whose client→server stream contains
  ``pattern`` BEFORE that data reaches the server (``b"COMMIT"``: the transaction never commits).
- ``cut_after_reply_to(pattern)`` forwards the client's message containing ``pattern`` to the
  server, then closes the client connection instead of forwarding the server's next reply
  (``b"COMMIT"``: central committed, the workstation never heard).

Each cut is armed once (or ``times`` times) and disarms itself when it fires.  Every loop is
bounded by a short select timeout and a stop flag, and ``stop()`` joins every thread.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from types import TracebackType

_CHUNK = 65536
_TICK = 0.1


class _Pipe:
    """One client connection and its upstream connection, pumped by one thread."""

    def __init__(self, proxy: TcpProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server = server
        self.closed = threading.Event()
        self.drop_next_reply = False
        self.thread = threading.Thread(target=self._run, name="tcp-proxy-pipe", daemon=True)

    def close(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _run(self) -> None:
        tail = b""
        try:
            while not self.closed.is_set() and not self.proxy.stopping.is_set():
                ready, _, _ = select.select([self.client, self.server], [], [], _TICK)
                for sock in ready:
                    data = sock.recv(_CHUNK)
                    if not data:
                        return
                    if sock is self.client:
                        seen = tail + data
                        if self.proxy._fire("before", seen):
                            return
                        if self.proxy._fire("after", seen):
                            self.drop_next_reply = True
                        keep = self.proxy.longest_pattern - 1
                        tail = seen[-keep:] if keep > 0 else b""
                        self.server.sendall(data)
                    else:
                        if self.drop_next_reply:
                            self.proxy.cuts_done += 1
                            return
                        self.client.sendall(data)
        except OSError:
            return
        finally:
            self.close()
            self.proxy._forget(self)


class TcpProxy:
    """Listen on 127.0.0.1:<free port> and forward each connection to ``target``."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self.host = "127.0.0.1"
        self.port = 0
        self.stopping = threading.Event()
        self.longest_pattern = 64
        self.connections = 0  # client connections accepted and forwarded
        self.cuts_done = 0
        self._lock = threading.Lock()
        self._armed: dict[str, tuple[bytes, int]] = {}
        self._pipes: set[_Pipe] = set()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None

    # -- life ----------------------------------------------------------------------------------

    def start(self) -> TcpProxy:
        self.up()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.down()
        self.stopping.clear()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, database: str, user: str = "postgres") -> str:
        """A SQLAlchemy URL through the proxy (no TLS, so the patterns are visible)."""
        return (
            f"postgresql+psycopg://{user}@{self.host}:{self.port}/{database}"
            "?sslmode=disable&gssencmode=disable"
        )

    # -- switches ------------------------------------------------------------------------------

    def up(self) -> None:
        """Listen (again, on the same port once it has one)."""
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(16)
        listener.settimeout(_TICK)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._acceptor = threading.Thread(
            target=self._accept, args=(listener,), name="tcp-proxy-accept", daemon=True
        )
        self._acceptor.start()

    def down(self) -> None:
        """Refuse new connections and close every open one."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
            self._acceptor = None
        with self._lock:
            pipes = list(self._pipes)
        for pipe in pipes:
            pipe.close()
        for pipe in pipes:
            pipe.thread.join(timeout=5)

    @property
    def is_up(self) -> bool:
        return self._listener is not None

    def cut_before(self, pattern: bytes, times: int = 1) -> None:
        self._arm("before", pattern, times)

    def cut_after_reply_to(self, pattern: bytes, times: int = 1) -> None:
        self._arm("after", pattern, times)

    def disarm(self) -> None:
        with self._lock:
            self._armed.clear()

    @property
    def armed(self) -> bool:
        with self._lock:
            return bool(self._armed)

    # -- inside --------------------------------------------------------------------------------

    def _arm(self, kind: str, pattern: bytes, times: int) -> None:
        if not pattern or times < 1:
            raise ValueError("a cut needs a pattern and a positive count")
        with self._lock:
            self._armed[kind] = (pattern, times)
            self.longest_pattern = max(len(p) for p, _ in self._armed.values())

    def _fire(self, kind: str, seen: bytes) -> bool:
        """Whether an armed cut of this kind matches; counts it down when it does."""
        with self._lock:
            armed = self._armed.get(kind)
            if armed is None or armed[0] not in seen:
                return False
            pattern, times = armed
            if times <= 1:
                del self._armed[kind]
            else:
                self._armed[kind] = (pattern, times - 1)
        if kind == "before":
            self.cuts_done += 1
        return True

    def _forget(self, pipe: _Pipe) -> None:
        with self._lock:
            self._pipes.discard(pipe)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener and not self.stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            server.settimeout(None)
            pipe = _Pipe(self, client, server)
            with self._lock:
                if self._listener is not listener:
                    pipe.close()
                    return
                self._pipes.add(pipe)
                self.connections += 1
            pipe.thread.start()
