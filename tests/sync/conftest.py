"""Fixtures and checks for the central-sync tests.

PostgreSQL: a real server on 127.0.0.1:5432 (user postgres, trust auth).  The session creates
one database ``cashier_desk_test_<random>`` with the central schema and the workstation role,
registered as workstation W1's (``central.init_central`` and ``access.add`` as postgres), and
drops it at the end; each test gets its own copy of it (``CREATE DATABASE ... TEMPLATE``),
dropped after the test, so central starts empty every time.  Without a server the PostgreSQL
tests skip — unless ``CI=true``, where they fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from cashier_desk.app import App
from cashier_desk.ledger import schema as local
from cashier_desk.sync import access, central
from cashier_desk.sync import schema as c
from cashier_desk.sync.relay import SyncResult
from tests.helpers import FakeClock, run_ok
from tests.sync.proxy import TcpProxy

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_ADMIN = "postgres"
AT = "2026-11-01T00:00:00+00:00"
NO_SERVER = f"no PostgreSQL server on {PG_HOST}:{PG_PORT} (set CI=true to require it)"


def pg_url(database: str, user: str = PG_ADMIN, port: int = PG_PORT) -> str:
    return (
        f"postgresql+psycopg://{user}@{PG_HOST}:{port}/{database}"
        "?sslmode=disable&gssencmode=disable"
    )


def _admin(dbname: str = "postgres") -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=PG_HOST,
        port=PG_PORT,
        user=PG_ADMIN,
        dbname=dbname,
        autocommit=True,
        connect_timeout=3,
        sslmode="disable",
        gssencmode="disable",
    )


def _drop_database(admin: psycopg.Connection[Any], name: str) -> None:
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        [name],
    )
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _ensure_role(admin: psycopg.Connection[Any], role: str) -> None:
    """Create the (cluster-wide) workstation role unless it exists, tolerating another run
    that creates it at the same moment (init_central's check-then-create is not atomic)."""
    with contextlib.suppress(psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))


@dataclass
class PgServer:
    """The run's template database (central initialised) and a way to copy it per test."""

    admin: psycopg.Connection[Any]
    template: str
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    @property
    def template_url(self) -> str:
        return pg_url(self.template)

    def create_copy(self) -> str:
        name = f"{self.template}_t{next(self._numbers)}"
        self.admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(self.template)
            )
        )
        return name

    def drop(self, name: str) -> None:
        _drop_database(self.admin, name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A fresh database ``cashier_desk_test_<random>`` for this run, with the central schema
    and the workstation role; dropped (with every per-test copy) at the end."""
    try:
        admin = _admin()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but PostgreSQL on {PG_HOST}:{PG_PORT} is unreachable: {exc}")
        pytest.skip(NO_SERVER)
    name = f"cashier_desk_test_{secrets.token_hex(4)}"
    try:
        _ensure_role(admin, central.WORKSTATION_ROLE)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        engine = central.engine_for(pg_url(name))
        try:
            central.init_central(engine)
            # The run's one workstation role is workstation W1's (the tests' default id).
            access.add(engine, "W1", at=AT, role=central.WORKSTATION_ROLE, password=False)
        finally:
            engine.dispose()
        yield PgServer(admin, name)
    finally:
        leftovers = [
            str(r[0])
            for r in admin.execute(
                "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
                [name, name + "\\_t%"],
            )
        ]
        for db in leftovers:
            _drop_database(admin, db)
        for (role,) in admin.execute(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE %s", [name + "\\_%"]
        ).fetchall():  # a test's own workstation roles (see ``ws_role``), should one be left
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        _drop_role_unless_in_use(admin, central.WORKSTATION_ROLE)
        admin.close()


def _drop_role_unless_in_use(admin: psycopg.Connection[Any], role: str) -> None:
    """Leave no role behind on the shared server: the workstation role goes with the last run
    (another run still holding a test database keeps it; a role still granted elsewhere stays)."""
    others = admin.execute(
        "SELECT 1 FROM pg_database WHERE datname LIKE 'cashier\\_desk\\_test\\_%' LIMIT 1"
    ).fetchone()
    if others is None:
        with contextlib.suppress(psycopg.errors.DependentObjectsStillExist):
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.fixture(scope="session")
def pg_session_url(pg_server: PgServer) -> str:
    """The SQLAlchemy URL of the run's database (central initialised, as postgres)."""
    return pg_server.template_url


@dataclass
class CentralPg:
    """One test's own central database: URLs for the administrator and the workstation role,
    and an administrator's engine to look at it directly."""

    name: str
    url: str
    workstation_url: str
    engine: sa.Engine


@pytest.fixture
def central_pg(pg_server: PgServer) -> Iterator[CentralPg]:
    name = pg_server.create_copy()
    engine = central.engine_for(pg_url(name))
    try:
        yield CentralPg(name, pg_url(name), pg_url(name, central.WORKSTATION_ROLE), engine)
    finally:
        engine.dispose()
        pg_server.drop(name)


@pytest.fixture
def ws_role(central_pg: CentralPg, pg_server: PgServer) -> Iterator[Callable[[str], str]]:
    """``ws_role("W2")`` registers workstation W2 at the test's central with a role of its
    own (named after the test's database: roles are the whole server's) and returns the URL
    to connect as it; the roles are dropped after the test."""
    made: list[str] = []

    def add(ws: str) -> str:
        role = f"{central_pg.name}_{ws.lower()}"
        access.add(central_pg.engine, ws, at=AT, role=role, password=False)
        made.append(role)
        return pg_url(central_pg.name, role)

    yield add
    central_pg.engine.dispose()
    for role in made:
        pg_server.admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [role]
        )
        with _admin(central_pg.name) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        pg_server.admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    """A loopback proxy in front of the PostgreSQL server, stopped after the test."""
    with TcpProxy((PG_HOST, PG_PORT)) as p:
        yield p


