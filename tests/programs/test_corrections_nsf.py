"""Returned (NSF) checks after the closeout (programs.md, "Returned checks"; issue 16): the
check taken back from the receipt's lines in order, open items put back with their GL
reversed cumulatively, other lines made new open items, the fee first or subsequent per
account, the account flagged certified funds only; every refusal changes nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from tests.helpers import FakeClock, dump_tables, import_city, run_ok

STATE = "250-0000-22010=3.00;250-0000-22020=4.50;250-0000-22030=5.00;101-0000-41300"
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    f'PKG-CIT,Parking citation,PARKING,"{STATE}",open,,no,citation\n'
    'WATER,Water bill,UTILITY,"501-0000-22100=10.00;501-0000-44110",open,,yes,\n'
)
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status,issued\n"
    "PC-1001,PARKING,7ABC123,Ann Lee,1 Main St,50.00,2026-12-30,PKG-CIT,open,2026-11-09\n"
    "WB-1,UTILITY,ACCT-9,Bo Chan,2 Elm St,100.00,2026-12-30,WATER,open,\n"
    "WB-2,UTILITY,ACCT-9,Bo Chan,2 Elm St,40.00,2026-12-30,WATER,open,\n"
)
LEE = {"approver": "lee", "approver_pin": "1111"}
AMY = {"op": "login", "user": "amy", "pin": "4821"}


def check(amount: str, number: str = "1042") -> dict[str, Any]:
    return {"type": "check", "amount": amount, "number": number}


def day(app: App, *sales: dict[str, Any], cash: dict[str, int] | None = None) -> list[str]:
    """One day at the counter: the sales (all paid by check), the drawer counted exactly,
    the closeout; the receipts' numbers."""
    run_ok(app, AMY, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    made = [run_ok(app, {"op": "sale", **s})[0]["receipt"] for s in sales]
    counted = [
        {"number": t["number"], "amount": t["amount"]}
        for s in sales
        for t in s["tenders"]
        if t["type"] == "check"
    ]
    run_ok(
        app,
        {"op": "close_drawer", "counted": {"cash": cash or {"20.00": 5}, "checks": counted}},
        {"op": "closeout", **LEE},
        {"op": "logout"},
    )
    return made


def next_day(app: App) -> None:
    clock = app.desk.clock
    assert isinstance(clock, FakeClock)
    clock.advance(days=1)


@pytest.fixture
def city(app: App, tmp_path: Path) -> App:
    import_city(app, tmp_path, CODES, ITEMS)
    return app


def returned(app: App, receipt: str, number: str = "1042") -> dict[str, Any]:
    op = {"op": "returned_check", "receipt": receipt, "number": number, "reason": "NSF", **LEE}
    return run_ok(app, op)[0]


def test_a_check_that_paid_two_items_and_a_fee_code_puts_both_back_and_makes_a_new_item(
    city: App,
) -> None:
    [receipt] = day(
        city,
        {
            "items": [{"ref": "WB-1", "amount": "30.00"}, {"ref": "PC-1001"},
                      {"code": "MISC", "amount": "12.00"}],
            "tenders": [check("92.00")],
            "payer": "Bo Chan",
        },
    )  # fmt: skip
    next_day(city)
    result = returned(city, receipt)
    assert result["amount"] == "92.00"
    assert result["reinstated"] == [
        {"ref": "WB-1", "amount": "30.00"},
        {"ref": "PC-1001", "amount": "50.00"},
    ]
    assert result["new_items"] == [{"ref": "W1-RC000001-L3", "amount": "12.00"}]
    assert result["fee"] == {"ref": "W1-RC000001-FEE", "amount": "25.00"}
    letter = city.ledger.path.parent / "letters" / "returned-check-W1-RC000001.pdf"
    assert letter.read_bytes().startswith(b"%PDF")
    # WB-1: split(30) − split(0): the fixed 10.00 first; the citation's add-ons; MISC's own.
    assert result["gl"] == {
        "501-0000-22100": "-10.00",
        "501-0000-44110": "-20.00",
        "250-0000-22010": "-3.00",
        "250-0000-22020": "-4.50",
        "250-0000-22030": "-5.00",
        "101-0000-41300": "-37.50",
        "101-0000-49100": "-12.00",
    }
    run_ok(city, AMY)
    wb1 = run_ok(city, {"op": "lookup", "ref": "WB-1"})[0]
    assert (wb1["status"], wb1["amount_due"]) == ("open", "100.00")
    assert wb1["flags"] == ["certified_funds_only"]
    pc = run_ok(city, {"op": "lookup", "ref": "PC-1001"})[0]
    assert (pc["status"], pc["amount_due"]) == ("open", "50.00")
    # The new item is paid exactly as that line was split; the fee on its code.
    quote = run_ok(
        city, {"op": "quote", "items": [{"ref": "W1-RC000001-L3"}, {"ref": "W1-RC000001-FEE"}]}
    )[0]
    assert [(x["amount"], x["gl"]) for x in quote["lines"]] == [
        ("12.00", {"101-0000-49100": "12.00"}),
        ("25.00", {"101-0000-43950": "25.00"}),
    ]


def test_cumulative_reversal_unwinds_the_latest_payment_first(city: App) -> None:
    first, second = day(
        city,
        {"items": [{"ref": "WB-1", "amount": "6.00"}], "tenders": [check("6.00", "1")]},
        {"items": [{"ref": "WB-1", "amount": "30.00"}], "tenders": [check("30.00", "2")]},
    )
    next_day(city)
    # Paid 36.00 in all: 10.00 fixed + 26.00; the second payment brought 4.00 + 26.00.
    result = returned(city, second, "2")
    assert result["gl"] == {"501-0000-22100": "-4.00", "501-0000-44110": "-26.00"}
    assert result["fee"]["amount"] == "25.00"
    # The item is owed 94.00 again; paying 30.00 now splits as the returned one did.
    run_ok(city, AMY)
    quote = run_ok(city, {"op": "quote", "items": [{"ref": "WB-1", "amount": "30.00"}]})[0]
    assert quote["lines"][0]["gl"] == {"501-0000-22100": "4.00", "501-0000-44110": "26.00"}
    assert first == "W1-000001"


def test_the_first_fee_then_the_subsequent_one_per_account(city: App) -> None:
    first, second = day(
        city,
        {"items": [{"ref": "WB-1", "amount": "20.00"}], "tenders": [check("20.00", "7")]},
        {"items": [{"ref": "WB-2", "amount": "20.00"}], "tenders": [check("20.00", "8")]},
    )
    next_day(city)
    assert returned(city, first, "7")["fee"]["amount"] == "25.00"
    assert returned(city, second, "8")["fee"] == {"ref": "W1-RC000002-FEE", "amount": "35.00"}


def test_a_check_tender_for_a_flagged_account_is_refused_cash_is_taken(city: App) -> None:
    [receipt] = day(
        city, {"items": [{"ref": "WB-1", "amount": "20.00"}], "tenders": [check("20.00")]}
    )
    next_day(city)
    returned(city, receipt)
    run_ok(city, AMY, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    pay = {"op": "sale", "items": [{"ref": "WB-2", "amount": "5.00"}]}
    before = dump_tables(city)
    refused = run_op(city.desk, {**pay, "tenders": [check("5.00", "9")]})
    assert (refused["ok"], refused["error"]) == (False, "certified_funds_only")
    assert dump_tables(city) == before
    run_ok(city, {**pay, "tenders": [{"type": "cash", "amount": "5.00"}]})
    # The counter shows it on the item (the sale screen says "certified funds only").
    item = city.desk.open_item("WB-2")
    assert item is not None and item.certified_funds_only
    found = {i.ref: i.certified_funds_only for i in city.desk.search_open_items("Bo Chan")}
    assert found == {"WB-1": True, "WB-2": True, "W1-RC000001-FEE": True}
    other = city.desk.open_item("PC-1001")
    assert other is not None and not other.certified_funds_only
    run_ok(city, {**pay, "tenders": [{"type": "money_order", "amount": "5.00", "number": "M1"}]})


@pytest.mark.parametrize(
    ("op", "error"),
    [
        ({"receipt": "W1-000009", "number": "1042"}, "unknown_receipt"),
        ({"receipt": "W1-000001", "number": "9999"}, "unknown_check"),
        ({"receipt": "W1-000001", "number": "1042", "approver": "amy", "approver_pin": "4821"},
         "not_authorized"),
    ],
)  # fmt: skip
def test_refusals_change_nothing(city: App, op: dict[str, Any], error: str) -> None:
    day(city, {"items": [{"ref": "WB-1", "amount": "20.00"}], "tenders": [check("20.00")]})
    before = dump_tables(city)
    refused = run_op(city.desk, {"op": "returned_check", **LEE, **op})
    assert (refused["ok"], refused["error"]) == (False, error), refused
    assert refused["message"]
    assert without_audit(dump_tables(city), error) == without_audit(before, error)


def without_audit(tables: dict[str, Any], error: str) -> dict[str, Any]:
    """The tables; for a refused approver, less the audit record of who tried."""
    if error != "not_authorized":
        return tables
    return {k: v for k, v in tables.items() if k not in ("audit_log", "counters")}


def test_not_closed_out_voided_and_already_returned_are_refused(city: App) -> None:
    [receipt] = day(
        city, {"items": [{"ref": "WB-1", "amount": "20.00"}], "tenders": [check("20.00")]}
    )
    next_day(city)
    returned(city, receipt)
    op = {"op": "returned_check", "receipt": receipt, "number": "1042", **LEE}
    before = dump_tables(city)
    assert run_op(city.desk, op)["error"] == "already_returned"
    assert dump_tables(city) == before
    run_ok(city, AMY, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    sold = run_ok(
        city, {"op": "sale", "items": [{"ref": "PC-1001"}], "tenders": [check("50.00", "55")]}
    )[0]["receipt"]
    before = dump_tables(city)
    late = {**op, "receipt": sold, "number": "55"}
    assert run_op(city.desk, late)["error"] == "not_closed_out"
    assert dump_tables(city) == before
    run_ok(city, {"op": "void", "receipt": sold, "reason": "wrong", **LEE})
    assert run_op(city.desk, late)["error"] == "unknown_receipt"


def test_a_late_citation_taken_back_puts_its_fine_back_and_its_penalty_regrows(
    city: App,
) -> None:
    clock = city.desk.clock
    assert isinstance(clock, FakeClock)
    clock.advance(days=40)  # 2027-01-02: past the due date, the 100% penalty in force
    [receipt] = day(city, {"items": [{"ref": "PC-1001"}], "tenders": [check("100.00")]})
    next_day(city)
    result = returned(city, receipt)
    assert result["reinstated"] == [{"ref": "PC-1001", "amount": "100.00"}]
    assert result["gl"] == {"250-0000-22010": "-3.00", "250-0000-22020": "-4.50",
                            "250-0000-22030": "-5.00", "101-0000-41300": "-37.50",
                            "101-0000-45110": "-50.00"}  # fmt: skip
    run_ok(city, AMY)
    found = run_ok(city, {"op": "lookup", "ref": "PC-1001"})[0]
    assert (found["status"], found["amount_due"]) == ("open", "100.00")
    assert [p["what"] for p in found["parts"]] == ["fine", "penalty"]


def test_a_plan_instalment_by_a_returned_check_is_due_again(city: App) -> None:
    run_ok(city, AMY)
    plan = {"op": "plan", "ref": "WB-2", "monthly": "20.00", "first_due": "2026-12-15", **LEE}
    run_ok(city, plan, {"op": "logout"})
    [receipt] = day(
        city, {"items": [{"ref": "WB-2", "amount": "45.00"}], "tenders": [check("45.00")]}
    )
    next_day(city)
    result = returned(city, receipt)
    # The fee (its own account) first, then the fine split from the start (10.00 fixed).
    assert result["gl"] == {"101-0000-45120": "-25.00", "501-0000-22100": "-10.00",
                            "501-0000-44110": "-10.00"}  # fmt: skip
    run_ok(city, AMY)
    found = run_ok(city, {"op": "lookup", "ref": "WB-2"})[0]
    assert (found["status"], found["amount_due"], found["plan"]["paid"]) == (
        "plan", "65.00", "0.00")  # fmt: skip
    quote = run_ok(city, {"op": "quote", "items": [{"ref": "WB-2", "amount": "45.00"}]})[0]
    assert [x["gl"] for x in quote["lines"]] == [
        {"101-0000-45120": "25.00"},
        {"501-0000-22100": "10.00", "501-0000-44110": "10.00"},
    ]


def test_a_returned_check_never_takes_back_cash_rounding(city: App, tmp_path: Path) -> None:
    config = city.desk.config
    city.desk.config = dataclasses.replace(config, cash_rounding=Money(5))
    [receipt] = day(
        city,
        {"items": [{"code": "MISC", "amount": "10.02"}, {"code": "MISC", "amount": "5.00"}],
         "tenders": [check("5.00"), {"type": "cash", "amount": "10.00"}]},
        cash={"20.00": 5, "10.00": 1},
    )  # fmt: skip
    next_day(city)
    result = returned(city, receipt)
    assert result["new_items"] == [{"ref": "W1-RC000001-L1", "amount": "5.00"}]
    assert tmp_path.exists()


def test_the_delinquent_report_lists_the_flagged_accounts_items(city: App) -> None:
    [receipt] = day(
        city, {"items": [{"ref": "WB-1", "amount": "20.00"}], "tenders": [check("20.00")]}
    )
    next_day(city)
    returned(city, receipt)
    found = city.desk.delinquent_report(city.desk.business_date())
    flagged = [d for d in found.items if d.why == "certified_funds_only"]
    assert sorted((d.ref, d.why, str(d.amount_due)) for d in flagged) == [
        ("W1-RC000001-FEE", "certified_funds_only", "25.00"),
        ("WB-1", "certified_funds_only", "100.00"),
        ("WB-2", "certified_funds_only", "40.00"),
    ]


def test_a_supervisor_clears_the_flag_and_checks_are_taken_again(city: App) -> None:
    [receipt] = day(
        city, {"items": [{"ref": "WB-1", "amount": "20.00"}], "tenders": [check("20.00")]}
    )
    next_day(city)
    returned(city, receipt)
    lead = {"approver": "lee", "approver_pin": "1111", "reason": "paid up"}
    sam = {"approver": "sam", "approver_pin": "3333", "reason": "paid up"}
    with pytest.raises(Refusal) as refused:
        city.desk.clear_certified_funds("ACCT-9", **lead)
    assert refused.value.code == "not_authorized"
    city.desk.clear_certified_funds("ACCT-9", **sam)
    with pytest.raises(Refusal) as again:
        city.desk.clear_certified_funds("ACCT-9", **sam)
    assert again.value.code == "not_flagged"
    run_ok(city, AMY, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    run_ok(city, {"op": "sale", "items": [{"ref": "WB-2", "amount": "5.00"}],
                  "tenders": [check("5.00", "9")]})  # fmt: skip
    assert run_ok(city, {"op": "lookup", "ref": "WB-2"})[0]["flags"] == []


def test_a_line_of_two_items_becomes_an_item_paid_exactly_as_that_line_was(city: App) -> None:
    # 2 × 45.00 with 4.50 per item to the state: the line posted 9.00 + 81.00.
    [receipt] = day(
        city, {"items": [{"code": "PKG-CIT-MTR", "qty": 2}], "tenders": [check("90.00")]}
    )
    next_day(city)
    result = returned(city, receipt)
    assert result["gl"] == {"250-0000-22010": "-9.00", "101-0000-41300": "-81.00"}
    run_ok(city, AMY)
    quote = run_ok(city, {"op": "quote", "items": [{"ref": "W1-RC000001-L1"}]})[0]
    assert quote["lines"][0]["gl"] == {"250-0000-22010": "9.00", "101-0000-41300": "81.00"}


def test_a_sale_asks_one_short_question_about_flags_while_none_is_set(app: App) -> None:
    """The certified-funds check costs the usual sale one indexed question (the benchmark
    caught a join over every open item, 1.4 ms a sale); a flagged account is still found."""
    import sqlalchemy as sa

    from cashier_desk.ledger import corrections
    from cashier_desk.ledger.schema import account_flags, open_items

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = app.ledger.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        with app.ledger.read() as conn:
            refs = list(conn.execute(sa.select(open_items.c.ref).limit(3)).scalars())
            statements.clear()
            assert corrections.certified_only(conn, refs) == []
            assert len(statements) == 1 and "account_flags" in statements[0]
            assert "open_items" not in statements[0]  # no join over every item
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    with app.ledger.write() as conn:
        account = conn.execute(
            sa.select(open_items.c.account).where(open_items.c.ref == refs[0])
        ).scalar_one()
        flag = {"flag": corrections.CERTIFIED_FUNDS_ONLY, "set_at": "2026-12-06", "actor": "lee"}
        conn.execute(account_flags.insert().values(account=account, **flag))
    with app.ledger.read() as conn:
        assert refs[0] in corrections.certified_only(conn, refs)


def test_a_line_taken_back_becomes_an_item_described_returned_check_receipt_line(
    city: App,
) -> None:
    """programs.md, "Precise readings": a plain fee line taken back "becomes its own new open
    item, ``Returned check <receipt> line <n>``" — its quote, its sale's line and the counter's
    view of it (search, open item) say so; n is the line's number, as in its ref."""
    [receipt] = day(
        city,
        {"items": [{"ref": "WB-1", "amount": "30.00"}, {"code": "MISC", "amount": "12.00"}],
         "tenders": [check("42.00")], "payer": "Bo Chan"},
    )  # fmt: skip
    next_day(city)
    result = returned(city, receipt)
    assert result["new_items"] == [{"ref": "W1-RC000001-L2", "amount": "12.00"}]
    said = f"Returned check {receipt} line 2"
    run_ok(city, AMY)
    quote = run_ok(city, {"op": "quote", "items": [{"ref": "W1-RC000001-L2"}]})[0]
    assert [(x["description"], x["ref"], x["amount"]) for x in quote["lines"]] == [
        (said, "W1-RC000001-L2", "12.00")
    ]
    view = city.desk.open_item("W1-RC000001-L2")
    assert view is not None and view.description == said
    found = {v.ref: v.description for v in city.desk.search_open_items("Bo Chan")}
    assert found["W1-RC000001-L2"] == said
    assert found["W1-RC000001-FEE"] is None and found["WB-1"] is None  # their codes'
    run_ok(city, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    sold = run_ok(city, {"op": "sale", "items": [{"ref": "W1-RC000001-L2"}],
                         "tenders": [{"type": "cash", "amount": "12.00"}]})[0]  # fmt: skip
    printed = city.desk.receipt(sold["receipt"])
    assert [(x.description, str(x.amount)) for x in printed.lines] == [(said, "12.00")]
