"""Contests and payment plans at the counter (programs.md; issue 14, item 4): the worked
examples, the city's own rules, and every refusal code of `contest` and `plan` — each refusal
changing nothing."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.money import Money
from cashier_desk.runner import run_op
from tests.doubles import MemoryPrinter
from tests.helpers import SUPERVISOR, FakeClock, dump_tables, import_city, run_ok

STATE = "250-0000-22010=3.00;250-0000-22020=4.50;250-0000-22030=5.00;101-0000-41300"
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    f'PKG-CIT,Parking citation,PARKING,"{STATE}",open,,no,citation\n'
    "TOT-RET,Hotel tax return,TOT,101-0000-41500,open,,no,tot\n"
)
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status,issued,notice\n"
    "PC-1001,PARKING,7ABC123,Ann Lee,1 Main St,50.00,2026-11-30,PKG-CIT,open,2026-11-09,\n"
    "PC-1002,PARKING,7ABC124,Bo Ray,2 Main St,50.00,2026-11-30,PKG-CIT,open,2026-10-01,\n"
    "PC-1003,PARKING,7ABC125,Cy Dee,3 Main St,50.00,2026-11-30,PKG-CIT,hold,2026-11-09,\n"
    "PC-1004,PARKING,7ABC126,Di Fox,4 Main St,50.00,2026-11-30,PKG-CIT,appeal,2026-11-09,\n"
    "PC-1005,PARKING,7ABC127,Ed Gee,5 Main St,50.00,2026-11-30,PKG-CIT,open,,2026-11-20\n"
    "TX-1,TOT,H-1,Inn,6 Main St,10.00,2026-11-30,TOT-RET,open,,\n"
)
LEAD = {"approver": "lee", "approver_pin": "1111"}


@pytest.fixture
def city(app: App, tmp_path: Path) -> App:
    import_city(app, tmp_path, CODES, ITEMS)
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"})
    return app


def _on(app: App, day: str) -> None:
    clock = app.desk.clock
    assert isinstance(clock, FakeClock)
    clock.now = datetime.fromisoformat(f"{day}T18:00:00+00:00").astimezone(UTC)


def _ok(app: App, op: dict[str, Any]) -> dict[str, Any]:
    result = run_op(app.desk, op)
    assert result["ok"], result
    return result


def _contest(ref: str, level: str = "review", **more: Any) -> dict[str, Any]:
    return {"op": "contest", "ref": ref, "level": level, "reason": "meter broken",
            "contact": "ann@example.org", **more}  # fmt: skip


def _refused(app: App, op: dict[str, Any], code: str) -> None:
    before = dump_tables(app)
    result = run_op(app.desk, op)
    assert (result["ok"], result.get("error")) == (False, code), result
    assert dump_tables(app) == before


def test_a_contest_prints_its_acknowledgement_and_freezes_the_penalties(
    city: App, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[citation]\npenalties = [ { after_days = 0, amount = "100%" }, '
                     '{ after_days = 30, amount = "20.00" } ]\n', encoding="utf-8")  # fmt: skip
    city.desk.import_file("program-rules", rules, **SUPERVISOR)
    _on(city, "2026-11-30")  # within 21 days of issue (day 21 included)
    done = _ok(city, _contest("PC-1001"))
    assert done == {"op": "contest", "ok": True, "contest": "W1-C000001", "ref": "PC-1001",
                    "level": "review", "printed": True}  # fmt: skip
    printer = city.desk.printer
    assert isinstance(printer, MemoryPrinter)
    paper = printer.jobs[-1]
    assert "W1-C000001" in paper and "PC-1001" in paper and "2026-11-30" in paper
    # Contested on the due date: no penalty grows, even months later past both steps.
    later = _ok(city, {"op": "lookup", "ref": "PC-1001", "date": "2027-02-01"})
    assert (later["status"], later["amount_due"]) == ("appeal", "50.00")
    assert later["contest"] == {"contest": "W1-C000001", "date": "2026-11-30",
                                "levels": ["review"]}  # fmt: skip
    # The uncontested one grows both steps by then.
    other = _ok(city, {"op": "lookup", "ref": "PC-1002", "date": "2027-02-01"})
    assert other["amount_due"] == "120.00"


def test_the_worked_example_contested_then_paid_months_later_is_100(city: App) -> None:
    _on(city, "2026-12-10")
    _ok(city, _contest("PC-1001", **LEAD))  # after the 21 days: a lead allows it
    quote = _ok(city, {"op": "quote", "items": [{"ref": "PC-1001"}], "date": "2027-02-01"})
    assert quote["total"] == "100.00"


def test_a_contested_citation_keeps_the_rules_of_its_contest_date(
    city: App, tmp_path: Path
) -> None:
    """programs.md, Precise readings: the rules in force on the computation's date apply —
    for a contested citation, the contest date; a version in force after it changes nothing."""
    rules = tmp_path / "rules.toml"
    version = (
        '[[citation]]\neffective = "{}"\npenalties = [ {{ after_days = {}, amount = "{}" }} ]\n'
    )
    first = version.format("2026-01-01", 10, "12.34")
    rules.write_text(first, encoding="utf-8")
    city.desk.import_file("program-rules", rules, **SUPERVISOR)
    _on(city, "2026-12-12")  # 12 days late: the 12.34 step is in force
    _ok(city, _contest("PC-1001", **LEAD))
    rules.write_text(first + version.format("2026-12-13", 0, "99.00"), encoding="utf-8")
    city.desk.import_file("program-rules", rules, **SUPERVISOR)
    on = {"date": "2027-01-10"}
    assert _ok(city, {"op": "quote", "items": [{"ref": "PC-1001"}], **on})["total"] == "62.34"
    looked = _ok(city, {"op": "lookup", "ref": "PC-1001", **on})
    assert (looked["amount_due"], looked["parts"][-1]) == (
        "62.34", {"what": "penalty", "amount": "12.34"})  # fmt: skip
    # The uncontested one is priced by the newer version.
    assert _ok(city, {"op": "lookup", "ref": "PC-1002", **on})["amount_due"] == "149.00"


def test_contest_refusals_change_nothing(city: App) -> None:
    _on(city, "2026-12-10")
    _refused(city, _contest("PC-1002"), "contest_window_closed")  # issued 10-01
    _refused(city, _contest("PC-1002", approver="amy", approver_pin="4821"), "self_approval")
    _refused(city, _contest("PC-1001", "hearing"), "review_required")
    _refused(city, _contest("TX-1"), "not_a_citation")
    # the refusal names the code the item is billed under (an outside trial met a "Citation:
    # overtime parking" code without the rule and read "is not a citation" as nonsense)
    said = run_op(city.desk, _contest("TX-1"))["message"]
    assert "billed under" in said and "without the citation rule" in said, said
    _refused(city, _contest("NOPE"), "unknown_ref")
    _on(city, "2026-11-25")
    _ok(city, _contest("PC-1005"))  # no issue date: within 14 days of the notice
    _refused(city, _contest("PC-1005"), "already_contested")
    _refused(city, _contest("PC-1005", "hearing"), "deposit_required")
    _ok(city, _contest("PC-1005", "hearing", inability_to_pay=True))
    _refused(city, _contest("PC-1005", "hearing", inability_to_pay=True), "already_contested")
    # A hearing on an item imported as under appeal needs no review here, only the deposit.
    _refused(city, _contest("PC-1004", "hearing"), "deposit_required")


def test_a_paid_citation_is_not_reviewed_but_may_have_its_hearing(city: App) -> None:
    _on(city, "2026-11-25")
    run_ok(city, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    _ok(city, _contest("PC-1001"))
    _ok(city, {"op": "sale", "items": [{"ref": "PC-1001"}],
               "tenders": [{"type": "cash", "amount": "50.00"}]})  # fmt: skip
    _ok(city, _contest("PC-1001", "hearing"))  # the amount due paid as the deposit
    run_ok(city, {"op": "sale", "items": [{"ref": "PC-1002"}],
                  "tenders": [{"type": "cash", "amount": "50.00"}]})  # fmt: skip
    _refused(city, _contest("PC-1002", **LEAD), "already_paid")


def test_a_held_citation_contested_stays_a_hold_as_the_sale_says(city: App) -> None:
    """An outside trial: PC-1003 (imported `hold`) contested, then lookup said `appeal` while
    quote and sale refused it `item_on_hold`.  The billing system's hold stays the status."""
    _on(city, "2026-11-25")
    _ok(city, _contest("PC-1003"))
    found = _ok(city, {"op": "lookup", "ref": "PC-1003"})
    assert found["status"] == "hold" and found["contest"] is not None, found
    _refused(city, {"op": "quote", "items": [{"ref": "PC-1003"}]}, "item_on_hold")
    assert _ok(city, {"op": "lookup", "ref": "PC-1001"})["status"] == "open"
    _ok(city, _contest("PC-1001"))
    assert _ok(city, {"op": "lookup", "ref": "PC-1001"})["status"] == "appeal"