@pytest.fixture
def engines() -> Iterator[Callable[[str], sa.Engine]]:
    """central.engine_for(url), disposed after the test."""
    made: list[sa.Engine] = []

    def make(url: str) -> sa.Engine:
        engine = central.engine_for(url)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m cashier_desk ARGS`` with no CASHIER_DESK_* settings from outside (only
    those given in ``env``, and the tests' low argon2 cost)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CASHIER_DESK_") or k == "CASHIER_DESK_ARGON2_COST"
    }
    return subprocess.run(
        [sys.executable, "-m", "cashier_desk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **(env or {})},
        check=False,
    )


# -- a workstation that talks to a given central ----------------------------------------


def workstation(
    make_app: Callable[..., App], url: str, clock: FakeClock | None = None, name: str = "data"
) -> App:
    """A workstation whose relay talks to ``url`` (set before its first push)."""
    app = make_app(name, clock=clock or FakeClock())
    assert app.desk.relay is not None
    app.desk.relay.central_url = url
    return app


def push(app: App) -> SyncResult:
    assert app.desk.relay is not None
    return app.desk.relay.push()


@pytest.fixture
def ws_url(central_pg: CentralPg, proxy: TcpProxy) -> str:
    """The workstation's way to central: through the proxy, as the workstation role."""
    return proxy.url(central_pg.name, user=central.WORKSTATION_ROLE)


# -- a second day ---------------------------------------------------------------------------


def next_day_clock(clock: FakeClock, days: int = 1) -> FakeClock:
    return FakeClock(clock.now + timedelta(days=days))


def other_day(app: App) -> dict[str, Any]:
    """A day unlike ``small_day`` (another cashier and drawer; cash, card and money order; an
    exact count, no approval needed), so it can follow it on the same ledger.  Returns the
    closeout."""
    results = run_ok(
        app,
        {"op": "login", "user": "bob", "pin": "2468"},
        {"op": "open_drawer", "drawer": "D2", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"code": "DOG-LIC", "qty": 1}],
         "tenders": [{"type": "cash", "amount": "20.00"}]},
        {"op": "sale", "items": [{"code": "PKG-PRM-RES", "qty": 1}],
         "tenders": [{"type": "card", "amount": "35.00", "auth": "A1B2C3", "last4": "4242"}]},
        {"op": "sale", "items": [{"code": "MISC", "amount": "7.25"}],
         "tenders": [{"type": "money_order", "amount": "7.25", "number": "MO-77"}]},
        {"op": "close_drawer", "counted": {"cash": {"20.00": 6},
                                           "money_orders": [{"number": "MO-77",
                                                             "amount": "7.25"}],
                                           "card": "35.00"}},
        {"op": "logout"},
        {"op": "closeout", "date": app.desk.business_date(), "approver": "lee",
         "approver_pin": "1111"},
    )  # fmt: skip
    return results[-1]


