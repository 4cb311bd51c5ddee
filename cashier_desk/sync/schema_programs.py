"""Central's tables of what the counters' program items made (programs.md, issue 15, item 2;
migration c0008): the accounts the city imports at central (``ref_accounts``, reference data
every workstation's ``sync pull`` reads) and, as a batch carries them, the TOT returns filed,
business licences (with the account a new one opened), animal licences with their tags and
parking permits of the batch's receipts, each with ``voided_at`` when a void of its receipt
took it back (a void is made in the receipt's own drawer session, so before its batch).

A row is keyed by its receipt and line (receipt numbers are unique at central).  On
PostgreSQL a workstation role adds only its own rows and reads every counter's (``access``):
the once-only rules hold across workstations as far as ``sync pull`` has brought them.  Each
table's own columns are the ledger's (``ledger.record_columns``), declared once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger import record_columns as lp
from cashier_desk.sync.schema import metadata

ref_accounts = sa.Table(
    "ref_accounts",
    metadata,
    sa.Column("account", sa.String(60), primary_key=True),
    sa.Column("rule", sa.String(20), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address", sa.String(200), nullable=False),
    sa.Column("opened", sa.String(10)),
    sa.Column("changed_at", sa.String(40), nullable=False, index=True),
)


def _made() -> list[sa.Column[Any]]:
    """The columns every record shares: the receipt line that made it, its batch, and when
    the void of that receipt took it back (NULL: in force)."""
    return [
        sa.Column("receipt_no", sa.String(40), primary_key=True),
        sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column(
            "batch_id", sa.String(60), sa.ForeignKey("batches.id"), nullable=False, index=True
        ),
        sa.Column("workstation", sa.String(20), nullable=False),
        sa.Column("business_date", sa.String(10), nullable=False),
        sa.Column("voided_at", sa.String(40)),
    ]


tot_returns = sa.Table("tot_returns", metadata, *_made(), *lp.tot_return_columns())

#: ``account_name``, ``account_address`` and ``account_opened``: the account a new licence
#: opened (NULL for a renewal, and for a new licence whose receipt was voided).
licences = sa.Table(
    "licences",
    metadata,
    *_made(),
    *lp.licence_columns(),
    sa.Column("account_name", sa.String(200)),
    sa.Column("account_address", sa.String(200)),
    sa.Column("account_opened", sa.String(10)),
)

animal_licences = sa.Table("animal_licences", metadata, *_made(), *lp.animal_licence_columns())

permits = sa.Table("permits", metadata, *_made(), *lp.permit_columns())

#: The record tables, by the name a batch's ``programs.records`` gives them (the ledger's).
RECORDS = {t.name: t for t in (tot_returns, licences, animal_licences, permits)}