def test_the_worked_indigent_plan_waives_the_penalty_and_takes_the_capped_fee(
    city: App,
) -> None:
    _on(city, "2026-12-05")  # fine 50.00 + penalty 50.00 in force
    plan = _ok(city, {"op": "plan", "ref": "PC-1002", "monthly": "25.00",
                      "first_due": "2027-01-15", "indigent": True, **LEAD})  # fmt: skip
    assert plan["total"] == "55.00"
    assert plan["instalments"] == [{"due": "2027-01-15", "amount": "25.00"},
                                   {"due": "2027-02-15", "amount": "25.00"},
                                   {"due": "2027-03-15", "amount": "5.00"}]  # fmt: skip
    looked = _ok(city, {"op": "lookup", "ref": "PC-1002"})
    assert (looked["status"], looked["amount_due"]) == ("plan", "55.00")


def test_a_plan_is_shown_before_a_lead_approves_it_and_is_what_is_made(city: App) -> None:
    """An outside trial: the window asked the lead's PIN before showing any total.  The
    preview is the plan that is then made, asks no lead, writes nothing, and refuses what the
    plan would (`already_on_plan` once made)."""
    _on(city, "2026-12-05")
    before = dump_tables(city)
    shown = city.desk.plan_preview("PC-1002", Money.parse("40.00"), "2027-01-31")
    assert dump_tables(city) == before
    assert (shown.plan, str(shown.total)) == ("", "125.00")  # 50 + 50 + fee 25
    made = city.desk.plan("PC-1002", Money.parse("40.00"), "2027-01-31", "lee", "1111")
    assert (made.total, made.instalments) == (shown.total, shown.instalments)
    assert made.plan
    with pytest.raises(Refusal) as again:
        city.desk.plan_preview("PC-1002", Money.parse("40.00"), "2027-01-31")
    assert again.value.code == "already_on_plan"


