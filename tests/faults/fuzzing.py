"""Shared pieces of the input fuzzing: a small city to fuzz against, the stable error codes, JSON
strategies, and a check that a refusal changed nothing but what a wrong PIN may change."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from cashier_desk.app import App, open_app
from cashier_desk.runner import FIELDS, ITEM_FIELDS, run_op
from tests.doubles import CountingDrawer, MemoryPrinter
from tests.faults.harness import DEMO
from tests.helpers import dump_tables

# decisions.md "Stable error codes", and the sync refusals of the runner.
STABLE_ERRORS = frozenset(
    [
        "not_logged_in",
        "disk_full",
        "ledger_rolled_back",
        "bad_credentials",
        "locked",
        "not_authorized",
        "self_approval",
        "no_open_drawer",
        "drawer_already_open",
        "drawer_in_use",
        "bad_denomination",
        "bad_quantity",
        "bad_amount",
        "amount_too_large",
        "bad_text",
        "bad_item",
        "no_items",
        "too_many_items",
        "unknown_code",
        "unknown_ref",
        "amount_required",
        "amount_not_allowed",
        "item_on_hold",
        "already_paid",
        "overpayment",
        "partial_not_allowed",
        "no_tender",
        "bad_tender",
        "bad_card",
        "non_cash_over_total",
        "tenders_short",
        "unknown_receipt",
        "not_in_session",
        "already_voided",
        "more_than_drawer",
        "bad_gl",
        "nothing_to_approve",
        "unknown_session",
        "not_awaiting_approval",
        "bad_date",
        "drawer_open",
        "approval_pending",
        "nothing_to_close",
        "bad_request",
        "bad_json",
        "bad_file",
        "bad_header",
        "bad_row",
        "bad_kind",
        "cash_drawer_open",
        "unknown_scan",
        "sync_refused",
        "central_unreachable",
        "no_central",
        "no_closeout",
        "approval_required",
        "gl_not_allowed",
        "recount_pending",
        "unknown_user",
        "not_locked",
    ]
)
#: What a wrong PIN may change: the failure count, the audit record of the failure, and the
#: audit chain's counter.
PIN_TRACE = frozenset({"login_state", "audit_log", "counters"})
#: The refusals that leave a trace, and what each may change: a wrong PIN (counted and
#: audited), and the right PIN of someone who may not approve (audited, never counted).
TRACES = {
    "bad_credentials": PIN_TRACE,
    "locked": PIN_TRACE,
    "not_authorized": frozenset({"audit_log", "counters"}),
}

USERS = {"amy": "4821", "bob": "2468", "lee": "1111", "pat": "2222", "sam": "3333"}


def slim_city(target: Path) -> None:
    """The demo revenue codes and people, and the first 40 open items (fast to dump)."""
    src = target.parent / "slim-src"
    src.mkdir(exist_ok=True)
    for name in ("revenue_codes.csv", "users.csv"):
        shutil.copy(DEMO / name, src / name)
    with (DEMO / "open_items.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[:41]
    with (src / "open_items.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    app = open_app(target, "W1", printer=MemoryPrinter(), cash_drawer=CountingDrawer())
    try:
        for kind, name in (
            ("revenue-codes", "revenue_codes.csv"),
            ("open-items", "open_items.csv"),
            ("users", "users.csv"),  # last: until there are people, no credentials are asked
        ):
            app.desk.import_file(kind, src / name)
    finally:
        app.close()
    (target / "config.toml").write_text('[devices]\nprinter = "none"\n', encoding="utf-8")


def at_the_counter(app: App) -> None:
    """Amy logged in with drawer D1 open and one cash sale (W1-000001) rung up."""
    for op in (
        {"op": "login", "user": "amy", "pin": "4821"},
        {"op": "open_drawer", "drawer": "D1", "opening": {"20.00": 5, "1.00": 20}},
        {
            "op": "sale",
            "items": [{"code": "DOG-LIC"}],
            "tenders": [{"type": "cash", "amount": "50.00"}],
        },
    ):
        result = run_op(app.desk, op)
        assert result["ok"], result


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {t for t in before if before[t] != after[t]}


def assert_refusal(result: dict[str, Any], before: dict[str, Any], app: App) -> None:
    """A refusal: a stable code, a message for a person, printable as JSON, and no change
    (beyond the trace that a wrong PIN or a refused override leaves)."""
    assert result["ok"] is False, result
    assert result["error"] in STABLE_ERRORS, result
    assert isinstance(result["message"], str) and result["message"].strip(), result
    assert set(result) == {"op", "ok", "error", "message"}, result
    json.dumps(result)  # the command line prints it
    changed = changed_tables(before, dump_tables(app))
    assert changed <= TRACES.get(result["error"], frozenset()), (result, changed)


# -- strategies ------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=24)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=16,
)
money_texts = st.sampled_from(
    [
        "12.30",
        "0.00",
        "-1.00",
        "1e3",
        "+1",
        " 12",
        "12.345",
        "1,000.00",
        "",
        "0.01",
        "9999999999999.99",
        "99999999999999",
        "20",
        "20.0",
        "50.00",
        "٣",
        "NaN",
    ]
) | st.from_regex(r"-?[0-9]{1,14}(\.[0-9]{0,3})?", fullmatch=True)
plausible_text = st.sampled_from(
    [
        "amy",
        "lee",
        "pat",
        "bob",
        "W1-000001",
        "W1-000002",
        "W1-S000001",
        "D1",
        "D2",
        "DOG-LIC",
        "MISC",
        "UB-100001",
        "postage",
        "1042",
        "101-1200-52100",
        "2026-11-23",
        "4111111111111111",
        "A1B2C3",
        "4242",
        "",
        " ",
        "\x1b@",
        "x" * 300,
    ]
) | st.text(max_size=16)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` four times in five, ``bad`` otherwise."""
    return st.integers(0, 4).flatmap(lambda i: bad if i == 0 else good)


