"""The counter's search over open items: an SQLite FTS5 index with prefix indexes.

Every word of what the cashier types must be the start of some word of an item's reference,
account, plate, name or address.  A word is a run of letters or digits after case folding and
removing accents (FTS5's ``unicode61`` tokenizer with ``remove_diacritics 2``; the text typed
is cut into words the same way here).

Results come "by reference".  To give the first few by reference among a million items
without reading and sorting every match, each item carries a ``search_key`` that is the FTS
row id: its high bits encode the first :data:`PREFIX_CHARS` characters of the reference in
their sort order, its low :data:`TIE_BITS` bits tell apart references that share them.  The
index answers in row-id order, so matches arrive ordered by reference up to ties inside one
such group; the search reads until it has enough matches and the rest of the last group, then
sorts just those.

The index is kept by triggers on ``open_items`` (migration 0007), so every write of an item —
an import, a pull from central, an item made at the counter — updates it in its own
transaction.  A new item's key comes from :data:`NEW_KEY_SQL` inside its INSERT.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa

#: Characters a reference may hold (imports check it), in their sort order; 0 ends a ref.
REF_SYMBOLS = "-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_BASE = len(REF_SYMBOLS) + 1
_RANK = {ch: n + 1 for n, ch in enumerate(REF_SYMBOLS)}
PREFIX_CHARS = 7  # 66**7 < 2**43
TIE_BITS = 20  # up to 1,048,576 references may share their first 7 characters
TIE_SPAN = 1 << TIE_BITS
MIN_CHARS = 2  # fewer letters or digits than this find nothing

FTS_TABLE = "item_search"
FTS_COLUMNS = ("ref", "account", "plate", "name", "address")
_COLS = ", ".join(FTS_COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
_CHANGED = " OR ".join(f"old.{c} IS NOT new.{c}" for c in FTS_COLUMNS)

#: The DDL of the index and the triggers that keep it in step (migration 0007 runs it).
CREATE_SQL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({_COLS}, content='open_items', "
    "content_rowid='search_key', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON open_items BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.search_key, {_NEW}); END",
    f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON open_items BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) "
    f"VALUES ('delete', old.search_key, {_OLD}); END",
    f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE ON open_items "
    f"WHEN {_CHANGED} OR old.search_key IS NOT new.search_key BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) "
    f"VALUES ('delete', old.search_key, {_OLD}); "
    f"INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.search_key, {_NEW}); END",
)
DROP_SQL = (
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
REBUILD_SQL = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"

#: The key of a new item whose reference group starts at ``:key_base``: the next free one of
#: the group (NULL, refused by NOT NULL, when a group is full).
NEW_KEY_SQL = (
    "(SELECT CASE WHEN max(search_key) IS NULL THEN :key_base "
    f"WHEN max(search_key) < :key_base + {TIE_SPAN - 1} THEN max(search_key) + 1 END "
    f"FROM open_items WHERE search_key >= :key_base AND search_key < :key_base + {TIE_SPAN})"
)


def key_base(ref: str) -> int:
    """The first key of the group of references sharing ``ref``'s first characters; groups
    are in the order of their references."""
    n = 0
    for i in range(PREFIX_CHARS):
        n = n * _BASE + (_RANK.get(ref[i], _BASE - 1) if i < len(ref) else 0)
    return n << TIE_BITS


def words(text: str) -> list[str]:
    """``text`` cut into words as the index cuts names: case folded, accents removed, runs of
    letters or digits."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    out: list[str] = []
    word: list[str] = []
    for ch in folded:
        if unicodedata.combining(ch):
            continue
        if ch.isalnum():
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


def match_query(text: str) -> str | None:
    """The FTS5 query for ``text`` (every word a prefix), or None when it finds nothing."""
    found = words(text)
    if sum(len(w) for w in found) < MIN_CHARS:
        return None
    return _query(found)


def _query(found: list[str]) -> str:
    return " AND ".join(f'"{w}"*' for w in found)


_MATCH = sa.text(
    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q ORDER BY rowid"
).columns(sa.column("rowid", sa.BigInteger))
_TEXTS = sa.text(
    f"SELECT search_key, {_COLS} FROM open_items WHERE search_key IN :keys"
).bindparams(sa.bindparam("keys", expanding=True))
_CHUNK = 64


def matching_keys(conn: sa.Connection, text: str, limit: int) -> list[int]:
    """The keys of at least the first ``limit`` matches by reference (all of them when there
    are fewer), ready to be read and sorted by reference.

    The index keeps prefixes of 2 and 3 characters; a one-letter word beside longer ones is
    checked here on the matches of the longer ones (asking the index for every word that
    starts with one letter would read a large part of it)."""
    found = words(text)
    if sum(len(w) for w in found) < MIN_CHARS or limit <= 0:
        return []
    longer = [w for w in found if len(w) > 1]
    letters = [w for w in found if len(w) == 1] if longer else []
    try:
        rows = conn.execute(_MATCH, {"q": _query(longer or found)})
    except sa.exc.OperationalError:  # text FTS5 cannot read as words: nothing matches it
        return []
    keys: list[int] = []
    last_group: int | None = None
    for chunk in rows.partitions(_CHUNK):
        candidates = [int(k) for (k,) in chunk]
        if letters:
            candidates = _with_letters(conn, candidates, letters)
        for key in candidates:
            group = key >> TIE_BITS
            if last_group is not None and group != last_group:
                return keys
            keys.append(key)
            if len(keys) >= limit and last_group is None:
                last_group = group  # read the rest of this group: its order is not by ref
    return keys


def _with_letters(conn: sa.Connection, keys: list[int], letters: list[str]) -> list[int]:
    """The keys (in their order) whose item has a word starting with each of ``letters``."""
    starts = {}
    for row in conn.execute(_TEXTS, {"keys": keys}):
        starts[int(row[0])] = {w[0] for w in words(" ".join(str(v or "") for v in row[1:]))}
    return [k for k in keys if all(ch in starts.get(k, ()) for ch in letters)]