def test_plan_payments_take_the_fee_first_then_the_fine_in_due_order(city: App) -> None:
    _on(city, "2026-12-05")
    _ok(city, {"op": "plan", "ref": "PC-1002", "monthly": "40.00", "first_due": "2027-01-31",
               **LEAD})  # fmt: skip  # 50 + 50 + fee 25 = 125: 40, 40, 40, 5
    run_ok(city, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})
    quote = _ok(city, {"op": "quote", "items": [{"ref": "PC-1002"}]})  # the next instalment
    assert [(line["description"], line["amount"], line["gl"]) for line in quote["lines"]] == [
        ("Payment plan fee PC-1002", "25.00", {"101-0000-45120": "25.00"}),
        ("Parking citation", "15.00", {"250-0000-22010": "3.00", "250-0000-22020": "4.50",
                                       "250-0000-22030": "5.00", "101-0000-41300": "2.50"}),
    ]  # fmt: skip
    _ok(city, {"op": "sale", "items": [{"ref": "PC-1002"}],
               "tenders": [{"type": "cash", "amount": "40.00"}]})  # fmt: skip
    second = _ok(city, {"op": "quote", "items": [{"ref": "PC-1002", "amount": "50.00"}]})
    assert [(line["amount"], line["gl"]) for line in second["lines"]] == [
        ("35.00", {"101-0000-41300": "35.00"}),  # the add-ons were taken once
        ("15.00", {"101-0000-45110": "15.00"}),
    ]
    _refused(city, {"op": "quote", "items": [{"ref": "PC-1002", "amount": "85.01"}]},
             "overpayment")  # fmt: skip
    # An instalment unpaid more than 10 days after it fell due: the plan is delinquent.
    assert _ok(city, {"op": "lookup", "ref": "PC-1002", "date": "2027-02-28"})["flags"] == []
    late = _ok(city, {"op": "lookup", "ref": "PC-1002", "date": "2027-03-11"})
    assert late["flags"] == ["delinquent"] and late["plan"]["paid"] == "40.00"