# -- comparing central with the workstations ------------------------------------------------


def local_batches(*apps: App) -> dict[str, dict[str, Any]]:
    """Every closed batch of these workstations' ledgers, with the figures central must hold."""
    out: dict[str, dict[str, Any]] = {}
    for app in apps:
        with app.ledger.read() as conn:
            for b in conn.execute(sa.select(local.batches).order_by(local.batches.c.id)):
                in_batch = local.receipts.c.session_id.in_(
                    sa.select(local.batch_sessions.c.session_id).where(
                        local.batch_sessions.c.batch_id == b.id
                    )
                )
                rcpts = conn.execute(
                    sa.select(local.receipts.c.receipt_no, local.receipts.c.total_cents)
                    .where(in_batch)
                    .order_by(local.receipts.c.receipt_no)
                ).all()
                receipt_ids = sa.select(local.receipts.c.id).where(in_batch)
                voided = conn.execute(
                    sa.select(sa.func.count()).where(local.voids.c.receipt_id.in_(receipt_ids))
                ).scalar_one()
                tenders = {
                    str(k): int(v)
                    for k, v in conn.execute(
                        sa.select(local.tenders.c.kind, sa.func.sum(local.tenders.c.amount_cents))
                        .where(local.tenders.c.receipt_id.in_(receipt_ids))
                        .group_by(local.tenders.c.kind)
                    )
                }
                n_lines, line_cents = conn.execute(
                    sa.select(
                        sa.func.count(),
                        sa.func.coalesce(sa.func.sum(local.receipt_lines.c.amount_cents), 0),
                    ).where(local.receipt_lines.c.receipt_id.in_(receipt_ids))
                ).one()
                summary = json.loads(b.payload)["summary"]
                out[b.id] = {
                    "workstation": b.workstation,
                    "business_date": b.business_date,
                    "sha256": b.sha256,
                    "payload_sha256": hashlib.sha256(b.payload.encode()).hexdigest(),
                    "receipts": len(rcpts),
                    "voids": int(voided),
                    "receipt_nos": [r.receipt_no for r in rcpts],
                    "receipts_cents": sum(int(r.total_cents) for r in rcpts),
                    "tenders_cents": tenders,
                    "lines": (int(n_lines), int(line_cents)),
                    "tender_totals": {
                        t: (
                            _cents(f["expected"]),
                            _cents(f["counted"]),
                            _cents(f["over_short"]),
                        )
                        for t, f in summary["tenders"].items()
                    },
                    "gl": {a: _cents(v) for a, v in summary["gl"].items()},
                    "deposit_cents": _cents(summary["deposit"]["total"]),
                }
    return out


def _cents(text: str) -> int:
    from cashier_desk.money import Money

    return Money.parse(text).cents


