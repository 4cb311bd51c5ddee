"""The ledger's tables of what the counter's program items made (programs.md, issue 15;
migration 0011): TOT returns filed, business licences, animal licences with their tags and
parking permits, each with the receipt and line that paid for it.  ``voided_at`` is set by the
void of that receipt (it unfiles the return, voids the licence, tag or permit); nothing else
changes a row.  Numbers hold the workstation's id, so they are unique across workstations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.meta import metadata
from cashier_desk.ledger.record_columns import (
    animal_licence_columns,
    licence_columns,
    permit_columns,
    tot_return_columns,
)


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
tot_returns = sa.Table("tot_returns", metadata, *_made(), *tot_return_columns())

#: Business licences issued or renewed at the counter (migration 0011).
licences = sa.Table("licences", metadata, *_made(), *licence_columns())

#: Dog and cat licences and their tags (migration 0011).
animal_licences = sa.Table("animal_licences", metadata, *_made(), *animal_licence_columns())

#: Parking permits (migration 0011); ``address_key`` is the address as the limit compares it.
permits = sa.Table("permits", metadata, *_made(), *permit_columns())
