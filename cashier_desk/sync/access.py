"""Who may write what at central: each workstation for itself only.

``central workstation add ID`` registers a workstation in ``workstations`` and, on PostgreSQL,
gives it a login role of its own (a password printed once), INSERT and SELECT on the tables a
workstation writes, SELECT on reference data, and a ``lock_timeout``, ``statement_timeout`` and
``idle_in_transaction_session_timeout`` so that a counter's open transaction never blocks the
others for long. Row-level security, enabled and forced on every table a workstation writes,
keys each row on that role: ``central_workstation()`` is the id registered for the role running
the statement, a row with a ``workstation`` column must carry it, and a row that refers to
another secured row (a decision's quarantined batch, a session's batch) may refer only to one
the role can see — so a role adds and reads only its own batches, chain heads, sessions and
contacts, whatever client it uses — except the counters' program records (``SHARED``), which
every workstation reads (and adds only its own). The three big tables of a batch (receipts,
lines, tenders) take COPY, which row security forbids: a workstation role may only add to them,
never read them, and a statement-level trigger refuses any statement with a row in a batch the
role cannot see (``BULK``). The tables' owner (the administrator who ran ``central init``) keeps
a policy that sees everything. The other counters' payments on open items, which ``sync pull``
needs, are read through the view ``open_item_payments`` (reference data: reference, amount,
date, workstation and batch; nothing else of their batches), which lists only registered
workstations' batches.

A SQLite central has no roles: whoever can write its file can write anything in it, so there a
workstation is registered by its first batch (``deliver``), and ``workstation add`` only
registers the id.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from cashier_desk.config import ConfigError, check_workstation
from cashier_desk.errors import Refusal
from cashier_desk.sync import schema as c

w = c.workstations

#: Settings of every workstation role: a lock waited for (another counter's sync of the same
#: workstation, a table an administrator holds) is given up after lock_timeout and retried by
#: the relay later; no statement of a counter runs longer than statement_timeout (a 10,000-
#: receipt batch takes under a second); an open transaction left idle is ended.
ROLE_SETTINGS = {
    "lock_timeout": "10s",
    "statement_timeout": "120s",
    "idle_in_transaction_session_timeout": "60s",
}
_ROLE_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
ME = "(SELECT central_workstation())"
#: The big tables of a batch (a busy day: 10,000 rows each).  Row-level security would forbid
#: COPY into them, and one INSERT ... SELECT takes twice as long; instead a workstation role
#: may only INSERT (or COPY) into them — never read — and a statement-level trigger refuses a
#: statement with any row in a batch the role cannot see (``central_own_batches``).  Their
#: receipt numbers are checked through ``central_receipts_taken``, which answers only for the
#: numbers it is given.
BULK = ("receipts", "receipt_lines", "tenders")
#: Tables a workstation reads and never writes (besides its own registry row).
READ_ONLY = (
    "ref_revenue_codes",
    "ref_users",
    "ref_open_items",
    "ref_program_rules",
    "ref_accounts",
    "central_alembic_version",
)
#: The counters' program records (migration c0008): a workstation adds only its own rows, as
#: everywhere, but reads every known workstation's — ``sync pull`` brings them, so the once-only
#: rules (a return per period, a licence per year, the permit limit) hold across workstations;
#: and (c0009) the corrections, for the certified-funds flag and the NSF fee count; (c0010)
#: what they changed of open items, and the supervisors' clears of the flag; (c0011) the
#: contests of citations, so a citation contested at one counter is priced as contested at the
#: others (the plans stay each workstation's own).
SHARED = (
    "tot_returns", "licences", "animal_licences", "permits", "corrections", "correction_items",
    "correction_adjustments", "flag_clears", "contests",
)  # fmt: skip
NOT_SECURED = {"workstations", *READ_ONLY}

FUNCTION = """
CREATE OR REPLACE FUNCTION central_workstation() RETURNS varchar
LANGUAGE sql STABLE AS $$
    SELECT id FROM workstations WHERE role = current_user::text AND removed_at IS NULL
