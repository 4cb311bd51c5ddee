"""The exported GL journal balances fund by fund (issue 11, item 5): scripted days run through
the command line (`cashier-desk run`, then `cashier-desk export`), as the acceptance tests
do, with voids, paid-outs, over/short and split GL codes — and random days."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Sequence
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cashier_desk import cli
from cashier_desk.config import ConfigError, parse_config
from tests.test_exports import worked_day

TREASURY_CONFIG = """\
[policy]
deposit_account = "100-0000-10100"
card_clearing_account = "100-0000-10150"
due_from_account = "{fund}-9999-13950"
due_to_account = "100-0000-20100"
"""
LEAD = {"approver": "lee", "approver_pin": "1111"}
#: Fixed prices of the codes the random days sell (resources/demo/revenue_codes.csv).
FIXED = {"PKG-CIT-HYD": 8000, "PKG-CIT-DIS": 35000, "BUS-LIC-NEW": 9500, "DOG-LIC": 2000}
OPEN = ("UB-WATER", "UB-SEWER", "MISC")
PAID_OUT_GL = ("101-1200-52100", "501-0000-52100", "250-0000-52100")


def _cli(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def run_day(
    template: Path, folder: Path, ops: Sequence[dict[str, Any]], config: str | None = None
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Run a day's script in a fresh copy of the demo city, then export it: the closeout's
    result and the rows of its GL journal."""
    data = folder / "data"
    shutil.copytree(template, data)
    if config is not None:
        (data / "config.toml").write_text(config, encoding="utf-8")
    script = folder / "day.jsonl"
    script.write_text("".join(json.dumps(op) + "\n" for op in ops), encoding="utf-8")
    code, out, err = _cli("--data-dir", data, "run", script)
    assert (code, err) == (0, ""), out
    closeout = json.loads(out.splitlines()[-1])
    assert closeout["op"] == "closeout"
    code, out, err = _cli("--data-dir", data, "export", "--out", folder / "exports")
    assert (code, err) == (0, "")
    [journal] = [
        x["file"] for x in map(json.loads, out.splitlines()) if x["export"] == "gl_journal"
    ]
    with open(journal, encoding="utf-8", newline="") as fh:
        return closeout, list(csv.DictReader(fh))


def cents(text: str) -> int:
    """An amount as the files write it (two decimals, or empty for none) in cents."""
    return int(text.replace(".", "")) if text else 0


def check_funds(
    closeout: dict[str, Any],
    rows: list[dict[str, str]],
    *,
    deposit: str = "101-0000-10100",
    card: str = "101-0000-10150",
    due_from: str = "{fund}-0000-13900",
    due_to: str = "101-0000-20900",
) -> dict[str, int]:
    """Every fund's debits equal its credits; the deposit, the card settlement and the revenue
    side are the closeout's; each other fund is settled with the treasury by one due-from line
    and one due-to line naming it.  Returns each fund's net (credits less debits, without its
    due-from)."""
    treasury = deposit.split("-")[0]
    balance: dict[str, int] = {}
    net: dict[str, int] = {}
    revenue: dict[str, int] = {}
    dues_to: dict[str, int] = {}
    dues_from: dict[str, int] = {}
    for n, r in enumerate(rows, 1):
        assert r["line"] == str(n) and r["batch"] == closeout["batch"]
        assert bool(r["debit"]) != bool(r["credit"]), r  # one side per line
        amount = cents(r["credit"]) - cents(r["debit"])
        assert amount and r["memo"]
        fund = r["account"].split("-")[0]
        balance[fund] = balance.get(fund, 0) + amount
        if r["account"] == due_to and r["memo"].startswith("Due to fund "):
            named = r["memo"].removeprefix("Due to fund ").split(":")[0]
            assert named not in dues_to
            dues_to[named] = amount
        elif r["account"] == due_from.replace("{fund}", fund) and fund != treasury:
            assert r["memo"] == f"Due from treasury fund {treasury}" and fund not in dues_from
            dues_from[fund] = amount
        elif r["account"] == deposit and r["memo"].startswith("Deposit"):
            assert -amount == cents(closeout["deposit"]["total"])  # a debit, unless short
        elif r["account"] == card and r["memo"] == "Card settlement":
            assert -amount == cents(closeout["tenders"]["card"]["counted"])
        else:
            revenue[r["account"]] = revenue.get(r["account"], 0) + amount
            net[fund] = net.get(fund, 0) + amount
    assert balance == dict.fromkeys(balance, 0), balance
    gl = {a: cents(v) for a, v in closeout["gl"].items() if cents(v)}
    assert revenue == gl
    others = {f: v for f, v in net.items() if f != treasury and v}
    assert dues_from == {f: -v for f, v in others.items()}
    assert dues_to == others
    return net


