"""One PIN check at the configured argon2 cost, and what it leaves an offline guesser.

The figure is ``PinHasher.check`` of a right PIN at the default ``[security]`` cost (argon2id,
2 passes, 64 MiB, with the pepper), whatever ``CASHIER_DESK_ARGON2_COST`` says (the tests
lower it); the limit is argon2-cffi's own ``verify`` of the same hash and the same input
(HMAC-SHA256 of the pepper and the PIN): the machine's cost of the same argon2 work.  The
second figure is the guesses a second one core gets against a stolen ``ledger.db`` *and* its
pepper file (without the file, none can be checked at all), beside the guesses a second
against the hash made before the pepper (2 passes, 19 MiB).
"""

from __future__ import annotations

import hashlib
import hmac
import statistics
import time
from collections.abc import Callable

from argon2 import PasswordHasher

from benchmarks.common import Context, Figure
from cashier_desk.config import Config
from cashier_desk.ledger.pins import PREFIX, Pepper, PinHasher

PIN = "482193"


def _ms(call: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    call()
    return (time.perf_counter() - t0) * 1000


def run(ctx: Context) -> list[Figure]:
    config = Config()
    pins = PinHasher(
        Pepper(ctx.work_dir / "pins" / "pepper.key"),
        config.argon2_time_cost,
        config.argon2_memory_kib,
    )
    stored = pins.hash(PIN, may_create=True)
    key = pins.pepper.key()
    assert key is not None
    encoded = "$" + stored.removeprefix(PREFIX).partition("$")[2]
    keyed = hmac.new(key, PIN.encode(), hashlib.sha256).digest()
    argon2 = PasswordHasher(config.argon2_time_cost, config.argon2_memory_kib, parallelism=1)
    old = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
    old_hash = old.hash(PIN)
    times = max(5, min(21, ctx.size.sales // 20))
    check_ms: list[float] = []
    raw_ms: list[float] = []
    old_ms: list[float] = []
    with ctx.profiled("pins"):
        for _ in range(times):  # interleaved, one for one
            check_ms.append(_ms(lambda: pins.check(stored, PIN)))
            raw_ms.append(_ms(lambda: argon2.verify(encoded, keyed)))
            old_ms.append(_ms(lambda: old.verify(old_hash, PIN)))
    check, raw, before = (statistics.median(x) for x in (check_ms, raw_ms, old_ms))
    cost = f"argon2id t={config.argon2_time_cost}, {config.argon2_memory_kib // 1024} MiB"
    return [
        Figure(
            "pins.check_ms",
            f"One PIN check ({cost}, peppered)",
            check,
            "ms",
            raw,
            "argon2-cffi verify, same hash and input",
            "value<=250",
            f"median of {times}; about 100 ms is the aim (a login waits that long, a guesser "
            "with the pepper gets 10 a second a core)",
            {"check_ms": check_ms, "raw_ms": raw_ms},
        ),
        Figure(
            "pins.guesses_per_s",
            "Offline guesses a second a core (ledger.db and the pepper file)",
            1000 / check,
            "/s",
            1000 / before,
            "against the hash before the pepper (t=2, 19 MiB)",
            "value<=20",
            "without the pepper file no guess can be checked (a 256-bit key); a million "
            f"6-digit PINs take {1_000_000 * check / 1000 / 3600:.0f} core-hours with it",
            {"old_ms": old_ms},
        ),
    ]
