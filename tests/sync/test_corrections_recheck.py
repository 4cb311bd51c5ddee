"""Central holds a batch's adjustments to the audit records it carries (issue 16): the batch
of a day of corrections edited as if in transit — an adjustment's amount, a correction's
revenue side and the summary with it, a correction dropped — is held in quarantine with the
reason ``detail`` naming what differs, never in central's totals; the batch before goes in.
On the embedded SQLite central and on PostgreSQL (as the workstation's own role)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cashier_desk.app import App
from cashier_desk.runner import run_op
from cashier_desk.sync import central, quarantine
from tests.helpers import FakeClock
from tests.sync.conftest import outbox_row, workstation
from tests.sync.test_corrections_central import corrections_day
from tests.sync.test_detail_recheck import edit_in_outbox, where

__all__ = ["where"]  # the fixture: SQLite, and PostgreSQL as the workstation's role

Payload = dict[str, Any]


def refund_raised(p: Payload) -> str:
    p["summary"]["adjustments"]["refunds"] = "25.00"
    return "the adjustments say refunds 25.00, its corrections add up to 20.00"


def revenue_moved(p: Payload) -> str:
    """The refund's revenue side moved to another account, in its postings and the summary:
    the refund's audit record still names the account it was."""
    [refund] = [c for c in p["corrections"]["records"] if c["kind"] == "refund"]
    for posting in refund["postings"]:
        if posting["side"] == "revenue":
            posting["account"] = "101-0000-49999"
    gl = p["summary"]["adjustments"]["gl"]
    gl["101-0000-49999"] = gl.pop("101-0000-41300")
    return "correction W1-RF000001: 20.00, gl {'101-0000-49999': '-20.00'} — its refund record"


def correction_dropped(p: Payload) -> str:
    p["corrections"]["records"] = [
        c for c in p["corrections"]["records"] if c["kind"] != "transfer"
    ]
    return "the adjustments say transfers 40.00, its corrections add up to 0.00"


def fee_lowered(p: Payload) -> str:
    """The fee item the returned check made, lowered before it reaches the other counters."""
    [fee] = [i for i in p["corrections"]["items"] if i["ref"].endswith("-FEE")]
    fee["amount_due_cents"] = 100
    return "the open items its returned checks made differ from their records: ['W1-RC000001-FEE']"


def put_back_lowered(p: Payload) -> str:
    """What the returned check put back on WB-1, lowered before it reaches the other counters
    (they would see the item owed less again than it is)."""
    [rc] = [c for c in p["corrections"]["records"] if c["kind"] == "returned_check"]
    assert rc["adjusted"] == [{"ref": "WB-1", "part": "split", "amount_cents": -3000}]
    rc["adjusted"][0]["amount_cents"] = -1000
    return ("correction W1-RC000001: changes open items by {'WB-1': '-10.00'} — its "
            "returned_check record says {'WB-1': '-30.00'}")  # fmt: skip


def transfer_retargeted(p: Payload) -> str:
    """The transfer's payment moved onto another item than the one its record names."""
    [tr] = [c for c in p["corrections"]["records"] if c["kind"] == "transfer"]
    assert {a["ref"]: a["amount_cents"] for a in tr["adjusted"]} == {"WB-2": -4000,
                                                                     "PC-1002": 4000}  # fmt: skip
    for a in tr["adjusted"]:
        if a["ref"] == "PC-1002":
            a["ref"] = "PC-1001"
    return "correction W1-TR000001: changes open items by {'PC-1001': '40.00', 'WB-2': '-40.00'}"


def clear_made_up(p: Payload) -> str:
    """A clear of the certified-funds flag no supervisor made: the account would pay by check
    again at every counter."""
    p["corrections"]["clears"] = [
        {"account": "ACCT-9", "set_at": "2026-11-24T16:00:00+00:00", "actor": "sam"}
    ]
    return "the clear of account ACCT-9's flag has no clear_certified_funds record"


@pytest.mark.parametrize(
    "edit",
    [
        refund_raised,
        revenue_moved,
        correction_dropped,
        fee_lowered,
        put_back_lowered,
        transfer_retargeted,
        clear_made_up,
    ],
    ids=lambda e: e.__name__,
)
def test_a_batch_of_adjustments_edited_in_transit_is_held_and_named(
    make_app: Callable[..., App],
    where: tuple[str, str],
    engines: Callable[[str], sa.Engine],
    edit: Callable[[Payload], str],
    tmp_path: Path,
) -> None:
    ws_url, admin_url = where
    app = workstation(make_app, ws_url, FakeClock())
    first, second = corrections_day(app, tmp_path)
    named = edit_in_outbox(app, second["batch"], edit)
    result = run_op(app.desk, {"op": "sync"})
    assert (result["ok"], result["sent"], result["quarantined"]) == (True, 1, 1)
    assert outbox_row(app, second["batch"])["outcome"] == "quarantined"
    admin = engines(admin_url)
    held = quarantine.undecided(admin)
    assert [(h["batch_id"], h["reason"]) for h in held] == [(second["batch"], "detail")]
    assert named in held[0]["problem"], held[0]["problem"]
    assert "adjustments" not in central.totals(admin, second["date"])
    assert central.totals(admin, first["date"])["receipts"] == first["receipts"]
