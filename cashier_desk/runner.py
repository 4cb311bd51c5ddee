"""The scripted-session runner: JSON Lines of operations in, one JSON result per operation out.

This module only translates between the script format of ``spec/headless.md`` and the Desk's
methods: it checks the shape of each operation (known fields, amounts as strings) and turns
Desk results and refusals into JSON.  Every rule of the counter lives in the Desk.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cashier_desk.desk import BlindCount, CountedItem, Desk, ItemRequest, TenderRequest
from cashier_desk.desk.requests import Issued
from cashier_desk.errors import Refusal
from cashier_desk.money import Money, MoneyError
from cashier_desk.script_items import parse_program, program_of

Result = dict[str, Any]

FIELDS: dict[str, tuple[set[str], set[str]]] = {
    # op: (required fields, optional fields)
    "login": ({"user", "pin"}, set()),
    "logout": (set(), set()),
    "open_drawer": ({"drawer", "opening"}, set()),
    "sale": ({"items", "tenders"}, {"payer"}),
    "quote": ({"items"}, {"date", "tender"}),
    "lookup": ({"ref"}, {"date"}),
    "contest": (
        {"ref", "level", "reason", "contact"},
        {"inability_to_pay", "approver", "approver_pin"},
    ),
    "plan": ({"ref", "monthly", "first_due", "approver", "approver_pin"}, {"indigent"}),
    "reprint": ({"receipt"}, set()),
    "print_pending": (set(), set()),
    "void": ({"receipt", "approver", "approver_pin", "reason"}, set()),
    "drop": ({"amount"}, {"bag"}),
    "paid_out": ({"amount", "reason", "gl"}, {"approver", "approver_pin"}),
    "no_sale": ({"reason"}, set()),
    "close_drawer": ({"counted"}, set()),
    "reject_close": ({"approver", "approver_pin", "comment"}, {"session"}),
    "unlock_user": ({"user", "approver", "approver_pin"}, set()),
    "approve_close": ({"approver", "approver_pin", "comment"}, {"session"}),
    "closeout": ({"approver", "approver_pin"}, {"date"}),
    "returned_check": ({"receipt", "number", "approver", "approver_pin"}, {"reason"}),
    "refund": (
        {"receipt", "amount", "payee", "address", "reason", "approver", "approver_pin"},
        {"line", "method", "auth"},
    ),
    "transfer": (
        {"receipt", "from_ref", "to_ref", "amount", "approver", "approver_pin"},
        {"reason"},
    ),
    "sync": (set(), set()),
}
ITEM_FIELDS = {"code", "ref", "qty", "amount"}
TENDER_FIELDS = {
    "cash": set(),
    "check": {"number"},
    "money_order": {"number"},
    "card": {"auth", "last4"},
}


def _bad(message: str) -> Refusal:
    return Refusal("bad_request", message)


def _fields(obj: dict[str, Any], required: set[str], optional: set[str], where: str) -> None:
    unknown = sorted(set(obj) - required - optional)
    if unknown:
        raise _bad(f"{where} has an unknown field {unknown[0]!r}.")
    missing = sorted(required - set(obj))
    if missing:
        raise _bad(f"{where} needs the field {missing[0]!r}.")


def _money(value: object, what: str) -> Money:
    try:
        return Money.parse(value)
    except MoneyError as exc:
        raise Refusal("bad_amount", f"{what}: {exc}.") from None


def _obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(f"{what} must be a JSON object.")
    return value


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise _bad(f"{what} must be a JSON list.")
    return value


def _denominations(value: object, what: str) -> dict[Money, int]:
    counts: dict[Money, int] = {}
    for denom, count in _obj(value, what).items():
        m = _money(denom, f"{what}: denomination {denom!r}")
        if m in counts:
            raise _bad(f"{what} names the denomination {m} twice.")
        counts[m] = count
    return counts


def parse_item(value: object) -> ItemRequest:
    item = _obj(value, "An item")
    program = program_of(item)
    if program is not None:
        return ItemRequest(program=parse_program(item, program))
    _fields(item, set(), ITEM_FIELDS, "An item")
    amount = item.get("amount")
    return ItemRequest(
        code=_str_or_none(item, "code"),
        ref=_str_or_none(item, "ref"),
        qty=item.get("qty", 1),
        amount=None if amount is None else _money(amount, "The item's amount"),
    )


def _str_or_none(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _bad(f"{key!r} must be text.")


def _tender(value: object) -> TenderRequest:
    t = _obj(value, "A tender")
    kind = t.get("type")
    if not isinstance(kind, str) or kind not in TENDER_FIELDS:
        raise Refusal("bad_tender", f"{kind!r} is not a tender (cash, check, money_order, card).")
    extra = TENDER_FIELDS[str(kind)]
    _fields(t, {"type", "amount"} | extra, set(), f"A {kind} tender")
    return TenderRequest(
        kind=str(kind),
        amount=_money(t["amount"], f"The {kind} amount"),
        number=_str_or_none(t, "number"),
        auth=_str_or_none(t, "auth"),
        last4=_str_or_none(t, "last4"),
    )


def _counted_items(value: object, what: str) -> list[CountedItem]:
    out = []
    for entry in _list(value, what):
        e = _obj(entry, f"Each of {what}")
        _fields(e, {"number", "amount"}, set(), f"Each of {what}")
        out.append(CountedItem(e["number"], _money(e["amount"], f"An amount in {what}")))
    return out


def _blind_count(value: object) -> BlindCount:
    c = _obj(value, "counted")
    _fields(c, set(), {"cash", "checks", "money_orders", "card"}, "counted")
    return BlindCount(
        cash=_denominations(c.get("cash", {}), "counted cash"),
        checks=_counted_items(c.get("checks", []), "counted checks"),
        money_orders=_counted_items(c.get("money_orders", []), "counted money orders"),
        card=_money(c.get("card", "0.00"), "counted card"),
    )


def _op_login(desk: Desk, op: dict[str, Any]) -> Result:
    user = desk.login(op["user"], op["pin"])
    return {"user": user.login, "name": user.name, "role": user.role}


def _op_logout(desk: Desk, op: dict[str, Any]) -> Result:
    desk.logout()
    return {}


def _op_open_drawer(desk: Desk, op: dict[str, Any]) -> Result:
    s = desk.open_drawer(op["drawer"], _denominations(op["opening"], "opening"))
    return {"session": s.id, "drawer": s.drawer, "opening": str(s.opening)}


def _op_sale(desk: Desk, op: dict[str, Any]) -> Result:
    items = [parse_item(i) for i in _list(op["items"], "items")]
    tenders = [_tender(t) for t in _list(op["tenders"], "tenders")]
    r = desk.sale(items, tenders, op.get("payer"))
    return {
        "receipt": r.receipt,
        "total": str(r.total),
        "change": str(r.change),
        "printed": r.printed,
    } | _issued(r.issued)


def _issued(issued: tuple[Issued, ...]) -> Result:
    """The numbers a sale issued, per program (a key left out when it has none)."""
    out: Result = {}
    for i in issued:
        out.setdefault("permits" if i.kind == "permit" else "licences", []).append(i.as_json())
    return out


def _op_quote(desk: Desk, op: dict[str, Any]) -> Result:
    items = [parse_item(i) for i in _list(op["items"], "items")]
    tender = op.get("tender")
    if tender is not None and (not isinstance(tender, str) or tender not in TENDER_FIELDS):
        raise Refusal("bad_tender", f"{tender!r} is not a tender (cash, check, money_order, card).")
    return desk.quote(items, op.get("date"), tender).as_json()


def _op_lookup(desk: Desk, op: dict[str, Any]) -> Result:
    return desk.lookup(op["ref"], op.get("date")).as_json()


def _op_contest(desk: Desk, op: dict[str, Any]) -> Result:
    return desk.contest(
        op["ref"],
        op["level"],
        op["reason"],
        op["contact"],
        inability_to_pay=op.get("inability_to_pay", False),
        approver=op.get("approver"),
        approver_pin=op.get("approver_pin"),
    ).as_json()


def _op_plan(desk: Desk, op: dict[str, Any]) -> Result:
    monthly = _money(op["monthly"], "The monthly amount")
    return desk.plan(
        op["ref"], monthly, op["first_due"], op["approver"], op["approver_pin"],
        indigent=op.get("indigent", False),
    ).as_json()  # fmt: skip


def _op_reprint(desk: Desk, op: dict[str, Any]) -> Result:
    return {"receipt": op["receipt"], "printed": desk.reprint(op["receipt"])}


def _op_print_pending(desk: Desk, op: dict[str, Any]) -> Result:
    printed, pending = desk.print_pending()
    return {"printed": printed, "pending": pending}


def _op_void(desk: Desk, op: dict[str, Any]) -> Result:
    number, total, printed = desk.void(
        op["receipt"], op["approver"], op["approver_pin"], op["reason"]
    )
    return {"receipt": number, "total": str(total), "printed": printed}


def _op_drop(desk: Desk, op: dict[str, Any]) -> Result:
    done = desk.drop(_money(op["amount"], "The drop"), op.get("bag"))
    m = done.movement
    return {"amount": str(m.amount), "bag": m.bag, "printed": done.printed}


def _op_paid_out(desk: Desk, op: dict[str, Any]) -> Result:
    amount = _money(op["amount"], "The paid-out")
    done = desk.paid_out(amount, op["reason"], op["gl"], op.get("approver"), op.get("approver_pin"))
    m = done.movement
    return {"amount": str(m.amount), "gl": m.gl, "approver": m.approver, "printed": done.printed}


def _op_no_sale(desk: Desk, op: dict[str, Any]) -> Result:
    desk.no_sale(op["reason"])
    return {}


def _op_close_drawer(desk: Desk, op: dict[str, Any]) -> Result:
    r = desk.close_drawer(_blind_count(op["counted"]))
    return {
        "session": r.session,
        "over_short": {k: str(v) for k, v in r.over_short.items()},
        "needs_approval": r.needs_approval,
    }


def _op_approve_close(desk: Desk, op: dict[str, Any]) -> Result:
    sid = desk.approve_close(op.get("session"), op["approver"], op["approver_pin"], op["comment"])
    return {"session": sid, "approved": True}


def _op_reject_close(desk: Desk, op: dict[str, Any]) -> Result:
    sid, count = desk.reject_close(
        op.get("session"), op["approver"], op["approver_pin"], op["comment"]
    )
    return {"session": sid, "sent_back": count}


def _op_unlock_user(desk: Desk, op: dict[str, Any]) -> Result:
    user = desk.unlock_user(op["user"], op["approver"], op["approver_pin"])
    return {"user": user.login, "unlocked": True}


def _op_closeout(desk: Desk, op: dict[str, Any]) -> Result:
    result = desk.closeout(op.get("date"), op["approver"], op["approver_pin"])
    return result.as_json() | desk.closeout_papers(result).as_json()


def _op_returned_check(desk: Desk, op: dict[str, Any]) -> Result:
    return desk.returned_check(
        op["receipt"], op["number"], op.get("reason", "NSF"), op["approver"], op["approver_pin"]
    ).as_json()


def _op_refund(desk: Desk, op: dict[str, Any]) -> Result:
    return desk.refund(
        op["receipt"], _money(op["amount"], "The refund"), op["payee"], op["address"],
        op["reason"], op["approver"], op["approver_pin"], line=op.get("line"),
        method=op.get("method", "check"), auth=op.get("auth"),
    ).as_json()  # fmt: skip


def _op_transfer(desk: Desk, op: dict[str, Any]) -> Result:
    return desk.transfer(
        op["receipt"], op["from_ref"], op["to_ref"], _money(op["amount"], "The transfer"),
        op["approver"], op["approver_pin"], op.get("reason"),
    ).as_json()  # fmt: skip


def _op_sync(desk: Desk, op: dict[str, Any]) -> Result:
    r = desk.sync()
    if r.ledger_behind is not None:
        raise Refusal("ledger_rolled_back", desk.ledger_loss_message())
    if r.problems:
        raise Refusal("sync_refused", "Central refused: " + "; ".join(r.problems))
    if r.flagged:
        raise Refusal(
            "chain_flagged",
            f"Central flags this workstation's audit chain at this contact ({r.flagged}); a "
            "supervisor checks the ledger (cashier-desk audit verify).",
        )
    if r.unreachable and r.pending:
        raise Refusal(
            "central_unreachable",
            f"Central cannot be reached ({r.unreachable}); {r.pending} batch(es) wait and will "
            "be sent again.",
        )
    if r.unreachable:
        raise Refusal(
            "central_unreachable",
            f"Central cannot be reached ({r.unreachable}); nothing waits here, but whether it "
            "holds every batch of this workstation could not be checked.",
        )
    out = {
        "sent": r.sent,
        "already_there": r.already_there,
        "pending": r.pending,
        "quarantined": r.quarantined,
    }
    if r.resent:
        out["resent"] = r.resent  # of "sent": central did not have them (another central had)
    return out


HANDLERS: dict[str, Callable[[Desk, dict[str, Any]], Result]] = {
    "login": _op_login,
    "logout": _op_logout,
    "open_drawer": _op_open_drawer,
    "sale": _op_sale,
    "quote": _op_quote,
    "lookup": _op_lookup,
    "contest": _op_contest,
    "plan": _op_plan,
    "reprint": _op_reprint,
    "print_pending": _op_print_pending,
    "void": _op_void,
    "drop": _op_drop,
    "paid_out": _op_paid_out,
    "no_sale": _op_no_sale,
    "close_drawer": _op_close_drawer,
    "reject_close": _op_reject_close,
    "unlock_user": _op_unlock_user,
    "approve_close": _op_approve_close,
    "closeout": _op_closeout,
    "returned_check": _op_returned_check,
    "refund": _op_refund,
    "transfer": _op_transfer,
    "sync": _op_sync,
}


def run_op(desk: Desk, op: dict[str, Any]) -> Result:
    """Run one operation (already parsed) and return its result object, ok or refused."""
    name = op.get("op")
    try:
        if not isinstance(name, str) or name not in HANDLERS:
            raise _bad(f"{name!r} is not an operation; known: {', '.join(HANDLERS)}.")
        required, optional = FIELDS[name]
        _fields(op, required, optional | {"op", "expect"}, f"The {name} operation")
        return {"op": name, "ok": True, **HANDLERS[name](desk, op)}
    except Refusal as exc:
        return _refused(name, exc.code, exc.message)


def _refused(op: object, code: str, message: str) -> Result:
    return {"op": op, "ok": False, "error": code, "message": message}


def parse_line(line: str, number: int) -> tuple[dict[str, Any] | None, Result | None]:
    """A script line as an operation, or (None, a refusal result) when it is not one."""
    # The line's own end is not part of it: with it, a line cut short would be reported at
    # "column 1" of a next line the file does not have.
    line = line.rstrip("\r\n")
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError too
        where = ""
        if isinstance(exc, json.JSONDecodeError):
            # json's messages for a control character end in "at"; the column follows anyway.
            reason = exc.msg.removesuffix(" at").rstrip()
            where = f" (column {exc.colno}: {reason[:1].lower()}{reason[1:]})"
        return None, _refused(None, "bad_json", f"Line {number} is not JSON{where}.")
    if not isinstance(obj, dict):
        return None, _refused(None, "bad_json", f"Line {number} is not a JSON object.")
    return obj, None


def run_script(desk: Desk, lines: Iterable[str]) -> Iterator[tuple[Result, bool]]:
    """Yield (result, met expectation) for each operation; the caller stops at the first miss."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        parsed, error = parse_line(raw, number)
        if parsed is None:
            yield error or _refused(None, "bad_json", f"Line {number} is unreadable."), False
            continue
        expect = parsed.get("expect", "ok")
        if expect not in ("ok", "error"):
            message = f'Line {number}: expect must be "error" (or "ok").'
            yield _refused(parsed.get("op"), "bad_request", message), False
            continue
        result = run_op(desk, parsed)
        yield result, result["ok"] == (expect == "ok")
