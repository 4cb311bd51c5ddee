"""What every benchmark shares: sizes, figures and targets, timing, the machine, fresh ledgers.

A :class:`Figure` is one measured value beside the limit of this machine measured in the same
run (``limit``) and their ratio; its target is either on the ratio or on the value itself.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cashier_desk.app import App, open_app
from tests.doubles import CountingDrawer, MemoryPrinter

WORKSTATION = "W1"


# -- sizes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    name: str
    sales: int  # sales timed one by one (and as many raw transactions)
    open_items: int  # open items in the ledger the lookups search
    lookups: int  # queries of each kind (fewer if a kind exhausts its time budget)
    lookup_budget_s: float  # seconds one kind of lookup may take in all
    day_receipts: int  # receipts of the busy day that is closed out
    sync_batches: int  # copies of the busy day's batch sent to central (receipts × batches)
    bauds: tuple[int, ...]
    prints: int  # receipts printed at each baud rate
    cold_starts: int  # timed cold starts (after one untimed warm-up when > 1)


SIZES = {
    "tiny": Size("tiny", 30, 1_000, 30, 5.0, 200, 10, (115_200,), 1, 1),
    "small": Size("small", 300, 100_000, 100, 15.0, 2_000, 10, (9_600, 115_200), 3, 3),
    "full": Size("full", 2_000, 1_000_000, 300, 30.0, 10_000, 10, (9_600, 115_200), 5, 5),
}


# -- figures ------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One measured figure beside this machine's limit for the same work."""

    key: str
    title: str
    value: float | None  # None: not measured (skipped)
    unit: str
    limit: float | None = None
    limit_how: str = ""
    target: str = ""  # e.g. "ratio<=5", "value<=20", "ratio>=0.3"
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.limit:
            return None
        return self.value / self.limit

    @property
    def met(self) -> bool | None:
        if self.value is None or not self.target:
            return None
        what, op, bound = _parse_target(self.target)
        x = self.ratio if what == "ratio" else self.value
        if x is None:
            return None
        return x <= bound if op == "<=" else x >= bound

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratio"] = self.ratio
        out["met"] = self.met
        return out


def _parse_target(target: str) -> tuple[str, str, float]:
    for op in ("<=", ">="):
        if op in target:
            what, bound = target.split(op)
            return what.strip(), op, float(bound)
    raise ValueError(f"a target is like 'ratio<=5' or 'value<=20', not {target!r}")


def target_text(fig: Figure) -> str:
    if not fig.target:
        return "—"
    what, op, bound = _parse_target(fig.target)
    sign = "≤" if op == "<=" else "≥"
    if what == "ratio":
        return f"{sign} {bound:g}×"
    return f"{sign} {_num(bound)} {fig.unit}"


