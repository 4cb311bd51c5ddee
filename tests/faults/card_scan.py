"""Where a card number could be kept, looked for as a person would read it: the card texts
the card-data tests feed (every writing: spaces, dashes, dots, underscores, no-break and thin
spaces, fullwidth and Arabic-Indic digits), and scans of files, SQLite databases, log files,
PDFs (their compressed content streams) and a PostgreSQL dump, each written here again so
that the scans do not share the app's code."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import sqlite3
import unicodedata
import zlib
from pathlib import Path
from typing import Any

PANS = [
    "4111111111111111",  # Visa
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "5500005555555559",  # Mastercard
    "378282246310005",  # Amex, 15 digits
    "6011111111111117",  # Discover
    "4222222222222",  # Visa, 13 digits
    "6304000000000000",  # Maestro
    "4000000000000000006",  # 19 digits
    "6011.0009.9013.9424",  # Discover, dots
    "3782 - 822463 - 10005",  # Amex, spaced dashes
    # Written as no ASCII filter would see them: no-break spaces, fullwidth digits,
    # underscores, Arabic-Indic digits, thin spaces.
    "4111\u00a01111\u00a01111\u00a01111",
    "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
    "5500_0055_5555_5559",
    "\u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661",
    "6011\u20091111\u20091111\u20091117",
]
TRACKS = [
    "%B4111111111111111^DOE/JOHN^2512101000000000000000000000000?",
    ";4111111111111111=25121010000000000000?",
    "%B5500005555555559^SMITH/ANN B^27011010000000000?;5500005555555559=2701101000000?",
]
CARD_TEXTS = PANS + TRACKS
CVVS = ["123", "1234", "CVV 123", "cvc: 987"]


def luhn_ok(number: str) -> bool:
    """The Luhn check, written here again so that the scan does not share the app's code."""
    total = 0
    for i, d in enumerate(int(c) for c in reversed(number)):
        total += d if i % 2 == 0 else (d * 2 if d < 5 else d * 2 - 9)
    return total % 10 == 0


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def _ascii_digit(m: re.Match[str]) -> str:
    c = m.group()
    return str(unicodedata.decimal(c)) if c.isdecimal() else c


def as_read(text: str) -> str:
    """Text as a person reads it: compatibility forms folded (NFKC) and digits of every
    script written 0-9 (independent of the app's own filter)."""
    return _NOT_ASCII.sub(_ascii_digit, unicodedata.normalize("NFKC", text))


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", as_read(text))


def mask(pan: str) -> str:
    return "*" * (len(pan) - 4) + pan[-4:]


def masked(card_text: str) -> str:
    """What an import keeps of a card text: its last four, after four stars."""
    return "****" + digits(card_text)[-4:]


# -- the scan --------------------------------------------------------------------------------

_RUN = re.compile(r"[0-9](?:[ _-]?[0-9]){12,}", re.ASCII)
_HEX = re.compile(rb"[0-9a-fA-F]{32,}")  # SHA-256 chain hashes are not card numbers


def card_numbers_in(data: bytes) -> list[str]:
    """Every 13–19 digit run (spaces, underscores or dashes allowed) holding a Luhn-valid
    number, masked; read as a person would (fullwidth or other-script digits count)."""
    found: list[str] = []
    text = as_read(_HEX.sub(b"#", data).decode("utf-8", errors="replace"))
    for m in _RUN.finditer(text):
        run = digits(m.group())
        hit = next(
            (
                run[s : s + n]
                for n in range(13, 20)
                for s in range(len(run) - n + 1)
                if luhn_ok(run[s : s + n])
            ),
            None,
        )
        if hit is not None:
            found.append(mask(hit))
    return found


FED = {digits(t) for t in CARD_TEXTS}
# Digits (of any script, once read) with up to three other characters between any two.
_SEPARATED = re.compile(r"[0-9](?:[^0-9A-Za-z]{0,3}[0-9])+", re.ASCII)


