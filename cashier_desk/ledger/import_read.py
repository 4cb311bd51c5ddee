"""Reading an import file: its CSV rows one by one, each checked by its kind's parser
(:mod:`cashier_desk.ledger.import_rows`); a bad header, row or cell, a key that repeats, a file
that cannot be read raise :class:`Refusal` naming the file, its line and column."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cashier_desk.errors import Refusal
from cashier_desk.ledger import import_cells as cell
from cashier_desk.ledger.import_rows import COLUMNS, OPTIONAL, PARSERS, Context, Parser
from cashier_desk.ledger.import_write import KEY
from cashier_desk.text import mask_card_numbers


def _check_header(kind: str, path: Path, cells: list[str]) -> list[str]:
    header = [c.strip() for c in cells]
    columns = COLUMNS[kind]
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns and c not in OPTIONAL.get(kind, ())]
    if missing or extra or len(set(header)) != len(header):
        optional = OPTIONAL.get(kind, ())
        raise Refusal(
            "bad_header",
            f"{path.name} line 1: the header must name the columns {','.join(columns)}"
            + (f" (and may name {','.join(optional)})" if optional else "")
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(extra)}" if extra else ""),
        )
    return header


def read_records(
    kind: str, path: Path, ctx: Context, parse: Parser | None = None
) -> Iterator[dict[str, Any]]:
    """Each row of the file, checked, as it is read; a bad row raises :class:`Refusal`
    naming its line and column.  A key that repeats an earlier row is refused too (the keys
    seen are kept as their hashes, so a million rows stay small in memory)."""
    parse = parse or PARSERS[kind]
    key_column = KEY[kind]
    seen: set[int] = set()
    header: list[str] | None = None
    masked = ctx.masked  # it notes the line of each masked cell
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            for cells in reader:
                line = reader.line_num
                if header is None:
                    header = _check_header(kind, path, cells)
                    continue
                if not "".join(cells).strip():
                    continue  # a blank line
                if len(cells) != len(header):
                    raise Refusal(
                        "bad_row",
                        f"{path.name} line {line}: {len(cells)} columns where the header has "
                        f"{len(header)}",
                    )
                row = dict(zip(header, cells, strict=True))
                masked.line = line
                try:
                    record = parse(row, ctx)
                except cell.CellError as exc:
                    raise Refusal(
                        exc.code, f"{path.name} line {line}, column {exc.column}: {exc}"
                    ) from None
                key = record[key_column]
                digest = hash(key)
                if digest in seen:
                    first = _first_line_of(kind, path, key, line)
                    if first is not None:
                        raise Refusal(
                            "bad_row",
                            f"{path.name} line {line}, column {key_column}: {key!r} repeats "
                            f"line {first}",
                        )
                seen.add(digest)
                if kind == "revenue-codes":
                    ctx.known_codes.add(key)
                yield record
    except FileNotFoundError:
        raise Refusal("bad_file", f"there is no file {path}") from None
    except IsADirectoryError:
        raise Refusal("bad_file", f"{path} is a folder, not a CSV file") from None
    except OSError as exc:
        raise Refusal("bad_file", f"{path.name} cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise Refusal(
            "bad_file", f"{path.name} is not UTF-8 text (byte {exc.start} cannot be read)"
        ) from None
    except csv.Error as exc:
        raise Refusal("bad_file", f"{path.name} is not a readable CSV file: {exc}") from None
    if header is None:
        raise Refusal("bad_header", f"{path.name} is empty; it needs a header row")


def _first_line_of(kind: str, path: Path, key: str, before: int) -> int | None:
    """The line before ``before`` whose key is ``key`` (None: two keys had the same hash)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        header = [c.strip() for c in next(reader)]
        at = header.index(KEY[kind])
        for cells in reader:
            if reader.line_num >= before:
                return None
            # The key as it was kept: a card number in it was masked (two may mask alike).
            if len(cells) == len(header) and mask_card_numbers(cells[at].strip()) == key:
                return reader.line_num
    return None