def _num(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def format_table(figures: Sequence[Figure]) -> str:
    rows = [("Figure", "Measured", "Machine limit (same run)", "Ratio", "Target", "Met")]
    for f in figures:
        measured = "skipped" if f.value is None else f"{_num(f.value)} {f.unit}"
        limit = "—" if f.limit is None else f"{_num(f.limit)} {f.unit} ({f.limit_how})"
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}×"
        met = {True: "yes", False: "NO", None: "—"}[f.met]
        rows.append((f.title, measured, limit, ratio, target_text(f), met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {f.title}: {f.note}" for f in figures if f.note]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)


# -- timing -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(seconds: Sequence[float]) -> dict[str, float]:
    """Median, p99, mean and max of a sample of durations, in milliseconds."""
    return {
        "n": len(seconds),
        "p50_ms": statistics.median(seconds) * 1000,
        "p99_ms": percentile(seconds, 99) * 1000,
        "mean_ms": statistics.fmean(seconds) * 1000,
        "max_ms": max(seconds) * 1000,
    }


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


class BenchClock:
    """A fixed business day (noon UTC, the same date in nearly every zone) that runs on in
    real time, so that receipts, sessions and the closeout all fall on one date."""

    def __init__(self, start: datetime | None = None) -> None:
        self.start = start or datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
        self._t0 = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._t0)


# -- the machine --------------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _disk_of(path: Path) -> dict[str, Any]:
    """The filesystem and block device that hold ``path`` (Linux), and its free space."""
    target = path.resolve()
    best: tuple[str, str, str] | None = None
    for line in _read("/proc/mounts").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        dev, mount, fstype = parts[0], parts[1], parts[2]
        if (target == Path(mount) or Path(mount) in target.parents) and (
            best is None or len(mount) > len(best[1])
        ):
            best = (dev, mount, fstype)
    info: dict[str, Any] = {}
    if best is not None:
        dev, mount, fstype = best
        info.update(device=dev, mount=mount, fstype=fstype)
        name = Path(dev).name
        base = name.rstrip("0123456789") if not name.startswith("nvme") else name.split("p")[0]
        rot = _read(f"/sys/block/{base}/queue/rotational").strip()
        if rot:
            info["rotational"] = rot == "1"
        model = _read(f"/sys/block/{base}/device/model").strip()
        if model:
            info["model"] = model
    st = os.statvfs(target)
    info["size_gb"] = round(st.f_blocks * st.f_frsize / 1e9, 1)
    info["free_gb"] = round(st.f_bavail * st.f_frsize / 1e9, 1)
    return info


def machine_info(work_dir: Path) -> dict[str, Any]:
    cpu = ""
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 0
    return {
        "nproc": cpus,
        "cpu": cpu or platform.processor() or platform.machine(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "disk": _disk_of(work_dir),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def describe_machine(m: dict[str, Any]) -> str:
    d = m["disk"]
    disk = d.get("device", "?")
    if "fstype" in d:
        disk += f" ({d['fstype']}"
        if "rotational" in d:
            disk += ", rotational" if d["rotational"] else ", non-rotational"
        disk += ")"
    return (
        f"{m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GiB RAM, disk {disk}, "
        f"{m['os']}, Python {m['python']}, SQLite {m['sqlite']}"
    )


# -- fresh ledgers ------------------------------------------------------------------------------


def bench_app(data_dir: Path, clock: Callable[[], datetime] | None = None) -> App:
    """The app on ``data_dir`` with an in-memory printer and a counting drawer (no devices)."""
    return open_app(
        data_dir,
        WORKSTATION,
        clock=clock or BenchClock(),
        printer=MemoryPrinter(),
        cash_drawer=CountingDrawer(),
    )


def make_template(path: Path) -> Path:
    """A migrated data folder with the demo city's reference data."""
    from cashier_desk import demo

    app = bench_app(path)
    try:
        demo.load_reference_data(app.desk)
    finally:
        app.close()
    return path


# Synthetic open items: deterministic by index, so a benchmark can find row i again.
_FIRST = (
    "Ada", "Alma", "Amir", "Ana", "Ben", "Bea", "Cal", "Cora", "Dan", "Dina", "Eli", "Esme",
    "Finn", "Faye", "Gus", "Gia", "Hal", "Hana", "Ian", "Iris", "Jo", "Jude", "Kai", "Kira",
    "Leo", "Lena", "Max", "Mila", "Ned", "Nora", "Otto", "Opal", "Paz", "Pia", "Quinn", "Rae",
    "Rex", "Rosa", "Sal", "Sana", "Ted", "Tova", "Uma", "Uri", "Val", "Vera", "Wes", "Wren",
    "Xan", "Xia", "Yan", "Yara", "Zed", "Zoe", "Odessa", "Hollis", "Tamsin", "Marisol"
)  # fmt: skip
_LAST = (
    "Abara", "Achebe", "Adler", "Baptiste", "Becker", "Brandt", "Castellanos", "Chen", "Costa",
    "Dubois", "Duarte", "Eklund", "Ferreira", "Fischer", "Garcia", "Gupta", "Haddad", "Hansen",
    "Ibarra", "Ito", "Jansen", "Jovanovic", "Kaur", "Kowalski", "Larsen", "Lindqvist", "Mendez",
    "Moreau", "Nakashima", "Novak", "Okafor", "Olsen", "Petrov", "Quintero", "Rahman", "Rivera",
    "Santangelo", "Schmidt", "Tanaka", "Torres", "Ueda", "Urban", "Vargas", "Virtanen", "Walsh",
    "Weber", "Xu", "Yilmaz", "Zhang", "Ziegler", "Ashgrove", "Whitcombe", "Achterberg", "Raman",
    "Okonkwo", "Lindgren", "Moretti", "Sato", "Haugen", "Kim"
)  # fmt: skip
_STREETS = (
    "Main", "Oak", "Elm", "Maple", "Cedar", "Pine", "Birch", "Walnut", "Redwater", "Meadowlark",
    "Vista", "Lakeview", "Hillcrest", "Sunset", "Highland", "Riverside", "Park", "Church", "Mill",
    "Spring", "Ridge", "Forest", "Willow", "Cherry", "Chestnut", "Franklin", "Jefferson",
    "Madison", "Washington", "Lincoln", "Jackson", "Adams", "Grant", "Harrison"
)  # fmt: skip
_SUFFIXES = ("St", "Ave", "Rd", "Ln", "Dr", "Pl", "Ct", "Way", "Blvd", "Ter")
_PROGRAMS = (
    ("UB", "UTILITY", "UB-WATER"),
    ("UB", "UTILITY", "UB-SEWER"),
    ("UB", "UTILITY", "UB-REFUSE"),
    ("BT", "BUSINESS", "BUS-TAX"),
    ("AR", "RECEIVABLES", "AR-INV"),
)
ITEM_BASE = 2_000_000  # synthetic refs are PFX-2000000 and up: never a demo city ref


@dataclass(frozen=True)
class SynthItem:
    ref: str
    name: str
    address: str
    amount_due_cents: int
    account: str = ""
    plate: str = ""


_M64 = (1 << 64) - 1


def _mix(i: int) -> int:
    """A well-spread 64-bit hash of ``i`` (splitmix64's finaliser): cheap and deterministic."""
    x = (i * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def synth_ref(i: int) -> str:
    return f"{_PROGRAMS[i % len(_PROGRAMS)][0]}-{ITEM_BASE + i:07d}"


def synth_item(i: int) -> tuple[Any, ...]:
    """Row ``i`` of the synthetic open items, in the ledger's column order."""
    h, g = _mix(i), _mix(i + (1 << 40))
    _prefix, program, code = _PROGRAMS[i % len(_PROGRAMS)]
    ref = synth_ref(i)
    name = f"{_FIRST[h % len(_FIRST)]} {_LAST[(h >> 8) % len(_LAST)]}"
    street = _STREETS[(h >> 16) % len(_STREETS)]
    address = f"{(h >> 24) % 9999 + 1} {street} {_SUFFIXES[(h >> 40) % len(_SUFFIXES)]}"
    cents = 1_000 + g % 89_001
    account = f"{10 + (g >> 20) % 90}-{1000 + (g >> 28) % 9000}-{1 + (g >> 44) % 9:02d}"
    due = f"2026-{1 + (g >> 50) % 12:02d}-{1 + (g >> 54) % 28:02d}"
    # A vehicle plate on two items in five (a digit, three letters, three digits).
    plate = ""
    if i % 5 >= 3:
        letters = "".join(chr(65 + (h >> (44 + 5 * k)) % 26) for k in range(3))
        plate = f"{1 + (g >> 8) % 9}{letters}{(g >> 12) % 1000:03d}"
    return (ref, program, account, name, address, cents, due, code, "open", 0, plate)


def synth(i: int) -> SynthItem:
    row = synth_item(i)
    return SynthItem(row[0], row[3], row[4], row[5], row[2], row[10])


def add_open_items(ledger_db: Path, count: int, start: int = 0) -> float:
    """Insert ``count`` synthetic open items straight into a (closed) ledger, with their
    search keys, and build the search index; seconds taken."""
    from cashier_desk.ledger import search

    started = time.perf_counter()
    conn = sqlite3.connect(ledger_db, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")  # a bulk load: durability is not measured here
        conn.execute("BEGIN IMMEDIATE")
        # Dropping the secondary indexes and the search index's triggers, and building them
        # again after the load, gives the same file much faster than growing them row by row
        # in random order.
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='open_items' "
            "AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for sql in search.DROP_SQL:
            conn.execute(sql)
        # Synthetic keys sit in the upper half of their group's ties, above the demo city's.
        rows = (
            (*r, search.key_base(r[0]) + (1 << 19) + (ITEM_BASE + i) % 10_000)
            for i, r in ((i, synth_item(i)) for i in range(start, start + count))
        )
        conn.executemany(
            "INSERT INTO open_items (ref, program, account, name, address, amount_due_cents, "
            "due_date, revenue_code, status, paid_before_line, plate, search_key) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        for _name, sql in indexes:
            conn.execute(sql)
        for sql in search.CREATE_SQL:
            conn.execute(sql)
        conn.execute(search.REBUILD_SQL)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return time.perf_counter() - started


def table_counts(ledger_db: Path) -> dict[str, int]:
    conn = sqlite3.connect(ledger_db)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}
    finally:
        conn.close()


# -- the run's shared state ---------------------------------------------------------------------


@dataclass
class Context:
    size: Size
    work_dir: Path
    postgres: str = "auto"  # auto, require, skip
    profile_dir: Path | None = None
    shared: dict[str, Any] = field(default_factory=dict)
    _template: Path | None = None

    def template(self) -> Path:
        if self._template is None:
            self._template = make_template(self.work_dir / "template")
        return self._template

    def fresh_data_dir(self, name: str) -> Path:
        target = self.work_dir / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(self.template(), target)
        return target

    @contextlib.contextmanager
    def profiled(self, name: str) -> Iterator[None]:
        """Profile the block with pyinstrument when ``--profile DIR`` was given."""
        if self.profile_dir is None:
            yield
            return
        with profiled_into(self.profile_dir, name):
            yield


@contextlib.contextmanager
def profiled_into(profile_dir: Path, name: str) -> Iterator[None]:
    try:
        pyinstrument = importlib.import_module("pyinstrument")
    except ImportError:
        print("benchmarks: --profile needs pyinstrument (pip install pyinstrument)",
              file=sys.stderr)  # fmt: skip
        yield
        return
    profiler = pyinstrument.Profiler(interval=0.0005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        profile_dir.mkdir(parents=True, exist_ok=True)
        (profile_dir / f"{name}.txt").write_text(
            profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8"
        )
        (profile_dir / f"{name}.html").write_text(profiler.output_html(), encoding="utf-8")


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
