"""A data dir's first use: whether its ledger is still empty, and its first admin.

"Empty" is headless.md's word (for ``demo`` and ``restore``, and the window's offer of the demo
city): no ledger yet, or a ledger with no users and no receipts.  The first admin is the one
person made without anyone's approval, because there is no one to ask yet; once anyone exists,
people come only through an admin (``import users``).
"""

from __future__ import annotations

import sqlalchemy as sa

from cashier_desk.errors import Refusal
from cashier_desk.ids import Login
from cashier_desk.ledger.auth import User
from cashier_desk.ledger.schema import receipts, users
from cashier_desk.text import TextError, clean_text, looks_like_card_number


def pin_rule(min_length: int = 4) -> str:
    return f"A PIN is {min_length} to 64 characters (digits are easiest to key)."


def any_user(conn: sa.Connection) -> bool:
    return conn.execute(sa.select(users.c.login).limit(1)).first() is not None


def is_empty(conn: sa.Connection) -> bool:
    """A ledger with no users and no receipts (what a new data dir has, or one that only
    holds reference data)."""
    if any_user(conn):
        return False
    return conn.execute(sa.select(receipts.c.id).limit(1)).first() is None


def check_login(value: object) -> Login:
    """A login as ``import users`` takes it: letters, digits, '-', '_' and '.', at most 40."""
    if not isinstance(value, str) or not value.strip():
        raise Refusal("bad_text", "Give a login (the user name typed at the counter).")
    login = value.strip()
    if len(login) > 40 or not all(ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in login):
        raise Refusal(
            "bad_text", "A login may hold only letters, digits, '-', '_' and '.' (at most 40)."
        )
    if looks_like_card_number(login):
        raise Refusal("bad_text", "A login may not look like a card number.")
    return Login(login)


def check_pin(value: object, min_length: int = 4) -> str:
    """A PIN as ``import users`` takes it: ``[policy] min_pin_length`` to 64 printable
    characters."""
    if not isinstance(value, str) or not min_length <= len(value) <= 64 or not value.isprintable():
        raise Refusal("bad_pin", pin_rule(min_length))
    return value


def check_name(value: object) -> str:
    try:
        return clean_text(value, "the name", max_len=100)
    except TextError as exc:
        raise Refusal("bad_text", str(exc)[:1].upper() + str(exc)[1:] + ".") from None


def add_first_admin(conn: sa.Connection, login: Login, name: str, pin_hash: str) -> User:
    """Write the first person of the ledger, an admin, in the caller's write transaction
    (``login`` and ``name`` checked, the PIN hashed, beforehand).  Refused (``users_exist``)
    once the ledger has anyone at all."""
    if any_user(conn):
        raise Refusal(
            "users_exist",
            "This data folder already has people: an admin adds more (cashier-desk import users).",
        )
    conn.execute(sa.insert(users).values(login=login, name=name, role="admin", pin_hash=pin_hash))
    return User(login, name, "admin")
