"""``[policy] max_amount``: no line, tender, count, drop or paid-out above it, at the Desk (so
in scripts and the window alike), through ``cashier-desk run``, and no revenue-code fee above
it in an import.  Each place takes the maximum and refuses one cent more, changing nothing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.config import Config, ConfigError, parse_config
from cashier_desk.errors import Refusal
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from tests.faults.harness import cli, run_script
from tests.helpers import SUPERVISOR, dump_tables, import_city

MAX = "1000000.00"
OVER = "1000000.01"
Op = dict[str, Any]


def sale_of(amount: str, tender: str | None = None) -> Op:
    return {
        "op": "sale",
        "items": [{"code": "MISC", "amount": amount}],
        "tenders": [{"type": "cash", "amount": tender or amount}],
    }


def small_sale_tendered(tender: Op) -> Op:
    return {"op": "sale", "items": [{"code": "DOG-LIC"}], "tenders": [tender]}


def close(**counted: Any) -> Op:
    return {"op": "close_drawer", "counted": counted}


def _at_the_counter(app: App, opening: dict[str, int] | None = None) -> None:
    for op in (
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": opening or {"20.00": 3}},
    ):
        assert run_op(app.desk, op)["ok"], op


def _refused_and_nothing_changed(app: App, op: Op) -> dict[str, Any]:
    before = dump_tables(app)
    result = run_op(app.desk, op)
    assert result["ok"] is False and result["error"] == "amount_too_large", result
    assert "max_amount" in result["message"], result
    assert dump_tables(app) == before
    return result


def test_the_default_maximum_is_one_million_and_a_config_may_set_another() -> None:
    assert Config().max_amount == Money.parse(MAX)
    assert parse_config("").max_amount == Money.parse(MAX)
    assert parse_config('[policy]\nmax_amount = "250.00"\n').max_amount == Money(25000)
    for bad in ('"0.00"', '"-1.00"', "1000", '"12.345"'):
        with pytest.raises(ConfigError, match="max_amount"):
            parse_config(f"[policy]\nmax_amount = {bad}\n")


# Each place where money enters: (what is done first, the operation at the maximum, one cent
# over).  A count's maximum is reached with 100.00 × 10000: a drawer that took no payment of
# a kind may count at most the maximum of it (see the busy drawer below for one that did).
AT_THE_MAXIMUM: dict[str, tuple[list[Op], Op, Op]] = {
    "an open fee's line": ([], sale_of(MAX), sale_of(OVER, MAX)),
    "a cash tender": (
        [],
        small_sale_tendered({"type": "cash", "amount": MAX}),
        small_sale_tendered({"type": "cash", "amount": OVER}),
    ),
    "a check tender": (
        [],
        sale_of(MAX, None) | {"tenders": [{"type": "check", "amount": MAX, "number": "7"}]},
        sale_of(MAX) | {"tenders": [{"type": "check", "amount": OVER, "number": "7"}]},
    ),
    "a drop": (
        [sale_of(MAX)],
        {"op": "drop", "amount": MAX},
        {"op": "drop", "amount": OVER},
    ),
    "a paid-out": (
        [sale_of(MAX)],
        {
            "op": "paid_out",
            "amount": MAX,
            "reason": "x",
            "gl": "101-1200-52100",
            "approver": "lee",
            "approver_pin": "1111",
        },
        {
            "op": "paid_out",
            "amount": OVER,
            "reason": "x",
            "gl": "101-1200-52100",
            "approver": "lee",
            "approver_pin": "1111",
        },
    ),
    "the cash counted at the close": (
        [],
        close(cash={"100.00": 10000}),
        close(cash={"100.00": 10000, "0.01": 1}),
    ),
    "one denomination counted at the close": (
        [],
        close(cash={"100.00": 10000}),
        close(cash={"100.00": 10001}),
    ),
    "a counted check": (
        [],
        close(checks=[{"number": "1", "amount": MAX}]),
        close(checks=[{"number": "1", "amount": OVER}]),
    ),
    "a counted money order": (
        [],
        close(money_orders=[{"number": "1", "amount": MAX}]),
        close(money_orders=[{"number": "1", "amount": OVER}]),
    ),
    "the card batch total": ([], close(card=MAX), close(card=OVER)),
}


@pytest.mark.parametrize("place", list(AT_THE_MAXIMUM))
def test_the_maximum_is_taken_and_a_cent_more_refused(app: App, place: str) -> None:
    setup, at_max, over = AT_THE_MAXIMUM[place]
    _at_the_counter(app)
    for op in setup:
        assert run_op(app.desk, op)["ok"], op
    _refused_and_nothing_changed(app, over)
    result = run_op(app.desk, at_max)
    assert result["ok"], result


@pytest.mark.parametrize(
    ("opening", "ok"),
    [
        ({"100.00": 10000}, True),
        ({"100.00": 10000, "0.01": 1}, False),  # the whole count
        ({"100.00": 10001}, False),  # one denomination's value
    ],
)
def test_an_opening_count_over_the_maximum_is_refused(
    app: App, opening: dict[str, int], ok: bool
) -> None:
    assert run_op(app.desk, {"op": "login", "user": "amy", "pin": "4821"})["ok"]
    op = {"op": "open_drawer", "drawer": "D1", "opening": opening}
    if ok:
        assert run_op(app.desk, op)["ok"]
    else:
        _refused_and_nothing_changed(app, op)


def _counter_with_maximum(
    make_app: Callable[..., App], template_dir: Path, tmp_path: Path, maximum: str
) -> App:
    """Amy at drawer D1 of a data folder whose config.toml sets ``max_amount``."""
    target = tmp_path / "data"
    shutil.copytree(template_dir, target)
    (target / "config.toml").write_text(f'[policy]\nmax_amount = "{maximum}"\n', encoding="utf-8")
    app = make_app()
    assert app.config.max_amount == Money.parse(maximum)
    _at_the_counter(app)
    return app


def test_another_maximum_in_the_config_is_the_one_enforced(
    make_app: Callable[..., App], template_dir: Path, tmp_path: Path
) -> None:
    app = _counter_with_maximum(make_app, template_dir, tmp_path, "100.00")
    _refused_and_nothing_changed(app, sale_of("100.01", "100.01"))
    # a fixed fee times its quantity is one line: 20.00 × 6 is over 100.00
    _refused_and_nothing_changed(
        app,
        {"op": "sale", "items": [{"code": "DOG-LIC", "qty": 6}],
         "tenders": [{"type": "cash", "amount": "100.00"}]},
    )  # fmt: skip
    # a tender
    _refused_and_nothing_changed(app, small_sale_tendered({"type": "cash", "amount": "100.01"}))
    assert run_op(app.desk, sale_of("100.00"))["ok"]
    assert run_op(app.desk, {"op": "sale", "items": [{"code": "DOG-LIC", "qty": 5}],
                             "tenders": [{"type": "cash", "amount": "100.00"}]})["ok"]  # fmt: skip
    _refused_and_nothing_changed(app, {"op": "drop", "amount": "100.01"})


def test_a_busy_drawer_whose_payments_add_up_past_the_maximum_closes(
    make_app: Callable[..., App], template_dir: Path, tmp_path: Path
) -> None:
    """Each payment under the maximum, their sum over it: the honest count closes (no drawer
    left open for ever).  A total may be the maximum times the payments of its kind the drawer
    took (cash: and its opening fund), a cent more is refused; each check still on its own."""
    app = _counter_with_maximum(make_app, template_dir, tmp_path, "5000.00")  # opening 60.00
    three = {"code": "MISC", "amount": "3000.00"}
    for tender in (
        {"type": "check", "amount": "3000.00", "number": "11"},
        {"type": "check", "amount": "3000.00", "number": "12"},
        {"type": "card", "amount": "3000.00", "auth": "A1", "last4": "1234"},
        {"type": "card", "amount": "3000.00", "auth": "B2", "last4": "1234"},
        {"type": "cash", "amount": "3000.00"},
        {"type": "cash", "amount": "3000.00"},
    ):
        assert run_op(app.desk, {"op": "sale", "items": [three], "tenders": [tender]})["ok"]
    checks = [{"number": "11", "amount": "3000.00"}, {"number": "12", "amount": "3000.00"}]
    honest: dict[str, Any] = {
        "cash": {"100.00": 60, "20.00": 3},  # 6,060.00
        "checks": checks,
        "money_orders": [],
        "card": "6000.00",
    }
    card_over = _refused_and_nothing_changed(app, close(**honest | {"card": "10000.01"}))
    assert "2 card payment(s)" in card_over["message"], card_over
    # cash: two payments and the opening fund, 3 × 5,000.00 = 15,000.00
    cash_over = _refused_and_nothing_changed(
        app, close(**honest | {"cash": {"100.00": 150, "0.01": 1}})
    )
    assert "opening fund" in cash_over["message"], cash_over
    _refused_and_nothing_changed(
        app, close(**honest | {"checks": [*checks, {"number": "13", "amount": "5000.01"}]})
    )
    closed = run_op(app.desk, close(**honest))
    assert closed["ok"] and closed["needs_approval"] is False, closed
    assert set(closed["over_short"].values()) == {"0.00"}, closed


CITATION_CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    'PKG-CIT,Parking citation,PARKING,"250-0000-22010=3.00;101-0000-41300",open,,no,citation\n'
)


@pytest.mark.parametrize(("fine", "ok"), [("90.00", True), ("100.00", True), ("100.01", False)])
def test_a_citation_and_its_penalty_are_limited_line_by_line(
    make_app: Callable[..., App], template_dir: Path, tmp_path: Path, fine: str, ok: bool
) -> None:
    """headless.md: no LINE over the maximum.  A late citation is its fine and a penalty of
    100% of it, two lines: 90.00 + 90.00 = 180.00 under a 100.00 maximum is taken (an outside
    trial found the item's total refused); a fine of 100.01 is one line over."""
    app = _counter_with_maximum(make_app, template_dir, tmp_path, "100.00")
    items = (
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status,issued\n"
        f"PC-9,PARKING,7ABC123,Ann Lee,1 Main St,{fine},2026-10-30,PKG-CIT,open,2026-10-01\n"
    )
    import_city(app, tmp_path, CITATION_CODES, items)
    total = str(Money.parse(fine) * 2)
    op: Op = {"op": "quote", "items": [{"ref": "PC-9"}]}
    if not ok:
        refused = _refused_and_nothing_changed(app, op)
        assert "Parking citation" in refused["message"], refused
        return
    quoted = run_op(app.desk, op)
    assert quoted["ok"] and quoted["total"] == total, quoted
    assert [line["amount"] for line in quoted["lines"]] == [fine, fine]
    cards = [{"type": "card", "amount": fine, "auth": f"A{n}", "last4": "1234"} for n in (1, 2)]
    sold = run_op(app.desk, {"op": "sale", "items": [{"ref": "PC-9"}], "tenders": cards})
    assert sold["ok"] and sold["total"] == total, sold


def test_an_open_item_payment_over_the_maximum_is_refused(
    make_app: Callable[..., App], tmp_path: Path, template_dir: Path
) -> None:
    app = _counter_with_maximum(make_app, template_dir, tmp_path, "80.00")
    due = app.desk.open_item("UB-100234")
    assert due is not None and due.still_due == Money.parse("82.15")
    # Paying the whole 82.15 (no amount given) is one line over 80.00.
    _refused_and_nothing_changed(
        app,
        {"op": "sale", "items": [{"ref": "UB-100234"}],
         "tenders": [{"type": "cash", "amount": "80.00"}]},
    )  # fmt: skip


def test_the_desk_refuses_what_the_window_sends_over_the_maximum(app: App) -> None:
    """The window calls the same Desk: a Money over the maximum is refused there too."""
    app.desk.login("amy", "4821")
    with pytest.raises(Refusal) as refused:
        app.desk.open_drawer("D1", {Money(10000): 10001})
    assert refused.value.code == "amount_too_large"


def test_a_script_over_the_maximum_stops_the_run_with_exit_1(
    template_dir: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(template_dir, data)
    ops: list[Op] = [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        sale_of(OVER, MAX) | {"expect": "error"},
        sale_of(MAX),
        sale_of(OVER, OVER),
    ]
    done = run_script(data, ops, tmp_path / "day.jsonl")
    assert done.returncode == 1, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r.get("error") for r in results] == [None, None, "amount_too_large", None,
                                                 "amount_too_large"]  # fmt: skip
    assert results[3]["total"] == MAX
    assert "max_amount" in done.stderr and "Traceback" not in done.stderr
    listed = cli(data, "receipts")
    assert [json.loads(line)["total"] for line in listed.stdout.splitlines()] == [MAX]


@pytest.mark.parametrize(("amount", "error"), [(MAX, None), (OVER, "amount_too_large")])
def test_a_revenue_code_whose_fee_is_over_the_maximum_is_not_imported(
    app: App, tmp_path: Path, amount: str, error: str | None
) -> None:
    path = tmp_path / "codes.csv"
    path.write_text(
        "code,description,program,gl,fee_type,amount,partial_allowed\n"
        "BIG-OK,Big fee,misc,101-0000-41100,fixed,100.00,no\n"
        f"BIG,Big fee,misc,101-0000-41100,fixed,{amount},no\n",
        encoding="utf-8",
    )
    before = dump_tables(app)
    if error is None:
        assert app.desk.import_file("revenue-codes", path, **SUPERVISOR).rows == 2
        return
    with pytest.raises(Refusal) as refused:
        app.desk.import_file("revenue-codes", path, **SUPERVISOR)
    assert refused.value.code == error
    assert "codes.csv line 3, column amount" in refused.value.message
    assert "max_amount" in refused.value.message
    assert dump_tables(app) == before


def test_an_open_items_balance_is_a_debt_not_money_taken_and_is_imported(
    app: App, tmp_path: Path
) -> None:
    """A bill of 2,500,000.00 (a big property's tax) imports: it is paid in parts."""
    path = tmp_path / "items.csv"
    path.write_text(
        "ref,program,account,name,address,amount_due,due_date,revenue_code,status\n"
        "PT-1,property_tax,A-1,Big Mall,1 Mall Way,2500000.00,2026-12-01,DOG-LIC,open\n",
        encoding="utf-8",
    )
    assert app.desk.import_file("open-items", path, **SUPERVISOR).rows == 1
    item = app.desk.open_item("PT-1")
    assert item is not None and item.amount_due == Money.parse("2500000.00")
