"""The ledger's tables of what the counter's program items made (programs.md, issue 15;
migration 0011): TOT returns filed, business licences, animal licences with their tags and
parking permits, each with the receipt and line that paid for it.  ``voided_at`` is set by the
void of that receipt (it unfiles the return, voids the licence, tag or permit); nothing else
changes a row.  Numbers hold the workstation's id, so they are unique across workstations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.schema import Cents, metadata


def _made() -> list[sa.Column[Any]]:
    """The columns every program record shares (migration 0011): where it was made, by which
    receipt and line, and when a void of that receipt took it back (NULL: in force)."""
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workstation", sa.String(20), nullable=False),
        sa.Column("receipt_no", sa.String(40), nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("business_date", sa.String(10), nullable=False),
        sa.Column("voided_at", sa.String(40)),
    ]


#: TOT returns filed at the counter (programs.md; migration 0011): ``tax`` is the return's
#: whole tax, ``owed`` what this filing paid of it (an amended return: the difference).
tot_returns = sa.Table(
    "tot_returns",
    metadata,
    *_made(),
    sa.Column("account", sa.String(60), nullable=False, index=True),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("gross_cents", Cents, nullable=False),
    sa.Column("exempt_cents", Cents, nullable=False),
    sa.Column("tax_cents", Cents, nullable=False),
    sa.Column("owed_cents", Cents, nullable=False),
    sa.Column("penalty_cents", Cents, nullable=False),
    sa.Column("interest_cents", Cents, nullable=False),
    sa.Column("amended", sa.Boolean, nullable=False),
)

#: Business licences issued or renewed at the counter (migration 0011).
licences = sa.Table(
    "licences",
    metadata,
    *_made(),
    # The licence's number is its account's: a new licence's own, a renewal's the account's.
    sa.Column("number", sa.String(40), nullable=False),
    sa.Column("account", sa.String(60), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),  # new, renewal
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("gross_cents", Cents, nullable=False),
    sa.Column("tax_cents", Cents, nullable=False),
    sa.Column("state_fee_cents", Cents, nullable=False),
    sa.Column("penalty_cents", Cents, nullable=False),
    sa.Column("valid_through", sa.String(10), nullable=False),
)

#: Dog and cat licences and their tags (migration 0011).
animal_licences = sa.Table(
    "animal_licences",
    metadata,
    *_made(),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("tag", sa.String(40), nullable=False, unique=True),
    sa.Column("species", sa.String(10), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("address", sa.String(200), nullable=False),
    sa.Column("altered", sa.Boolean, nullable=False),
    sa.Column("term_years", sa.Integer, nullable=False),
    sa.Column("senior", sa.Boolean, nullable=False),
    sa.Column("rabies_cert", sa.String(40)),
    sa.Column("rabies_expires", sa.String(10)),
    sa.Column("renews", sa.String(40)),
    sa.Column("starts", sa.String(10), nullable=False),
    sa.Column("expires", sa.String(10), nullable=False),
    sa.Column("fee_cents", Cents, nullable=False),
    sa.Column("late_fee_cents", Cents, nullable=False),
)

#: Parking permits (migration 0011); ``address_key`` is the address as the limit compares it.
permits = sa.Table(
    "permits",
    metadata,
    *_made(),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("plate", sa.String(8), nullable=False),
    sa.Column("address", sa.String(200), nullable=False),
    sa.Column("address_key", sa.String(200), nullable=False, index=True),
    sa.Column("zone", sa.String(20), nullable=False),
    sa.Column("valid_through", sa.String(10), nullable=False),
)