$$"""

BULK_CHECK = """
CREATE OR REPLACE FUNCTION central_own_batches() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT batch_id FROM new_rows) n
               WHERE NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = n.batch_id)) THEN
        RAISE EXCEPTION 'rows of % for a batch that is not this workstation''s', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$"""

TAKEN = """
CREATE OR REPLACE FUNCTION central_receipts_taken(numbers varchar[]) RETURNS SETOF varchar
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.receipt_no FROM unnest(numbers) AS n(no) JOIN receipts r ON r.receipt_no = n.no
$$"""

#: The workstations central knows (registered, removed or not), for the policy that lets every
#: workstation read the counters' program records (``SHARED``): a role sees only its own row of
#: ``workstations``, so the policy asks through this function, which runs as its owner.
KNOWN = """
CREATE OR REPLACE FUNCTION central_known_workstations() RETURNS SETOF varchar
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id FROM workstations
$$"""
SHARED_READS = "workstation IN (SELECT central_known_workstations())"

#: Payments on open items from every registered workstation's batches: what `sync pull` needs
#: of the other counters.  A view (run as its owner), so the batches' row security does not
#: hide the other counters' payments, and nothing else of their batches is shown.
PAYMENTS_VIEW = """
CREATE VIEW open_item_payments AS
SELECT l.batch_id AS batch_id, b.workstation AS workstation, l.ref AS ref,
       l.amount_cents AS amount_cents, r.created_at AS created_at, r.voided AS voided
FROM receipt_lines l
JOIN receipts r ON r.receipt_no = l.receipt_no
JOIN batches b ON b.id = l.batch_id
JOIN workstations k ON k.id = b.workstation
WHERE l.ref IS NOT NULL"""


class UnknownWorkstation(Exception):
    """Central does not know the workstation a batch comes from (or this connection may not
    send for it): the batch is refused and nothing is written."""


def default_role(ws: str) -> str:
    return f"cashier_ws_{ws.lower()}"


def _q(name: str) -> str:
    if not _ROLE_RE.fullmatch(name):
        raise Refusal("bad_role", f"{name!r} is not a role name (lower-case letters, digits, _)")
    return f'"{name}"'


# -- row-level security ------------------------------------------------------------------------


def secured_tables(conn: sa.Connection) -> list[str]:
    """The tables a workstation writes: every table with a ``workstation`` column or a
    foreign key to one that has (new tables are covered when `central init` runs again)."""
    insp = sa.inspect(conn)
    names = [t for t in insp.get_table_names() if t not in NOT_SECURED]
    found = {t for t in names if any(col["name"] == "workstation" for col in insp.get_columns(t))}
    grew = True
    while grew:
        more = {
            t
            for t in names
            if t not in found
            and any(fk["referred_table"] in found for fk in insp.get_foreign_keys(t))
        }
        grew = bool(more)
        found |= more
    return sorted(found - set(BULK))


def _own_rows(conn: sa.Connection, table: str, secured: set[str]) -> str:
    """The policy expression: the rows of ``table`` that belong to the role's workstation."""
    insp = sa.inspect(conn)
    parts = []
    if any(col["name"] == "workstation" for col in insp.get_columns(table)):
        parts.append(f"workstation = {ME}")
    for fk in insp.get_foreign_keys(table):
        if fk["referred_table"] in secured and fk["referred_table"] != table:
            cols = ", ".join(fk["constrained_columns"])
            refs = ", ".join(fk["referred_columns"])
            parts.append(f"({cols}) IN (SELECT {refs} FROM {fk['referred_table']})")
    return " AND ".join(parts) or "false"