def test_plan_refusals_change_nothing(city: App, tmp_path: Path) -> None:
    _on(city, "2026-12-05")
    plan = {"op": "plan", "monthly": "10.00", "first_due": "2027-01-15", **LEAD}
    _refused(city, {**plan, "ref": "PC-1002", "monthly": "5.00"}, "plan_too_long")
    _refused(city, {**plan, "ref": "TX-1"}, "plan_not_allowed")
    _refused(city, {**plan, "ref": "PC-1003"}, "item_on_hold")
    _refused(city, {**plan, "ref": "PC-1004"}, "in_contest")
    _refused(city, {**plan, "ref": "PC-1002", "approver": "amy", "approver_pin": "4821"},
             "self_approval")  # fmt: skip
    _refused(city, {**plan, "ref": "PC-1002", "first_due": "soon"}, "bad_date")
    _ok(city, {**plan, "ref": "PC-1002", "monthly": "20.00"})
    _refused(city, {**plan, "ref": "PC-1002", "monthly": "20.00"}, "already_on_plan")


def test_another_citys_plan_fee_and_limit(city: App, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[plan]\nfee = "35.00"\nmax_months = 3\n', encoding="utf-8")
    city.desk.import_file("program-rules", rules, **SUPERVISOR)
    _on(city, "2026-12-05")
    op = {"op": "plan", "ref": "PC-1002", "first_due": "2027-01-15", **LEAD}
    _refused(city, {**op, "monthly": "40.00"}, "plan_too_long")  # 135.00 needs 4
    plan = _ok(city, {**op, "monthly": "45.00"})
    assert plan["total"] == "135.00" and len(plan["instalments"]) == 3


def test_the_days_contests_go_to_exports_at_closeout(city: App) -> None:
    _on(city, "2026-11-25")
    _ok(city, _contest("PC-1005"))
    run_ok(city, {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
           {"op": "sale", "items": [{"code": "MISC", "amount": "5.00"}],
            "tenders": [{"type": "cash", "amount": "5.00"}]},
           {"op": "close_drawer", "counted": {"cash": {"20.00": 5, "5.00": 1}}},
           {"op": "logout"})  # fmt: skip
    done = _ok(city, {"op": "closeout", **LEAD})
    [path] = [p for p in done["papers"] if Path(p).name.startswith("contests-")]
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["contest"], r["ref"], r["level"], r["date"]) for r in rows] == [
        ("W1-C000001", "PC-1005", "review", "2026-11-25")]  # fmt: skip
    assert rows[0]["contact"] == "ann@example.org" and rows[0]["taken_by"] == "amy"
