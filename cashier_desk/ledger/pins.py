"""PIN hashes that resist offline guessing: argon2id over the PIN keyed with the city's pepper.

A four- to six-digit PIN has at most a million values, so its argon2 hash alone would fall to a
guessing run in hours.  The pepper is a random key kept *outside* the database — a file,
``<data-dir>/pepper.key`` or ``[security] pepper_file``, readable only by the account that runs
the counter — and the PIN enters argon2 as ``HMAC-SHA256(pepper, PIN)``: a copy of
``ledger.db`` or of central (which carry hashes only) is useless without the file.

A peppered hash is stored as ``$pepper1$<key id>$argon2id$...``: the key id (16 base32
letters of an HMAC of a fixed label under the pepper, which tell nothing of the pepper) names the
pepper it was made with, so a workstation holding another city key says so (``pepper_mismatch``)
instead of counting everyone's right PIN as wrong.  A hash without the prefix is a plain argon2
hash made before the pepper (it still verifies, and is made again with the pepper at the next
right PIN: :meth:`PinHasher.needs_rehash`).

The pepper file is made once, when the first PIN of a data dir is hashed and no peppered hash
exists yet (``may_create``); where peppered hashes exist and the file is missing, every PIN
check and PIN change is refused (``pepper_missing``) — a new pepper would lock everyone out.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import secrets
import stat
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cashier_desk.config import Config, ConfigError
from cashier_desk.errors import Refusal

PEPPER_FILE = "pepper.key"
#: Overrides ``[security] argon2_time_cost``/``argon2_memory_kib`` as "TIME,MEMORY_KIB" (tests).
COST_ENV = "CASHIER_DESK_ARGON2_COST"
PREFIX = "$pepper1$"
_KEY_BYTES = 32
_ID_LABEL = b"cashier_desk pepper id"


def key_id(key: bytes) -> str:
    # base32, not hex: no run of digits that a card-number scan could take for one
    digest = hmac.new(key, _ID_LABEL, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:16].lower()


def is_peppered(stored: str) -> bool:
    return stored.startswith(PREFIX)


class Pepper:
    """The city's pepper file: read once (and checked), made only when asked to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: bytes | None = None
        self._lock = threading.Lock()

    def key(self, *, may_create: bool = False) -> bytes | None:
        """The key; None when there is no file and ``may_create`` is false."""
        with self._lock:
            if self._key is None:
                self._key = self._read()
            if self._key is None and may_create:
                self._key = self._create()
            return self._key

    def missing(self) -> Refusal:
        return Refusal(
            "pepper_missing",
            f"There is no PIN pepper file {self.path}, and this ledger holds PINs made with "
            "one: no PIN can be checked or set without it. Copy the city's pepper file there "
            "(readable only by the counter's account: chmod 600), or name it in config.toml "
            "([security] pepper_file). A new one would lock everyone out.",
        )

    def _read(self) -> bytes | None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise Refusal(
                "pepper_unsafe", f"The PIN pepper file {self.path} cannot be read: {exc.strerror}"
            ) from None
        with os.fdopen(fd, "rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            text = fh.read(4 * _KEY_BYTES)
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise Refusal(
                "pepper_unsafe",
                f"The PIN pepper file {self.path} may be read by other accounts (mode "
                f"{stat.S_IMODE(mode):04o}); it must be readable only by the counter's account: "
                f"chmod 600 {self.path}",
            )
        try:
            key = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != _KEY_BYTES:
            raise Refusal(
                "pepper_unsafe",
                f"The PIN pepper file {self.path} is not a pepper ({_KEY_BYTES} bytes in base64).",
            )
        return key

    def _create(self) -> bytes:
        """A new random key, written whole (mode 0600) before it takes the file's name, so
        two processes making one at once both end up with the same (the first) key."""
        key = secrets.token_bytes(_KEY_BYTES)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(base64.b64encode(key) + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                existing = self._read()
                if existing is None:  # pragma: no cover - made and removed in between
                    raise
                return existing
        finally:
            tmp.unlink(missing_ok=True)
        if os.name == "posix":
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        return key


def costs(config: Config) -> tuple[int, int]:
    """argon2's passes and memory (KiB): ``[security]``, or ``CASHIER_DESK_ARGON2_COST``."""
    given = os.environ.get(COST_ENV)
    if given:
        try:
            time_cost, memory_kib = (int(part) for part in given.split(","))
        except ValueError:
            raise ConfigError(f"{COST_ENV} must be TIME,MEMORY_KIB like 2,65536") from None
        if time_cost >= 1 and memory_kib >= 8:
            return time_cost, memory_kib
        raise ConfigError(f"{COST_ENV}: at least 1 pass and 8 KiB")
    return config.argon2_time_cost, config.argon2_memory_kib


@functools.cache
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    """A hash to check an unknown user's PIN against (so that takes as long as a real login)."""
    return _hasher(time_cost, memory_kib).hash(secrets.token_bytes(32))


@functools.cache
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


class PinHasher:
    """Hashes and checks PINs with the pepper and the configured argon2 cost."""

    def __init__(self, pepper: Pepper, time_cost: int, memory_kib: int) -> None:
        self.pepper = pepper
        self.cost = (time_cost, memory_kib)
        self._argon2 = _hasher(time_cost, memory_kib)

    @classmethod
    def for_data_dir(cls, data_dir: Path, config: Config) -> PinHasher:
        path = Path(config.pepper_file) if config.pepper_file else Path(PEPPER_FILE)
        return cls(Pepper(data_dir / path), *costs(config))

    def warm_up(self) -> None:
        """Make the unknown-user hash in the background as the program starts, so start-up
        does not wait for it and the first unknown login takes no longer than any other."""
        threading.Thread(
            target=_dummy_hash, args=self.cost, name="argon2 warm-up", daemon=True
        ).start()

    def hash(self, pin: str, *, may_create: bool) -> str:
        """The stored form of a new PIN (slow on purpose: never inside a write transaction).
        ``may_create``: no peppered hash exists yet, so a missing pepper file may be made."""
        key = self.pepper.key(may_create=may_create)
        if key is None:
            raise self.pepper.missing()
        return f"{PREFIX}{key_id(key)}{self._argon2.hash(_keyed(key, pin))}"

    def hash_all(self, pins: Iterable[str], *, may_create: bool) -> list[str]:
        """Many PINs (an import): on every core but one, so the counter keeps one."""
        pins = list(pins)
        if not pins:
            return []
        first = self.hash(pins[0], may_create=may_create)  # makes or checks the pepper, once
        workers = max(1, min(8, (os.cpu_count() or 2) - 1))
        with ThreadPoolExecutor(workers, thread_name_prefix="argon2") as pool:
            return [first, *pool.map(lambda pin: self.hash(pin, may_create=False), pins[1:])]

    def check(self, stored: str, pin: str) -> bool:
        """Whether ``pin`` is the one ``stored`` was made from.  Refused (not a wrong PIN)
        when the pepper it needs is missing or is another one."""
        if not is_peppered(stored):
            return self._verify(stored, pin.encode("utf-8"))
        key = self.pepper.key()
        if key is None:
            raise self.pepper.missing()
        made_with, _, encoded = stored[len(PREFIX) :].partition("$")
        if made_with != key_id(key):
            raise Refusal(
                "pepper_mismatch",
                f"This PIN was set with another PIN pepper than {self.pepper.path}: copy the "
                "city's pepper file to this workstation (the one the users were imported with).",
            )
        return self._verify("$" + encoded, _keyed(key, pin))

    def check_unknown(self, pin: str) -> None:
        """The same cost as :meth:`check`, for a login that does not exist."""
        self._verify(_dummy_hash(*self.cost), pin.encode("utf-8"))

    def needs_rehash(self, stored: str) -> bool:
        """Made without the pepper, or with another argon2 cost than the configured one."""
        if not is_peppered(stored):
            return True
        encoded = "$" + stored[len(PREFIX) :].partition("$")[2]
        try:
            return self._argon2.check_needs_rehash(encoded)
        except (InvalidHashError, ValueError):
            return True

    def _verify(self, encoded: str, secret: bytes) -> bool:
        try:
            return self._argon2.verify(encoded, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def _keyed(key: bytes, pin: str) -> bytes:
    return hmac.new(key, pin.encode("utf-8"), hashlib.sha256).digest()
