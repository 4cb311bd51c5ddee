"""Open items published through central keep their optional columns (programs.md: "Open items
gain optional columns `issued` ... and `notice`"; headless.md, open-items' `plate`): central
keeps `plate`, `issued` and `notice` (migration c0012), `central import open-items` reads them
as a local import does, and `sync pull` carries them into the ledger's open items.  So a
citation published the README's way is contested on the last day of its review window (of
`issued`, or of `notice`) and refused a day later (`contest_window_closed`), as the same row
imported at the counter; its plate is found by the counter's search; a file without the
columns still imports, its rows with none.  On SQLite (the README's command line too) and
PostgreSQL (pulled through the workstation's role); the migration's downgrade drops them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from cashier_desk.app import App
from cashier_desk.ledger import schema as local
from cashier_desk.runner import run_op
from cashier_desk.sync import central
from cashier_desk.sync import schema as c
from cashier_desk.sync.pull import central_import
from tests.helpers import FakeClock, run_ok
from tests.programs.test_contests_plans_counter import CODES
from tests.sync.conftest import AT, CentralPg, workstation
from tests.sync.test_adjustments_across import _sqlite_central

#: Review windows (default rules): 21 days of `issued`, 14 days of `notice` — both end on
#: 2026-11-30 for the first two, and the next two are the same a day later.
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status,"
    "issued,notice,plate\n"
    "PC-2001,PARKING,7ABC201,Ann Lee,1 Main St,50.00,2026-12-31,PKG-CIT,open,2026-11-09,,8ABC123\n"
    "PC-2002,PARKING,7ABC202,Bo Ray,2 Main St,50.00,2026-12-31,PKG-CIT,open,2026-10-01,"
    "2026-11-16,\n"
    "PC-2003,PARKING,7ABC203,Cy Dee,3 Main St,50.00,2026-12-31,PKG-CIT,open,2026-11-09,,\n"
    "PC-2004,PARKING,7ABC204,Di Fox,4 Main St,50.00,2026-12-31,PKG-CIT,open,,2026-11-16,\n"
)
OLD = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status\n"
    "PC-2001,PARKING,7ABC201,Ann Lee,1 Main St,50.00,2026-12-31,PKG-CIT,open\n"
    "PC-2005,PARKING,7ABC205,Ed Gee,5 Main St,50.00,2026-12-31,PKG-CIT,open\n"
)


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    codes, items, old = tmp_path / "codes.csv", tmp_path / "items.csv", tmp_path / "old.csv"
    codes.write_text(CODES, encoding="utf-8")
    items.write_text(ITEMS, encoding="utf-8")
    old.write_text(OLD, encoding="utf-8")
    return codes, items, old


def _publish(engine: sa.Engine, codes: Path, items: Path) -> None:
    central_import(engine, "revenue-codes", codes, AT)
    assert central_import(engine, "open-items", items, AT).rows == 4


def _on(app: App, day: str) -> None:
    assert isinstance(app.desk.clock, FakeClock)
    app.desk.clock.now = datetime.fromisoformat(f"{day}T18:00:00+00:00").astimezone(UTC)


def _contest(app: App, ref: str) -> dict[str, object]:
    return run_op(app.desk, {"op": "contest", "ref": ref, "level": "review",
                             "reason": "meter broken", "contact": "ann@example.org"})  # fmt: skip


def _kept(app: App, ref: str) -> tuple[object, ...]:
    """The item's issue date, notice date and plate in the workstation's ledger."""
    t = local.open_items
    with app.ledger.read() as conn:
        row = conn.execute(sa.select(t.c.issued, t.c.notice, t.c.plate).where(t.c.ref == ref))
        return tuple(row.one())


def _at_the_counter(app: App) -> None:
    """What the pull brought: the windows of `issued` and `notice`, and the plate."""
    pulled = app.desk.pull_reference_data()
    assert pulled.open_items == 4
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"})
    _on(app, "2026-11-30")  # day 21 of issue, day 14 of notice: the last days
    assert _contest(app, "PC-2001")["ok"] is True
    assert _contest(app, "PC-2002")["ok"] is True
    _on(app, "2026-12-01")
    for ref in ("PC-2003", "PC-2004"):
        refused = _contest(app, ref)
        assert (refused["ok"], refused["error"]) == (False, "contest_window_closed"), refused
    assert _kept(app, "PC-2001") == ("2026-11-09", None, "8ABC123")
    assert _kept(app, "PC-2004") == (None, "2026-11-16", "")
    assert [i.ref for i in app.desk.search_open_items("8abc123")] == ["PC-2001"]


def _old_file(app: App, engine: sa.Engine, old: Path) -> None:
    """A file without the columns still imports: its rows have none at central, and an item
    this counter had keeps its own here (central's row cannot tell a file without the column
    from an empty cell; a re-import sets only the columns its file has)."""
    assert central_import(engine, "open-items", old, "2026-12-01T00:00:00+00:00").rows == 2
    t = c.ref_open_items
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.c.ref, t.c.plate, t.c.issued, t.c.notice)
            .where(t.c.ref.in_(["PC-2001", "PC-2005"]))
            .order_by(t.c.ref)
        )
        assert [tuple(r) for r in rows] == [
            ("PC-2001", "", None, None),
            ("PC-2005", "", None, None),
        ]
    assert app.desk.pull_reference_data().open_items == 2
    assert _kept(app, "PC-2001") == ("2026-11-09", None, "8ABC123")
    assert _kept(app, "PC-2005") == (None, None, "")
    assert [i.ref for i in app.desk.search_open_items("8abc123")] == ["PC-2001"]


def test_a_citation_published_through_central_keeps_its_windows_and_plate_on_sqlite(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    url = _sqlite_central(tmp_path)
    codes, items, old = _files(tmp_path)
    engine = central.engine_for(url)
    try:
        _publish(engine, codes, items)
        app = workstation(make_app, url, FakeClock(), name="w1")
        _at_the_counter(app)
        _old_file(app, engine, old)
    finally:
        engine.dispose()


def test_the_readme_command_line_keeps_the_columns_at_central(tmp_path: Path) -> None:
    """`cashier-desk --central URL central import open-items FILE.csv`, as the README says."""
    from tests.faults.harness import cli

    url = _sqlite_central(tmp_path)
    codes, items, _old = _files(tmp_path)
    office = tmp_path / "office"
    for kind, path in (("revenue-codes", codes), ("open-items", items)):
        done = cli(office, "--central", url, "central", "import", kind, str(path))
        assert done.returncode == 0, done.stderr
    engine = central.engine_for(url)
    try:
        t = c.ref_open_items
        with engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.ref, t.c.issued, t.c.notice, t.c.plate))
            assert sorted(tuple(r) for r in rows) == [
                ("PC-2001", "2026-11-09", None, "8ABC123"),
                ("PC-2002", "2026-10-01", "2026-11-16", ""),
                ("PC-2003", "2026-11-09", None, ""),
                ("PC-2004", None, "2026-11-16", ""),
            ]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_citation_published_through_central_keeps_its_windows_and_plate_on_postgresql(
    make_app: Callable[..., App], central_pg: CentralPg, tmp_path: Path
) -> None:
    codes, items, old = _files(tmp_path)
    _publish(central_pg.engine, codes, items)
    # W1 pulls as its own role: it reads the new columns of the reference table.
    app = workstation(make_app, central_pg.workstation_url, FakeClock(), name="w1")
    _at_the_counter(app)
    _old_file(app, central_pg.engine, old)


def _columns(engine: sa.Engine) -> set[str]:
    return {col["name"] for col in sa.inspect(engine).get_columns("ref_open_items")}


def _downgraded(engine: sa.Engine) -> None:
    """Down to c0011: the columns go, the rows stay; up again: the rows have none of them."""
    cfg = central._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "c0011")
    assert central.revision(engine) == "c0011"
    assert not {"plate", "issued", "notice"} & _columns(engine)
    assert central.init_central(engine) == central.head_revision()
    t = c.ref_open_items
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.ref, t.c.plate, t.c.issued, t.c.notice))
        assert sorted(tuple(r) for r in rows) == [
            (f"PC-200{n}", "", None, None) for n in range(1, 5)
        ]


def test_the_migration_downgrades_on_sqlite(tmp_path: Path) -> None:
    url = _sqlite_central(tmp_path)
    codes, items, _old = _files(tmp_path)
    engine = central.engine_for(url)
    try:
        _publish(engine, codes, items)
        _downgraded(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_migration_downgrades_on_postgresql(central_pg: CentralPg, tmp_path: Path) -> None:
    codes, items, _old = _files(tmp_path)
    _publish(central_pg.engine, codes, items)
    _downgraded(central_pg.engine)
