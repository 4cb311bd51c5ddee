"""Reference data from central: codes, users and open items flow to the workstations, and an
item paid at one counter shows as paid at another after `sync pull`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cashier_desk.app import App
from cashier_desk.config import Config
from cashier_desk.demo import DEMO_DIR
from cashier_desk.ledger.pins import PinHasher
from cashier_desk.runner import run_op
from cashier_desk.sync import central
from cashier_desk.sync.pull import central_import
from tests.helpers import SUPERVISOR, run_ok

PAY_AND_CLOSE = (
    {"op": "open_drawer", "drawer": "D9", "opening": {"20.00": 5}},
    {"op": "sale", "items": [{"ref": "UB-100234", "amount": "50.00"}],
     "tenders": [{"type": "cash", "amount": "50.00"}]},
    {"op": "close_drawer", "counted": {"cash": {"50.00": 3}}},
    {"op": "closeout", "approver": "lee", "approver_pin": "1111"},
)  # fmt: skip


@pytest.fixture
def central_url(tmp_path: Path, template_dir: Path) -> str:
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = central.engine_for(url)
    central.init_central(engine)
    # Users are imported at central with the city's pepper: the one the workstations hold.
    pins = PinHasher.for_data_dir(template_dir, Config())
    for kind, name in (("revenue-codes", "revenue_codes"), ("users", "users"),
                       ("open-items", "open_items")):  # fmt: skip
        central_import(
            engine, kind, DEMO_DIR / f"{name}.csv", "2026-11-01T00:00:00+00:00", pins=pins
        )
    engine.dispose()
    return url


def _counter(make_app: Callable[..., App], name: str, ws: str, url: str) -> App:
    app = make_app(name, workstation=ws)
    assert app.desk.relay is not None
    app.desk.relay.central_url = url
    return app


def test_a_payment_at_one_counter_shows_at_another_after_pull(
    make_app: Callable[..., App], central_url: str
) -> None:
    w1 = _counter(make_app, "w1", "W1", central_url)
    w2 = _counter(make_app, "w2", "W2", central_url)
    first = w1.desk.pull_reference_data()
    assert (first.revenue_codes, first.users, first.open_items) == (39, 9, 1611)
    assert w2.desk.pull_reference_data().open_items == 1611
    # Local payments made before a pull keep counting after it.
    run_ok(w1, {"op": "login", "user": "amy", "pin": "4821"},
           {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
           {"op": "sale", "items": [{"ref": "UB-100234", "amount": "10.00"}],
            "tenders": [{"type": "cash", "amount": "10.00"}]})  # fmt: skip
    run_ok(w2, {"op": "login", "user": "bob", "pin": "2468"}, *PAY_AND_CLOSE, {"op": "sync"})
    again = w1.desk.pull_reference_data()
    assert (again.open_items, again.payments_applied) == (0, 1)
    item = w1.desk.open_item("UB-100234")
    assert item is not None and str(item.still_due) == "22.15"  # 82.15 - 50.00 - 10.00
    refused = run_op(w1.desk, {"op": "sale", "items": [{"ref": "UB-100234", "amount": "22.16"}],
                               "tenders": [{"type": "cash", "amount": "30.00"}]})  # fmt: skip
    assert refused["error"] == "overpayment"
    # Pulling again applies nothing twice.
    assert w1.desk.pull_reference_data().payments_applied == 0
    item = w1.desk.open_item("UB-100234")
    assert item is not None and str(item.still_due) == "22.15"


def test_a_changed_row_at_central_replaces_the_balance(
    make_app: Callable[..., App], central_url: str, tmp_path: Path
) -> None:
    w1 = _counter(make_app, "w1", "W1", central_url)
    w1.desk.pull_reference_data()
    changed = tmp_path / "items.csv"
    changed.write_text(
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status\n"
        "UB-100234,UTILITY,42-1,New Name,1 Main St,99.99,2026-12-31,UB-WATER,open\n"
    )
    engine = central.engine_for(central_url)
    central_import(engine, "open-items", changed, "2026-11-20T00:00:00+00:00")
    engine.dispose()
    result = w1.desk.pull_reference_data()
    assert result.open_items == 1
    item = w1.desk.open_item("UB-100234")
    assert item is not None and (item.name, str(item.still_due)) == ("New Name", "99.99")
    # The counter's search follows the pull in the same transaction.
    assert [i.ref for i in w1.desk.search_open_items("new name")] == ["UB-100234"]
    assert "UB-100234" not in [i.ref for i in w1.desk.search_open_items("vera oyelaran")]


def test_pull_without_a_reachable_central_is_a_clear_refusal(
    make_app: Callable[..., App], tmp_path: Path
) -> None:
    app = _counter(make_app, "w1", "W1", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = run_op(app.desk, {"op": "sync"})
    assert result["ok"] is True  # nothing waits to be sent, so central is not needed
    from cashier_desk.errors import Refusal

    with pytest.raises(Refusal) as refused:
        app.desk.pull_reference_data()
    assert refused.value.code == "central_unreachable"


def test_a_file_with_the_new_columns_goes_to_central_and_a_pull_brings_the_plate(
    make_app: Callable[..., App], central_url: str, tmp_path: Path
) -> None:
    """Central keeps the plate (c0012, not ``as_of``): a pull brings a new item with its plate;
    an item central changed whose row has no plate keeps the one a local import gave it (a
    re-import sets only the columns its file has); both are found by the counter's search."""
    w1 = _counter(make_app, "w1", "W1", central_url)
    local = tmp_path / "local.csv"
    local.write_text(
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status,plate\n"
        "PK-9001,PARKING,P-1,Ana Ruiz,1 Main St,45.00,2026-11-30,PKG-CIT-MTR,open,8ABC123\n"
    )
    w1.desk.import_file("open-items", local, **SUPERVISOR)
    changed = tmp_path / "items.csv"
    changed.write_text(
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status,plate,as_of\n"
        "PK-9001,PARKING,P-1,Ana Ruiz-Soto,1 Main St,55.00,2026-11-30,PKG-CIT-MTR,open,,\n"
        "PK-9002,PARKING,P-2,Lou Park,2 Main St,45.00,2026-11-30,PKG-CIT-MTR,open,7XYZ900,"
        "2026-11-20T10:00:00+00:00\n"
    )
    engine = central.engine_for(central_url)
    assert central_import(engine, "open-items", changed, "2026-11-21T00:00:00+00:00").rows == 2
    engine.dispose()
    w1.desk.pull_reference_data()
    assert [i.ref for i in w1.desk.search_open_items("ruiz soto")] == ["PK-9001"]
    assert [i.ref for i in w1.desk.search_open_items("8abc123")] == ["PK-9001"]
    assert [i.ref for i in w1.desk.search_open_items("7xyz900 lou park")] == ["PK-9002"]
    item = w1.desk.open_item("PK-9001")
    assert item is not None and str(item.still_due) == "55.00"