def fed_numbers_in(data: bytes) -> list[str]:
    """The card numbers the tests fed, in any writing: each card text as it was written (its
    UTF-8 bytes), and in any run of digits of any script with up to three other characters
    between any two (spaces, dots, no-break spaces, ...), read as a person would."""
    found = {mask(digits(t)) for t in CARD_TEXTS if t.encode() in data}
    for m in _SEPARATED.finditer(as_read(data.decode("utf-8", errors="replace"))):
        run = re.sub(r"[^0-9]", "", m.group())
        found |= {mask(pan) for pan in FED if pan in run}
    return sorted(found)


def scan_files(paths: list[Path]) -> dict[str, list[str]]:
    """The card numbers this test fed, wherever they are in these files (raw bytes: SQLite
    pages, the WAL, the log)."""
    hits: dict[str, list[str]] = {}
    for path in paths:
        if path.exists():
            found = fed_numbers_in(path.read_bytes())
            if found:
                hits[path.name] = sorted(set(found))
    return hits


HASH_COLUMNS = {"hash", "prev_hash", "sha256", "pin_hash"}


def without_hashes(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: without_hashes(v) for k, v in obj.items() if k not in HASH_COLUMNS}
    if isinstance(obj, list):
        return [without_hashes(v) for v in obj]
    return obj


def payloads(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT payload FROM batches")]
    finally:
        conn.close()


def scan_database(db: Path) -> dict[str, list[str]]:
    """Any full card number in any text value of any table (hash columns aside).  Values are
    scanned one by one: in the raw file, adjacent columns run together (a date followed by a
    timestamp reads as one long run of digits)."""
    hits: dict[str, list[str]] = {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            for row in cursor:
                for name, value in zip(names, row, strict=True):
                    if name in HASH_COLUMNS or not isinstance(value, str):
                        continue
                    if value.startswith(("{", "[")):
                        with contextlib.suppress(json.JSONDecodeError):
                            value = json.dumps(without_hashes(json.loads(value)))
                    found = card_numbers_in(value.encode()) + fed_numbers_in(value.encode())
                    if found:
                        hits.setdefault(f"{table}.{name}", []).extend(found)
    finally:
        conn.close()
    return hits


def pdf_text(data: bytes) -> bytes:
    """A PDF with its content streams uncompressed (ASCII85 and Flate, as reportlab writes
    them), so that the text drawn on its pages can be searched."""
    parts = [data]
    for m in re.finditer(rb"\bstream\r?\n(.*?)endstream", data, re.DOTALL):
        body = m.group(1).strip()
        with contextlib.suppress(ValueError, zlib.error):
            body = base64.a85decode(body, adobe=True) if body.endswith(b"~>") else body
        with contextlib.suppress(zlib.error):
            body = zlib.decompress(body)
        parts.append(body)
    return b"\n".join(parts)


def scan_tree(root: Path) -> dict[str, list[str]]:
    """The fed card numbers in every file under ``root`` (SQLite files, WAL, the mark, the
    log, exports, PDFs with their streams uncompressed), by path."""
    hits: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".pdf":
                data = pdf_text(data)
            found = fed_numbers_in(data)
            if found:
                hits[str(path.relative_to(root))] = found
    return hits


def pg_dump(dbname: str) -> str:
    """Every row of every table of a PostgreSQL database, as ``COPY ... TO STDOUT`` writes
    them (tab-separated text, as in a ``pg_dump``), table by table."""
    import psycopg

    out: list[str] = []
    with psycopg.connect(
        host="127.0.0.1", user="postgres", dbname=dbname, sslmode="disable", connect_timeout=5
    ) as conn:
        tables = [
            str(r[0])
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        for table in tables:
            out.append(f"-- {table}")
            with conn.cursor().copy(f'COPY "{table}" TO STDOUT') as copy:
                out.append(b"".join(bytes(block) for block in copy).decode())
    return "\n".join(out)


def scan_dump(dump: str) -> list[str]:
    """Any full card number in a value of a ``pg_dump`` (``COPY`` rows: values split at tabs;
    hash columns are hex, left out by the scan) and any fed card number in the whole text."""
    found: list[str] = []
    for line in dump.splitlines():
        for value in line.split("\t"):
            found += card_numbers_in(value.encode())
    return found + fed_numbers_in(dump.encode())


def scan_log(path: Path) -> list[str]:
    found: list[str] = []
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            found += card_numbers_in(line.encode())
    return found