def secure(
    conn: sa.Connection, tables: Iterable[str] | None = None, shared: Iterable[str] = SHARED
) -> None:
    """On PostgreSQL, (re)apply row-level security and the workstation roles' grants; does
    nothing elsewhere.  Run by the migration and again by every `central init`; ``shared``:
    the tables every known workstation reads (a downgrade gives the older list)."""
    everyones = set(shared)
    if conn.dialect.name != "postgresql":
        return
    for function in (FUNCTION, BULK_CHECK, TAKEN, KNOWN):
        conn.execute(sa.text(function))
    conn.execute(
        sa.text("REVOKE EXECUTE ON FUNCTION central_receipts_taken(varchar[]) FROM PUBLIC")
    )
    conn.execute(sa.text("REVOKE EXECUTE ON FUNCTION central_known_workstations() FROM PUBLIC"))
    secured = set(tables if tables is not None else secured_tables(conn)) - set(BULK)
    for table in BULK:
        for stmt in (
            f"DROP TRIGGER IF EXISTS central_own_batches ON {table}",
            f"CREATE TRIGGER central_own_batches AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION central_own_batches()",
        ):
            conn.execute(sa.text(stmt))
    for table in ["workstations", *sorted(secured)]:
        own = "role = current_user::text" if table == "workstations" else None
        own = own or _own_rows(conn, table, secured)
        for stmt in (
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS central_admin ON {table}",
            f"DROP POLICY IF EXISTS workstation_reads ON {table}",
            f"DROP POLICY IF EXISTS workstation_adds ON {table}",
            # The administrator (the owner, who runs central init) sees and writes everything.
            f"CREATE POLICY central_admin ON {table} TO CURRENT_USER USING (true) "
            "WITH CHECK (true)",
            f"CREATE POLICY workstation_reads ON {table} FOR SELECT "
            f"USING ({SHARED_READS if table in everyones else own})",
        ):
            conn.execute(sa.text(stmt))
        if table != "workstations":
            conn.execute(
                sa.text(f"CREATE POLICY workstation_adds ON {table} FOR INSERT WITH CHECK ({own})")
            )
    for role in conn.execute(sa.select(w.c.role).where(_active())).scalars():
        _grant(conn, str(role), secured)


def _active() -> sa.ColumnElement[bool]:
    return w.c.role.is_not(None) & w.c.removed_at.is_(None)


def _grant(conn: sa.Connection, role: str, secured: Iterable[str]) -> None:
    r = _q(role)
    tables = ", ".join(sorted(secured))
    reads = ", ".join(("workstations", "open_item_payments", *READ_ONLY))
    for stmt in (
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {r}",
        f"GRANT SELECT, INSERT ON {tables} TO {r}",
        f"REVOKE SELECT, UPDATE, DELETE, TRUNCATE ON {', '.join(BULK)} FROM {r}",
        f"GRANT INSERT ON {', '.join(BULK)} TO {r}",
        f"GRANT EXECUTE ON FUNCTION central_receipts_taken(varchar[]) TO {r}",
        f"GRANT SELECT ON {reads} TO {r}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {r}",
        "GRANT EXECUTE ON FUNCTION central_workstation() TO " + r,
        "GRANT EXECUTE ON FUNCTION central_known_workstations() TO " + r,
    ):
        conn.execute(sa.text(stmt))


def _set_timeouts(conn: sa.Connection, role: str) -> None:
    """ALTER ROLE ... SET, only where a setting differs (roles are the whole server's)."""
    have = {
        str(s).split("=", 1)[0]: str(s).split("=", 1)[1]
        for s in conn.execute(
            sa.text(
                "SELECT unnest(setconfig) FROM pg_db_role_setting s JOIN pg_roles r "
                "ON r.oid = s.setrole WHERE r.rolname = :r AND s.setdatabase = 0"
            ),
            {"r": role},
        ).scalars()
    }
    for name, value in ROLE_SETTINGS.items():
        if have.get(name) != value:
            conn.execute(sa.text(f"ALTER ROLE {_q(role)} SET {name} = '{value}'"))


# -- the registry ------------------------------------------------------------------------------


def add(
    engine: sa.Engine, ws: str, *, at: str, role: str | None = None, password: bool = True
) -> dict[str, Any]:
    """Register a workstation; on PostgreSQL make (or take over) its login role, with a new
    password unless ``password`` is False (a role that signs in otherwise).  Adding it again
    re-grants and, with a password, replaces it.  Returns what to print (the password once)."""
    try:
        check_workstation(ws)
    except ConfigError as exc:
        raise Refusal("bad_workstation", str(exc)) from None
    pg = engine.dialect.name == "postgresql"
    role = (role or default_role(ws)) if pg else None
    secret = secrets.token_urlsafe(24) if pg and password else None
    with engine.begin() as conn:
        row = conn.execute(sa.select(w.c.role, w.c.removed_at).where(w.c.id == ws)).first()
        if row is not None and row.role is not None and row.role != role:
            raise Refusal(
                "workstation_exists",
                f"workstation {ws} is already registered for role {row.role}; "
                "remove it first to give it another role",
            )
        if role is not None:
            taken = conn.execute(
                sa.select(w.c.id).where(w.c.role == role, w.c.id != ws, w.c.removed_at.is_(None))
            ).scalar()
            if taken is not None:
                raise Refusal("workstation_exists", f"role {role} is workstation {taken}'s")
            _make_role(conn, role, secret)
        if row is None:
            conn.execute(sa.insert(w).values(id=ws, role=role, added_at=at))
        else:
            conn.execute(sa.update(w).where(w.c.id == ws).values(role=role, removed_at=None))
        if pg and role is not None:
            _grant(conn, role, secured_tables(conn))
    if role is not None:
        with engine.begin() as conn:  # roles are the whole server's: apart, after the grants
            _set_timeouts(conn, role)
    return {"workstation": ws, "role": role, "password": secret}


