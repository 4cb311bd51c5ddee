"""Program rules and the codes' rules spread through central (issue 14, item 2): `central
import program-rules` checks the file whole and keeps it; `sync pull` brings the newest file to
each workstation (once), and revenue codes keep their `rule` through central."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.errors import Refusal
from cashier_desk.ledger.schema import program_rules, revenue_codes
from cashier_desk.runner import run_op
from cashier_desk.sync import central
from cashier_desk.sync import schema as c
from cashier_desk.sync.pull import central_import
from tests.helpers import run_ok

AT = "2026-11-01T00:00:00+00:00"
CODES = (
    "code,description,program,gl,fee_type,amount,partial_allowed,rule\n"
    "PKG-CIT,Parking citation,PARKING,101-0000-41300,open,,no,citation\n"
)
ITEMS = (
    "ref,program,account,name,address,amount_due,due_date,revenue_code,status\n"
    "PC-9,PARKING,7A1,Ann Lee,1 Main St,40.00,2026-11-30,PKG-CIT,open\n"
)
RULES = '[citation]\npenalties = [ { after_days = 0, amount = "15.00" } ]\n'


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    made = central.engine_for(f"sqlite:///{tmp_path / 'central.db'}")
    central.init_central(made)
    for name, text in (("codes.csv", CODES), ("items.csv", ITEMS), ("rules.toml", RULES)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    central_import(made, "revenue-codes", tmp_path / "codes.csv", AT)
    central_import(made, "open-items", tmp_path / "items.csv", AT)
    return made


def test_a_pull_brings_the_rules_and_the_codes_rule_and_prices_by_them(
    make_app: Callable[..., App], engine: sa.Engine, tmp_path: Path
) -> None:
    done = central_import(engine, "program-rules", tmp_path / "rules.toml", AT)
    assert done.rows == 1
    app = make_app()
    assert app.desk.relay is not None
    app.desk.relay.central_url = str(engine.url)
    pulled = app.desk.pull_reference_data()
    assert pulled.program_rules == 1 and pulled.revenue_codes == 1
    with app.ledger.read() as conn:
        rule = conn.execute(
            sa.select(revenue_codes.c.rule).where(revenue_codes.c.code == "PKG-CIT")
        ).scalar()
        kept = conn.execute(sa.select(program_rules.c.actor, program_rules.c.text)
                            .order_by(program_rules.c.id.desc())).first()  # fmt: skip
    assert rule == "citation" and kept is not None and tuple(kept) == ("central", RULES)
    run_ok(app, {"op": "login", "user": "amy", "pin": "4821"})
    quote = run_op(app.desk, {"op": "quote", "items": [{"ref": "PC-9"}], "date": "2026-12-01"})
    assert [line["amount"] for line in quote["lines"]] == ["40.00", "15.00"]
    assert app.desk.pull_reference_data().program_rules == 0  # the same file: not again


def test_a_bad_rules_file_at_central_names_its_key_and_keeps_nothing(
    engine: sa.Engine, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[plan]\nfee = "a lot"\n', encoding="utf-8")
    with pytest.raises(Refusal) as refused:
        central_import(engine, "program-rules", bad, AT)
    assert refused.value.code == "bad_rules" and "[plan] fee" in refused.value.message
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(c.ref_program_rules))
        assert count.scalar_one() == 0