def central_batches(engine: sa.Engine) -> dict[str, dict[str, Any]]:
    """Every batch central holds, with the same figures as ``local_batches``."""
    out: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        rows = conn.execute(sa.select(c.batches).order_by(c.batches.c.id)).all()
        for b in rows:
            rcpts = conn.execute(
                sa.select(c.receipts.c.receipt_no, c.receipts.c.total_cents, c.receipts.c.voided)
                .where(c.receipts.c.batch_id == b.id)
                .order_by(c.receipts.c.receipt_no)
            ).all()
            tenders = {
                str(k): int(v)
                for k, v in conn.execute(
                    sa.select(c.tenders.c.kind, sa.func.sum(c.tenders.c.amount_cents))
                    .where(c.tenders.c.batch_id == b.id)
                    .group_by(c.tenders.c.kind)
                )
            }
            n_lines, line_cents = conn.execute(
                sa.select(
                    sa.func.count(), sa.func.coalesce(sa.func.sum(c.lines.c.amount_cents), 0)
                ).where(c.lines.c.batch_id == b.id)
            ).one()
            tender_totals = {
                str(t): (int(e), int(k), int(o))
                for t, e, k, o in conn.execute(
                    sa.select(
                        c.tender_totals.c.tender,
                        c.tender_totals.c.expected_cents,
                        c.tender_totals.c.counted_cents,
                        c.tender_totals.c.over_short_cents,
                    ).where(c.tender_totals.c.batch_id == b.id)
                )
            }
            gl = {
                str(a): int(v)
                for a, v in conn.execute(
                    sa.select(c.gl.c.account, c.gl.c.amount_cents).where(c.gl.c.batch_id == b.id)
                )
            }
            deposit = conn.execute(
                sa.select(c.deposits.c.total_cents).where(c.deposits.c.batch_id == b.id)
            ).scalar_one()
            assert b.receipts == len(rcpts), f"batch {b.id}: receipts column disagrees with rows"
            out[b.id] = {
                "workstation": b.workstation,
                "business_date": b.business_date,
                "sha256": b.sha256,
                "payload_sha256": hashlib.sha256(b.payload.encode()).hexdigest(),
                "receipts": len(rcpts),
                "voids": sum(1 for r in rcpts if r.voided),
                "receipt_nos": [r.receipt_no for r in rcpts],
                "receipts_cents": sum(int(r.total_cents) for r in rcpts),
                "tenders_cents": tenders,
                "lines": (int(n_lines), int(line_cents)),
                "tender_totals": tender_totals,
                "gl": gl,
                "deposit_cents": int(deposit),
            }
    return out


def central_row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for t in c.metadata.sorted_tables
            if t.name in c.BATCH_TABLES
        }


def dump_central(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every central batch table, to prove a refusal changed nothing."""
    with engine.connect() as conn:
        return {
            t.name: sorted(tuple(r) for r in conn.execute(sa.select(t)))
            for t in c.metadata.sorted_tables
            if t.name in c.BATCH_TABLES
        }


def assert_central_equals_local(engine: sa.Engine, *apps: App) -> dict[str, dict[str, Any]]:
    """Central holds exactly the workstations' closed batches: the same ids and hashes, the
    same receipts, sums per tender and GL — none twice, none lost."""
    mine = local_batches(*apps)
    theirs = central_batches(engine)
    assert sorted(theirs) == sorted(mine), "batch ids differ (lost or extra batches)"
    for bid, figures in mine.items():
        assert figures["sha256"] == figures["payload_sha256"]
        assert theirs[bid] == figures, f"batch {bid} differs between central and the workstation"
    counts = central_row_counts(engine)
    assert counts["batches"] == len(mine)
    assert counts["receipts"] == sum(b["receipts"] for b in mine.values()), "a receipt twice?"
    assert counts["tenders"] == sum(
        len(json.loads(_payload(engine, bid))["detail"]["tenders"]) for bid in mine
    )
    assert counts["chain_heads"] == len(mine)
    all_receipts = [n for b in mine.values() for n in b["receipt_nos"]]
    assert len(all_receipts) == len(set(all_receipts)), "a receipt in two batches"
    return mine


def _payload(engine: sa.Engine, batch_id: str) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                sa.select(c.batches.c.payload).where(c.batches.c.id == batch_id)
            ).scalar_one()
        )


def local_payload(app: App, batch_id: str) -> tuple[str, str]:
    with app.ledger.read() as conn:
        row = conn.execute(
            sa.select(local.batches.c.payload, local.batches.c.sha256).where(
                local.batches.c.id == batch_id
            )
        ).one()
    return str(row.payload), str(row.sha256)


def outbox_row(app: App, batch_id: str) -> dict[str, Any]:
    with app.ledger.read() as conn:
        return dict(
            conn.execute(sa.select(local.outbox).where(local.outbox.c.batch_id == batch_id))
            .mappings()
            .one()
        )


def forget_ack(app: App, batch_id: str) -> None:
    """Make the outbox row pending again, as if central's acknowledgement had been lost."""
    with app.ledger.write() as conn:
        conn.execute(
            sa.update(local.outbox)
            .where(local.outbox.c.batch_id == batch_id)
            .values(sent_at=None, outcome=None)
        )


def reseal(payload: dict[str, Any]) -> tuple[str, str]:
    """Canonical text and SHA-256 of an edited payload (as the closeout writes them)."""
    from cashier_desk.ledger import audit

    text = audit.canonical(payload)
    return text, hashlib.sha256(text.encode()).hexdigest()