def _make_role(conn: sa.Connection, role: str, secret: str | None) -> None:
    """Create the login role, or take over one that exists (ALTER only what differs: roles
    are the whole server's, and two ALTERs of one role at once fail)."""
    found = conn.execute(
        sa.text("SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
        {"r": role},
    ).first()
    if found is None:
        conn.execute(sa.text(f"CREATE ROLE {_q(role)} LOGIN"))
    elif found.rolsuper or found.rolbypassrls:
        raise Refusal(
            "bad_role",
            f"role {role} is a superuser or bypasses row-level security: not for a workstation",
        )
    elif not found.rolcanlogin:
        conn.execute(sa.text(f"ALTER ROLE {_q(role)} LOGIN"))
    if secret is not None:
        # ALTER ROLE takes no parameters: the password (URL-safe characters) as a literal.
        conn.execute(sa.text(f"ALTER ROLE {_q(role)} PASSWORD '{secret}'"))


def remove(engine: sa.Engine, ws: str, *, at: str) -> dict[str, Any]:
    """The workstation may send no more: its role loses its grants and its login (the role
    itself stays, owning nothing); its batches stay, and stay known to `sync pull`."""
    with engine.begin() as conn:
        row = conn.execute(sa.select(w.c.role, w.c.removed_at).where(w.c.id == ws)).first()
        if row is None or row.removed_at is not None:
            raise Refusal("unknown_workstation", f"central has no workstation {ws} to remove")
        conn.execute(sa.update(w).where(w.c.id == ws).values(removed_at=at))
        if conn.dialect.name == "postgresql" and row.role is not None:
            r = _q(str(row.role))
            tables = ", ".join(["workstations", "open_item_payments", *BULK, *secured_tables(conn)])
            conn.execute(sa.text(f"REVOKE ALL ON {tables}, {', '.join(READ_ONLY)} FROM {r}"))
            conn.execute(sa.text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {r}"))
            conn.execute(sa.text(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {r}"))
            conn.execute(sa.text(f"ALTER ROLE {r} NOLOGIN"))
    return {"workstation": ws, "role": row.role, "removed": at}


def check_sender(conn: sa.Connection, ws: str, at: str) -> None:
    """In a delivery's transaction: may this connection send a batch of ``ws``?  The
    workstation must be registered and not removed — through a workstation role, it must be
    that role's own (the others are not even visible to it).  A SQLite central registers a
    workstation it has never seen (there are no roles to check)."""
    row = conn.execute(sa.select(w.c.removed_at).where(w.c.id == ws)).first()
    if row is None and conn.dialect.name == "sqlite":
        conn.execute(sa.insert(w).values(id=ws, role=None, added_at=at))
        return
    if row is not None and row.removed_at is None:
        return
    if row is not None:
        raise UnknownWorkstation(f"workstation {ws} was removed from central at {row.removed_at}")
    mine = None
    if conn.dialect.name == "postgresql":
        mine = conn.execute(sa.text("SELECT central_workstation()")).scalar()
    if mine is not None:
        raise UnknownWorkstation(
            f"this connection to central is workstation {mine}'s and may not send "
            f"workstation {ws}'s batches"
        )
    raise UnknownWorkstation(
        f"central does not know workstation {ws}: an administrator registers it with "
        f"`cashier-desk central workstation add {ws}`"
    )


def known() -> sa.Select[Any]:
    """The ids of every workstation central knows (registered, removed or not)."""
    return sa.select(w.c.id)
