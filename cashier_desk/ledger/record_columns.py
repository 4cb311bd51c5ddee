"""The columns of each program record's own (programs.md, issue 15): the ledger's tables
(``ledger.schema_programs``, migration 0011) and central's (``sync.schema_programs``, migration
c0008) are built from these, so a record has one declaration.  Each call makes new columns (a
column belongs to one table)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.meta import Cents


def tot_return_columns() -> list[sa.Column[Any]]:
    """A filed TOT return's own columns (also central's)."""
    return [
        sa.Column("account", sa.String(60), nullable=False, index=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("gross_cents", Cents, nullable=False),
        sa.Column("exempt_cents", Cents, nullable=False),
        sa.Column("tax_cents", Cents, nullable=False),
        sa.Column("owed_cents", Cents, nullable=False),
        sa.Column("penalty_cents", Cents, nullable=False),
        sa.Column("interest_cents", Cents, nullable=False),
        sa.Column("amended", sa.Boolean, nullable=False),
    ]


def licence_columns() -> list[sa.Column[Any]]:
    """A business licence's own columns (also central's)."""
    return [
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
    ]


def animal_licence_columns() -> list[sa.Column[Any]]:
    """An animal licence's own columns (also central's)."""
    return [
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
    ]


def permit_columns() -> list[sa.Column[Any]]:
    """A parking permit's own columns (also central's)."""
    return [
        sa.Column("number", sa.String(40), nullable=False, unique=True),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("plate", sa.String(8), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("address_key", sa.String(200), nullable=False, index=True),
        sa.Column("zone", sa.String(20), nullable=False),
        sa.Column("valid_through", sa.String(10), nullable=False),
    ]