def _worked_journal_in_the_decisions() -> list[list[str]]:
    """The CSV block of the worked journal in docs/decisions.md."""
    text = (Path(__file__).parents[1] / "docs" / "decisions.md").read_text(encoding="utf-8")
    block = text.split("A worked journal", 1)[1].split("```", 2)[1]
    return list(csv.reader(line.strip() for line in block.strip().splitlines()))


def test_the_worked_journal_of_the_decisions(template_dir: Path, tmp_path: Path) -> None:
    """The CSV rows docs/decisions.md shows, as `cashier-desk export` writes them."""
    closeout, rows = run_day(template_dir, tmp_path, worked_day())
    shown = _worked_journal_in_the_decisions()
    assert shown[0] == list(rows[0])
    assert [row[2:] for row in shown[1:]] == [list(r.values())[2:] for r in rows]
    assert check_funds(closeout, rows) == {"101": 97_50, "250": 9_00, "501": 82_15}


def test_a_fund_that_paid_out_more_than_it_took_in_owes_the_treasury(
    template_dir: Path, tmp_path: Path
) -> None:
    """Configured accounts (the treasury is fund 100, so the city's 101 is settled too); fund
    501 refunds a 40.00 deposit by paid-out and takes in 25.00 of water: its net is -15.00, so
    it credits its due-from and the treasury debits its due-to.  Three- and four-way split
    codes, a voided split sale, a card overage and a cash overage."""
    ops = [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
        {"op": "sale", "items": [{"code": "UB-WATER", "amount": "25.00"}],
         "tenders": [{"type": "cash", "amount": "25.00"}]},
        {"op": "sale", "items": [{"code": "PKG-CIT-HYD"}],  # 250 4.50, 251 3.00, 101 72.50
         "tenders": [{"type": "money_order", "amount": "80.00", "number": "MO-1"}]},
        {"op": "sale", "items": [{"code": "PKG-CIT-DIS"}],  # 250 4.50, 252 10.00, 101 335.50
         "tenders": [{"type": "card", "amount": "350.00", "last4": "1111", "auth": "X1"}]},
        {"op": "sale", "items": [{"code": "PKG-CIT-HYD"}],
         "tenders": [{"type": "cash", "amount": "80.00"}]},
        {"op": "void", "receipt": "W1-000004", **LEAD, "reason": "paid twice"},
        {"op": "paid_out", "amount": "40.00", "reason": "deposit refund", "gl": "501-0000-52100"},
        # cash: 100.00 + 25.00 + 80.00 - 80.00 - 40.00 = 85.00 expected; 85.75 counted
        {"op": "close_drawer", "counted": {
            "cash": {"20.00": 4, "5.00": 1, "0.25": 3},
            "money_orders": [{"number": "MO-1", "amount": "80.00"}], "card": "350.10"}},
        {"op": "approve_close", **LEAD, "comment": "card batch 0.10 over"},
        {"op": "logout"},
        {"op": "closeout", **LEAD},
    ]  # fmt: skip
    closeout, rows = run_day(template_dir, tmp_path, ops, TREASURY_CONFIG)
    net = check_funds(closeout, rows, deposit="100-0000-10100", card="100-0000-10150",
                      due_from="{fund}-9999-13950", due_to="100-0000-20100")  # fmt: skip
    assert net == {"101": 72_50 + 335_50 + 85, "250": 9_00, "251": 3_00, "252": 10_00,
                   "501": -15_00}  # fmt: skip
    sides = {(r["account"], r["memo"]): (r["debit"], r["credit"]) for r in rows}
    assert sides["501-9999-13950", "Due from treasury fund 100"] == ("", "15.00")
    assert sides["100-0000-20100", "Due to fund 501: its net payments"] == ("15.00", "")
    assert sides["101-0000-49900", "Drawer overage"] == ("", "0.85")  # 0.75 cash + 0.10 card
    assert sides["501-0000-52100", "Paid-outs"] == ("40.00", "")
    assert [r["account"].split("-")[0] for r in rows[:2]] == ["100", "100"]


