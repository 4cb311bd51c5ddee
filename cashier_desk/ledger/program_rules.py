"""The program rules a city imported (programs.md, "Rules are reference data"): every file is
kept whole, as given, with who imported it and when; the newest is in force (the versions in
it say from which day each value holds). Until a file is imported the defaults apply."""

from __future__ import annotations

import functools
import hashlib
import tomllib
from pathlib import Path

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ledger.schema import program_rules
from cashier_desk.programs.rules import ProgramRules, RulesError, defaults, parse_rules


def read_file(path: Path) -> tuple[str, int]:
    """A rules file's text, checked whole (refused ``bad_file`` or ``bad_rules``, naming the
    table and key), and how many program tables it gives."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise Refusal("bad_file", f"There is no file {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Refusal("bad_file", f"{path.name} cannot be read as UTF-8 text: {exc}") from None
    try:
        parse_rules(text)
    except RulesError as exc:
        raise Refusal("bad_rules", f"{path.name}: {exc}; nothing was imported.") from None
    return text, len(tomllib.loads(text))


def store(conn: sa.Connection, text: str, *, at: str, actor: str) -> str:
    """Keep a rules file (already checked whole by :func:`parse_rules`); its SHA-256."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    conn.execute(
        program_rules.insert().values(imported_at=at, actor=actor, sha256=digest, text=text)
    )
    return digest


def newest_sha256(conn: sa.Connection) -> str | None:
    """The SHA-256 of the newest rules file kept here (None: only the defaults)."""
    return conn.execute(
        sa.select(program_rules.c.sha256).order_by(program_rules.c.id.desc()).limit(1)
    ).scalar()


_NEWEST = (  # built once: every citation's lookup and price reads it
    sa.select(program_rules.c.id, program_rules.c.text).order_by(program_rules.c.id.desc()).limit(1)
)


def in_force(conn: sa.Connection) -> ProgramRules:
    """The rules of the newest file imported, or the defaults."""
    row = conn.execute(_NEWEST).first()
    return _DEFAULTS() if row is None else _parsed(row.id, row.text)


@functools.lru_cache(maxsize=4)
def _parsed(row_id: int, text: str) -> ProgramRules:
    return parse_rules(text)


@functools.lru_cache(maxsize=1)
def _DEFAULTS() -> ProgramRules:
    return defaults()
