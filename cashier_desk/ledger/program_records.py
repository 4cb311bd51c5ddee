"""What the counter's program items made, read and written (programs.md, issue 15): TOT returns,
business licences (and the accounts new ones open), animal licences and parking permits.

Only records in force count: a void of the receipt that paid for one sets its ``voided_at``
(:func:`void_receipt`), which unfiles a return and voids a licence, tag or permit.  Every
function runs inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.schema import accounts, animal_licences, licences, permits, tot_returns
from cashier_desk.money import Money

RECORD_TABLES = (tot_returns, licences, animal_licences, permits)


def _in_force(table: sa.Table) -> sa.ColumnElement[bool]:
    return table.c.voided_at.is_(None)


# -- TOT returns ------------------------------------------------------------------------------


def tot_tax_paid(conn: sa.Connection, account: str, period: str) -> Money | None:
    """The tax the returns in force for ``account`` and ``period`` paid (None: no return)."""
    row = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(tot_returns.c.owed_cents), 0))
        .where(tot_returns.c.account == account, tot_returns.c.period == period)
        .where(_in_force(tot_returns))
    ).one()
    return None if not row[0] else Money(int(row[1]))


def add_tot_return(conn: sa.Connection, row: Mapping[str, Any]) -> None:
    conn.execute(sa.insert(tot_returns).values(**row))


# -- business licences ------------------------------------------------------------------------


def licensed(conn: sa.Connection, account: str, year: int) -> bool:
    """Whether a licence in force (new or renewed) of ``account`` covers ``year``."""
    found = conn.execute(
        sa.select(licences.c.id)
        .where(licences.c.account == account, licences.c.year == year)
        .where(_in_force(licences))
        .limit(1)
    ).first()
    return found is not None


def next_licence_number(conn: sa.Connection, workstation: str) -> str:
    """A new business licence's number, which is also its account: ``BL-W1-000001``."""
    return f"BL-{workstation}-{next_number(conn, workstation, 'licence'):06d}"


def add_licence(conn: sa.Connection, row: Mapping[str, Any]) -> None:
    conn.execute(sa.insert(licences).values(**row))


def add_account(
    conn: sa.Connection, account: str, rule: str, name: str, address: str, opened: date
) -> None:
    """An account opened at the counter (a new business licence's)."""
    conn.execute(
        sa.insert(accounts).values(
            account=account, rule=rule, name=name, address=address, opened=opened.isoformat()
        )
    )


# -- animal licences --------------------------------------------------------------------------


def animal_expires(conn: sa.Connection, number: str) -> date | None:
    """The last day of the animal licence ``number`` in force (None: no such licence)."""
    found = conn.execute(
        sa.select(animal_licences.c.expires)
        .where(animal_licences.c.number == number)
        .where(_in_force(animal_licences))
    ).scalar_one_or_none()
    return None if found is None else date.fromisoformat(found)


def renewed_by(conn: sa.Connection, number: str) -> str | None:
    """The licence in force that renewed ``number`` (None: not renewed)."""
    return conn.execute(
        sa.select(animal_licences.c.number)
        .where(animal_licences.c.renews == number)
        .where(_in_force(animal_licences))
        .limit(1)
    ).scalar_one_or_none()


def next_animal_numbers(conn: sa.Connection, workstation: str) -> tuple[str, str]:
    """A new animal licence's number and tag, from one sequence of the workstation:
    ``AL-W1-000001`` and ``TAG-W1-000001``."""
    n = next_number(conn, workstation, "animal")
    return f"AL-{workstation}-{n:06d}", f"TAG-{workstation}-{n:06d}"


def add_animal_licence(conn: sa.Connection, row: Mapping[str, Any]) -> None:
    conn.execute(sa.insert(animal_licences).values(**row))


# -- parking permits --------------------------------------------------------------------------


def permits_valid(conn: sa.Connection, code: str, address_key: str, through: date) -> int:
    """How many permits in force of ``code`` at the address (as the limit compares it) are
    valid through ``through``."""
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(permits)
            .where(permits.c.code == code, permits.c.address_key == address_key)
            .where(permits.c.valid_through == through.isoformat())
            .where(_in_force(permits))
        ).scalar_one()
    )


def next_permit_number(conn: sa.Connection, workstation: str) -> str:
    return f"PP-{workstation}-{next_number(conn, workstation, 'permit'):06d}"


def add_permit(conn: sa.Connection, row: Mapping[str, Any]) -> None:
    conn.execute(sa.insert(permits).values(**row))


# -- voids ------------------------------------------------------------------------------------


def void_receipt(conn: sa.Connection, receipt_no: str, at: str) -> int:
    """Take back what a receipt's program items made (its void); how many records."""
    opened = conn.execute(
        sa.select(licences.c.account)
        .where(licences.c.receipt_no == receipt_no, licences.c.kind == "new")
        .where(_in_force(licences))
    ).scalars()
    # A new licence's account goes with it: the business was never licensed here.
    for account in list(opened):
        conn.execute(sa.delete(accounts).where(accounts.c.account == account))
    taken = 0
    for table in RECORD_TABLES:
        done = conn.execute(
            sa.update(table)
            .where(table.c.receipt_no == receipt_no)
            .where(_in_force(table))
            .values(voided_at=at)
        )
        taken += done.rowcount
    return taken