@st.composite
def random_day(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A day of sales (fixed and open codes, split GL codes among them) in every tender, some
    voided, paid-outs to three funds, and a close over or short on each tender."""
    ops: list[dict[str, Any]] = [
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}},
    ]
    expected = {"cash": 100_00, "check": 0, "money_order": 0, "card": 0}
    papers: dict[str, list[dict[str, str]]] = {"check": [], "money_order": []}
    sales: list[tuple[str, int]] = []
    for n in range(draw(st.integers(1, 6))):
        items, total = [], 0
        for _ in range(draw(st.integers(1, 2))):
            code = draw(st.sampled_from([*FIXED, *OPEN]))
            if code in FIXED:
                items.append({"code": code})
                total += FIXED[code]
            else:
                amount = draw(st.integers(1, 500_00))
                items.append({"code": code, "amount": f"{amount / 100:.2f}"})
                total += amount
        kind = draw(st.sampled_from(sorted(expected)))
        tender: dict[str, str] = {"type": kind, "amount": f"{total / 100:.2f}"}
        if kind in papers:
            tender["number"] = f"N{n}"
            papers[kind].append({"number": f"N{n}", "amount": tender["amount"]})
        elif kind == "card":
            tender |= {"last4": "4242", "auth": f"A{n}"}
        ops.append({"op": "sale", "items": items, "tenders": [tender]})
        sales.append((kind, total))
        expected[kind] += total
    for number, (kind, total) in enumerate(sales, 1):
        if draw(st.booleans()):
            ops.append({"op": "void", "receipt": f"W1-{number:06d}", **LEAD, "reason": "test"})
            expected[kind] -= total
    for _ in range(draw(st.integers(0, 2))):
        amount = draw(st.integers(1, 20_00))
        gl = draw(st.sampled_from(PAID_OUT_GL))
        ops.append({"op": "paid_out", "amount": f"{amount / 100:.2f}", "reason": "x", "gl": gl})
        expected["cash"] -= amount
    cash = expected["cash"] + draw(st.integers(-7_00, 7_00))
    card = expected["card"] + draw(st.integers(-2_00, 2_00) if expected["card"] else st.just(0))
    ops.append({"op": "close_drawer", "counted": {
        "cash": {"20.00": cash // 20_00, "0.01": cash % 20_00},
        "checks": [x for x in papers["check"] if _kept(ops, x["number"])],
        "money_orders": [x for x in papers["money_order"] if _kept(ops, x["number"])],
        "card": f"{card / 100:.2f}"}})  # fmt: skip
    if abs(cash - expected["cash"]) > 5_00 or card != expected["card"]:
        ops.append({"op": "approve_close", **LEAD, "comment": "recounted"})
    return [*ops, {"op": "logout"}, {"op": "closeout", **LEAD}]


def _kept(ops: list[dict[str, Any]], number: str) -> bool:
    """Whether the check or money order ``number`` was taken by a sale that was not voided
    (a voided one goes back to the payer, so it is not counted)."""
    voided = {o["receipt"] for o in ops if o["op"] == "void"}
    sales = [o for o in ops if o["op"] == "sale"]
    return any(
        o["tenders"][0].get("number") == number and f"W1-{i:06d}" not in voided
        for i, o in enumerate(sales, 1)
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=random_day())
def test_every_fund_balances_on_random_days(template_dir: Path, day: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        closeout, rows = run_day(template_dir, Path(folder), day)
    check_funds(closeout, rows)


@pytest.mark.parametrize(
    ("policy", "named"),
    [
        ('due_from_account = "250-0000-13900"', "[policy] due_from_account"),
        ('due_from_account = "{fund}-00 00"', "[policy] due_from_account"),
        ('due_from_account = "0000-{fund}-13900"', "[policy] due_from_account"),
        ('due_from_account = "{fund}-4111-1111-1111-1111"', "[policy] due_from_account"),
        ("due_from_account = 13900", "[policy] due_from_account"),
        ('due_to_account = "bank"', "[policy] due_to_account"),
        ('due_to_account = "250-0000-20900"', "[policy] due_to_account"),
        ('deposit_account = "100-0000-10100"', "[policy] due_to_account"),
    ],
)
def test_bad_due_accounts_are_refused_naming_the_key(policy: str, named: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(f"[policy]\n{policy}\n")
    assert str(refused.value).startswith(named)
    assert "4111" not in str(refused.value)


def test_the_due_accounts_default_and_can_be_set() -> None:
    default = parse_config("")
    assert (default.due_from_account, default.due_to_account) == (
        "{fund}-0000-13900",
        "101-0000-20900",
    )
    mine = parse_config(TREASURY_CONFIG)
    assert (mine.due_from_account, mine.due_to_account) == ("{fund}-9999-13950", "100-0000-20100")
