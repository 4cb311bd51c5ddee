"""The counter's search shows each item as ``lookup`` sees it (decisions.md): a late
citation's penalties grown, a contested one ``appeal`` with its penalties frozen, an item on a
plan ``plan`` with what is left of the plan (fee included), a paid one ``paid`` with 0.00, a
hold ``hold`` — in ``Desk.search_open_items`` and in ``cashier-desk search``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cashier_desk.app import App
from tests.helpers import import_city, run_ok
from tests.programs.test_contests_plans_counter import CODES, ITEMS, LEAD, _contest, _ok, _on

REFS = ["PC-1001", "PC-1002", "PC-1003", "PC-1004", "PC-1005", "TX-1"]
# On 2026-12-05 (the default rules: a 100 % penalty the day after the due date, 2026-11-30).
EXPECTED = {
    "PC-1001": ("appeal", "50.00"),  # contested on 11-25, before any penalty: frozen there
    "PC-1002": ("open", "100.00"),  # fine 50.00 + penalty 50.00 (the import says 50.00)
    "PC-1003": ("hold", "100.00"),  # on hold: found, with what it would cost
    "PC-1004": ("appeal", "100.00"),  # imported under appeal, no contest here: not frozen
    "PC-1005": ("plan", "85.00"),  # 50.00 + 50.00 + fee 25.00, less the 40.00 paid on it
    "TX-1": ("paid", "0.00"),  # paid whole at the counter
}


@pytest.fixture
def city(app: App, tmp_path: Path) -> App:
    import_city(app, tmp_path, CODES, ITEMS)
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"},
           {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5}})  # fmt: skip
    _on(app, "2026-11-25")
    _ok(app, _contest("PC-1001"))
    _on(app, "2026-12-05")
    _ok(app, {"op": "plan", "ref": "PC-1005", "monthly": "40.00", "first_due": "2027-01-31",
              **LEAD})  # fmt: skip
    _ok(app, {"op": "sale", "items": [{"ref": "PC-1005"}, {"ref": "TX-1"}],
              "tenders": [{"type": "cash", "amount": "50.00"}]})  # fmt: skip
    return app


def _looked(app: App, ref: str) -> tuple[str, str]:
    found = _ok(app, {"op": "lookup", "ref": ref})
    return found["status"], found["amount_due"]


def test_each_result_is_what_lookup_gives_for_it(city: App) -> None:
    found = city.desk.search_open_items("main")
    assert [item.ref for item in found] == REFS
    seen = {item.ref: (item.status, str(item.still_due)) for item in found}
    assert seen == EXPECTED
    assert seen == {ref: _looked(city, ref) for ref in REFS}
    # What was billed stays the item's own amount (the list shows it when part was paid).
    assert {item.ref: str(item.amount_due) for item in found}["PC-1005"] == "50.00"
    # A reference keyed or scanned is the same item.
    for ref in REFS:
        assert city.desk.open_item(ref) == next(i for i in found if i.ref == ref)


def test_penalties_grow_with_the_business_date_but_not_once_contested(city: App) -> None:
    _on(city, "2027-02-01")  # past a second step of the city's default rules, if any
    found = {item.ref: item for item in city.desk.search_open_items("main")}
    for ref in REFS:
        assert (found[ref].status, str(found[ref].still_due)) == _looked(city, ref)
    assert (found["PC-1001"].status, str(found["PC-1001"].still_due)) == ("appeal", "50.00")


def _cli(data_dir: Path, *args: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "cashier_desk", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_search_command_prints_what_lookup_gives(city: App, tmp_path: Path) -> None:
    data_dir = city.data_dir
    city.close()
    lines = _cli(data_dir, "search", "main", "st")
    script = tmp_path / "look.jsonl"
    ops = [{"op": "login", "user": "amy", "pin": "4821"}]
    ops += [{"op": "lookup", "ref": ref} for ref in REFS]
    script.write_text("".join(json.dumps(op) + "\n" for op in ops), encoding="utf-8")
    looked = _cli(data_dir, "run", str(script))[1:]  # both on today's date, the command's
    assert [line["ref"] for line in lines] == REFS
    got = {line["ref"]: (line["status"], line["amount_due"]) for line in lines}
    assert got == {x["ref"]: (x["status"], x["amount_due"]) for x in looked}
    # Whatever today is: frozen at the contest, left of the plan, paid, on hold.
    for ref in ("PC-1001", "PC-1005", "TX-1"):
        assert got[ref] == EXPECTED[ref]
    assert got["PC-1003"][0] == "hold" and got["PC-1002"][0] == "open"
