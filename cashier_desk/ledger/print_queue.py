"""The print queue's rows: a job per receipt, reprint or void slip, written with the sale in
its transaction, marked printed only once the printer took it (issue 13: all SQL lives in
ledger/)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from cashier_desk.ledger.db import FastInsert
from cashier_desk.ledger.schema import print_jobs, receipts

# Built once: each sale runs them, and building a statement costs more than running it.
_INSERT_JOB = FastInsert(print_jobs)
_JOB = sa.select(print_jobs).where(print_jobs.c.id == sa.bindparam("job_id"))
_JOB_STATE = sa.select(print_jobs.c.receipt_id, print_jobs.c.printed_at).where(
    print_jobs.c.id == sa.bindparam("job_id")
)
_MARK_TRIED = (
    sa.update(print_jobs)
    .where(print_jobs.c.id == sa.bindparam("job_id"))
    .values(attempts=print_jobs.c.attempts + 1)
)
_MARK_PRINTED = _MARK_TRIED.values(printed_at=sa.bindparam("at"))
_PENDING = print_jobs.c.printed_at.is_(None)


def add_job(conn: sa.Connection, job: Mapping[str, Any]) -> int:
    """Queue a job; its id."""
    return _INSERT_JOB.one(conn, job)


def job(conn: sa.Connection, job_id: int, *, whole: bool) -> sa.Row[Any] | None:
    """A job: the whole row, or only its receipt and whether it printed."""
    return conn.execute(_JOB if whole else _JOB_STATE, {"job_id": job_id}).first()


def mark(conn: sa.Connection, job_id: int, printed_at: str | None) -> None:
    """Count a try of the job; printed when ``printed_at`` is given."""
    if printed_at is None:
        conn.execute(_MARK_TRIED, {"job_id": job_id})
    else:
        conn.execute(_MARK_PRINTED, {"job_id": job_id, "at": printed_at})


def pending_count(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).where(_PENDING)).scalar_one())


def pending_ids(conn: sa.Connection) -> list[int]:
    """The jobs the printer has not taken, oldest first."""
    query = sa.select(print_jobs.c.id).where(_PENDING).order_by(print_jobs.c.id)
    return [int(i) for i in conn.execute(query).scalars()]


def newest_id(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.max(print_jobs.c.id))).scalar() or 0)


def receipt_id(conn: sa.Connection, number: str) -> int | None:
    found = conn.execute(sa.select(receipts.c.id).where(receipts.c.receipt_no == number)).scalar()
    return None if found is None else int(found)