amounts = mostly(st.from_regex(r"[1-9][0-9]{0,2}\.[0-9]{2}", fullmatch=True), money_texts)
users = mostly(st.sampled_from(sorted(USERS)), plausible_text | json_scalars)
pins = mostly(st.sampled_from(sorted(USERS.values())), plausible_text | json_scalars)
refs = st.sampled_from(["UB-100001", "UB-100002", "UB-100003", "UB-999999", "ub-100001"])
good_items = st.one_of(
    st.fixed_dictionaries(
        {"code": st.sampled_from(["DOG-LIC", "CAT-LIC", "COPIES", "PKG-PRM-VIS", "NOPE"])},
        optional={"qty": mostly(st.integers(1, 5), st.integers(-3, 10001) | json_scalars)},
    ),
    st.fixed_dictionaries(
        {"code": st.sampled_from(["MISC", "TOT", "BUS-TAX"])},
        optional={"amount": amounts, "qty": st.integers(0, 3)},
    ),
    st.fixed_dictionaries({"ref": refs}, optional={"amount": amounts, "qty": st.just(2)}),
)
items = st.lists(
    mostly(
        good_items,
        json_values
        | st.fixed_dictionaries(
            {},
            optional={
                "code": plausible_text,
                "ref": plausible_text,
                "qty": json_scalars,
                "amount": json_scalars,
            },
        ),
    ),
    min_size=0,
    max_size=3,
)
good_tenders = st.one_of(
    st.fixed_dictionaries({"type": st.just("cash"), "amount": amounts}),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["check", "money_order"]),
            "amount": amounts,
            "number": mostly(st.sampled_from(["1042", "MO-77"]), plausible_text | json_scalars),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("card"),
            "amount": amounts,
            "auth": mostly(st.just("A1B2C3"), plausible_text | json_scalars),
            "last4": mostly(
                st.just("4242"), st.sampled_from(["424", "42424", "abcd", "٤٢٤٢"]) | json_scalars
            ),
        },
        optional={"pan": st.just("4111111111111111")},
    ),
)
tenders = st.lists(
    mostly(
        good_tenders,
        json_values | st.fixed_dictionaries({"type": json_values, "amount": json_scalars}),
    ),
    min_size=0,
    max_size=3,
)
denomination_counts = st.dictionaries(
    mostly(st.sampled_from(["20.00", "1.00", "0.25", "100.00", "20"]), money_texts),
    mostly(st.integers(0, 50), st.integers(-2, 100001) | json_scalars),
    max_size=4,
)
counted_items = st.lists(
    mostly(
        st.fixed_dictionaries({"number": plausible_text, "amount": amounts}),
        json_values,
    ),
    max_size=2,
)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "user": users,
    "approver": users,
    "pin": pins,
    "approver_pin": pins,
    "items": mostly(items, json_values),
    "tenders": mostly(tenders, json_values),
    "opening": mostly(denomination_counts, json_values),
    "amount": amounts,
    "receipt": mostly(st.sampled_from(["W1-000001", "W1-000002", "W2-000001"]), plausible_text),
    "drawer": mostly(st.sampled_from(["D1", "D2", "Drawer 3"]), plausible_text | json_values),
    "reason": mostly(st.sampled_from(["postage", "keyed twice"]), plausible_text | json_values),
    "comment": mostly(st.just("recounted"), plausible_text | json_values),
    "gl": mostly(st.sampled_from(["101-1200-52100", "101"]), plausible_text | json_values),
    "date": mostly(st.sampled_from(["2026-11-23", "2026-02-30"]), plausible_text | json_values),
    "session": mostly(st.sampled_from(["W1-S000001", "W1-S000009"]), json_values),
    "payer": mostly(st.sampled_from(["A. Novak", ""]), plausible_text | json_values),
    "counted": mostly(
        st.fixed_dictionaries(
            {},
            optional={
                "cash": denomination_counts,
                "checks": counted_items,
                "money_orders": counted_items,
                "card": amounts,
            },
        ),
        json_values | st.fixed_dictionaries({"coins": json_values}),
    ),
}
ALL_FIELDS = sorted(
    {f for required, optional in FIELDS.values() for f in required | optional}
    | ITEM_FIELDS
    | {"expect", "type", "extra"}
)


@st.composite
def script_ops(draw: st.DrawFn) -> dict[str, Any]:
    """An operation object: a real op name (mostly) with a random selection of fields, each a
    plausible value, a wrong one or any JSON at all."""
    name = draw(mostly(st.sampled_from(sorted(FIELDS)), st.text(max_size=12) | json_scalars))
    fields: list[str] = []
    if isinstance(name, str) and name in FIELDS:
        required, optional = FIELDS[name]
        fields = sorted(required | optional)
        fields = [f for f in fields if draw(st.integers(0, 19)) > 0]  # now and then one missing
    if draw(st.integers(0, 9)) == 0:  # now and then a field it does not take
        fields.append(draw(st.sampled_from(ALL_FIELDS) | st.text(max_size=8)))
    op: dict[str, Any] = {"op": name}
    for f in fields:
        op[f] = draw(FIELD_VALUES.get(f, plausible_text | json_values))
    return op
