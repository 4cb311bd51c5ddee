"""What the counter's program items made, read and written (programs.md, issue 15): TOT returns,
business licences (and the accounts new ones open), animal licences and parking permits.

Only records in force count: a void of the receipt that paid for one sets its ``voided_at``
(:func:`void_receipt`), which unfiles a return and voids a licence, tag or permit.  Every
function runs inside the caller's transaction.

The tables hold other workstations' records too, as ``sync pull`` brings them from central
(:func:`take_pulled`; their ``workstation`` is theirs), so the once-only rules read here — a
return per period, a licence per year, the permit limit, an animal licence's renewal — hold
across workstations as far as the pull has brought them (programs.md, "Precise readings").
A batch carries only this workstation's own (:func:`for_batch`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.schema import (
    accounts,
    animal_licences,
    licences,
    permits,
    receipts,
    tot_returns,
)
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


#: What a renewal keys again of the old licence (``animal_licence_row``).
ANIMAL_KEYS = (
    "number", "tag", "species", "name", "owner", "address", "altered", "term_years", "senior",
    "rabies_cert", "rabies_expires", "starts", "expires",
)  # fmt: skip


def animal_licence_row(conn: sa.Connection, number: str) -> dict[str, Any] | None:
    """The animal licence ``number`` in force, its animal, owner and term (None: no such
    licence, or its receipt was voided)."""
    found = (
        conn.execute(
            sa.select(*(animal_licences.c[key] for key in ANIMAL_KEYS))
            .where(animal_licences.c.number == number)
            .where(_in_force(animal_licences))
        )
        .mappings()
        .first()
    )
    return None if found is None else dict(found)


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


# -- through central (issue 15, item 2) -------------------------------------------------------

#: What a batch says of the account a new licence opened (its ``licences`` rows).
ACCOUNT_KEYS = {"account_name": "name", "account_address": "address", "account_opened": "opened"}


def for_batch(
    conn: sa.Connection, workstation: str, session_ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """What the program items of the batch's receipts made (this workstation's own), by table,
    each with ``voided_at`` (a void is made in the receipt's own session, so before its
    batch); a new licence with the account it opened.  Tables with none are left out."""
    numbers = sa.select(receipts.c.receipt_no).where(receipts.c.session_id.in_(session_ids))
    out: dict[str, list[dict[str, Any]]] = {}
    for table in RECORD_TABLES:
        rows = [
            {k: v for k, v in r.items() if k != "id"}
            for r in conn.execute(
                sa.select(table)
                .where(table.c.workstation == workstation, table.c.receipt_no.in_(numbers))
                .order_by(table.c.id)
            ).mappings()
        ]
        if table is licences:
            for row in rows:
                opened = _opened_account(conn, row)
                row.update(
                    {k: None if opened is None else opened[v] for k, v in ACCOUNT_KEYS.items()}
                )
        if rows:
            out[table.name] = rows
    return out


def _opened_account(conn: sa.Connection, row: Mapping[str, Any]) -> sa.RowMapping | None:
    if row["kind"] != "new" or row["voided_at"] is not None:
        return None
    return (
        conn.execute(
            sa.select(accounts.c.name, accounts.c.address, accounts.c.opened).where(
                accounts.c.account == row["account"]
            )
        )
        .mappings()
        .first()
    )


def take_pulled(conn: sa.Connection, name: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Keep another workstation's records that ``sync pull`` brought (``name``: the table);
    a record already here takes central's void.  A new licence's account is added unless
    this ledger has it.  How many records were new here."""
    table = {t.name: t for t in RECORD_TABLES}[name]
    new = 0
    for given in rows:
        row = {k: v for k, v in given.items() if k in table.c and k != "id"}
        key = (table.c.receipt_no == row["receipt_no"]) & (table.c.line_no == row["line_no"])
        found = conn.execute(sa.select(table.c.voided_at).where(key)).first()
        if found is None:
            conn.execute(sa.insert(table).values(**row))
            new += 1
        elif found.voided_at is None and row["voided_at"] is not None:
            conn.execute(sa.update(table).where(key).values(voided_at=row["voided_at"]))
        if table is licences and given.get("account_name") is not None:
            _add_pulled_account(conn, given)
    return new


def _add_pulled_account(conn: sa.Connection, given: Mapping[str, Any]) -> None:
    account = given["account"]
    if conn.execute(sa.select(accounts.c.account).where(accounts.c.account == account)).first():
        return
    conn.execute(
        sa.insert(accounts).values(
            account=account,
            rule="business_licence",
            name=given["account_name"],
            address=given.get("account_address") or "",
            opened=given.get("account_opened"),
        )
    )
