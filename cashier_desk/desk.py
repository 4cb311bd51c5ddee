"""The Desk: the one application service behind the cashier's window and the command line.

Every use case at the counter is a method here (log in, open a drawer, take a payment, void,
drop, paid-out, no-sale, close with a blind count, approve, close out).  A method either
completes in ONE durable transaction or raises :class:`~cashier_desk.errors.Refusal` having
changed nothing.  The one exception is a wrong PIN, which is counted towards the lockout.
Devices are used only after the commit: commit → print → mark printed → open the drawer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cashier_desk.config import Config
from cashier_desk.devices.base import CashDrawer, ReceiptPrinter
from cashier_desk.devices.receipt import render_receipt
from cashier_desk.errors import Refusal
from cashier_desk.events import EventBus
from cashier_desk.ids import Login, ReceiptNo, SessionId
from cashier_desk.ledger import audit, auth, closeout, drawer, imports
from cashier_desk.ledger.auth import User
from cashier_desk.ledger.counters import next_number
from cashier_desk.ledger.db import Ledger
from cashier_desk.ledger.posting import SAFE_CASH, TENDER_KINDS, drawer_account, post_entry
from cashier_desk.ledger.receipts import ReceiptSummary, list_receipts, load_receipt
from cashier_desk.ledger.schema import (
    close_approvals,
    close_counts,
    drawer_closes,
    drawer_movements,
    drawer_sessions,
    journal_entries,
    open_items,
    postings,
    print_jobs,
    receipt_lines,
    receipts,
    revenue_codes,
    tenders,
    voids,
)
from cashier_desk.money import GlAccount, GlSplit, Money, MoneyError, parse_gl_account
from cashier_desk.text import TextError, clean_text

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
MAX_QTY = 9999
MAX_LINES = 200


def system_clock() -> datetime:
    return datetime.now(UTC)


# -- requests (what the window or a script asks for) ------------------------------------------


@dataclass(frozen=True)
class ItemRequest:
    """A line to ring up: a revenue code (with qty, and an amount for an open fee) or a
    payment on an open item by its reference."""

    code: str | None = None
    ref: str | None = None
    qty: int = 1
    amount: Money | None = None


@dataclass(frozen=True)
class TenderRequest:
    kind: str
    amount: Money
    number: str | None = None
    auth: str | None = None
    last4: str | None = None


@dataclass(frozen=True)
class CountedItem:
    number: str
    amount: Money


@dataclass(frozen=True)
class BlindCount:
    cash: Mapping[Money, int] = field(default_factory=dict)
    checks: Sequence[CountedItem] = ()
    money_orders: Sequence[CountedItem] = ()
    card: Money = Money(0)


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleResult:
    receipt: ReceiptNo
    total: Money
    change: Money
    printed: bool


@dataclass(frozen=True)
class CloseResult:
    session: SessionId
    over_short: dict[str, Money]
    needs_approval: bool


@dataclass(frozen=True)
class OpenItemView:
    ref: str
    program: str
    account: str
    name: str
    address: str
    amount_due: Money
    still_due: Money
    due_date: str
    revenue_code: str
    status: str


@dataclass(frozen=True)
class _Line:
    code: str
    ref: str | None
    description: str
    qty: int
    amount: Money
    split: GlSplit


def _refuse_text(exc: TextError) -> Refusal:
    return Refusal("bad_text", str(exc)[:1].upper() + str(exc)[1:] + ".")


def text(value: object, what: str, *, max_len: int = 200, required: bool = True) -> str:
    try:
        return clean_text(value, what, max_len=max_len, required=required)
    except TextError as exc:
        raise _refuse_text(exc) from None


def _check_count(value: object, what: str, *, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise Refusal("bad_quantity", f"{what} must be a whole number from {low} to {high}.")
    return value


@contextmanager
def _amounts_in_range() -> Iterator[None]:
    """Amounts that parse one by one can still add up past what money can hold."""
    try:
        yield
    except MoneyError:
        raise Refusal("bad_amount", "The amounts are too large to add up.") from None


def _positive(amount: Money, what: str) -> Money:
    if not amount.is_positive():
        raise Refusal("bad_amount", f"{what} must be more than 0.00.")
    return amount


class Desk:
    """The application service of one workstation."""

    def __init__(
        self,
        ledger: Ledger,
        config: Config,
        *,
        workstation: str,
        printer: ReceiptPrinter,
        cash_drawer: CashDrawer,
        clock: Clock = system_clock,
        events: EventBus | None = None,
    ) -> None:
        self.ledger = ledger
        self.config = config
        self.workstation = workstation
        self.printer = printer
        self.cash_drawer = cash_drawer
        self.clock = clock
        self.events = events or EventBus()
        self.user: User | None = None

    # -- helpers ---------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock()

    def business_date(self) -> str:
        return self._now().astimezone().date().isoformat()

    def _audit(
        self,
        conn: sa.Connection,
        action: str,
        target: str = "",
        details: Mapping[str, Any] | None = None,
        *,
        actor: str | None = None,
        outcome: str = "ok",
    ) -> None:
        audit.append(
            conn,
            at=self._now().isoformat(),
            workstation=self.workstation,
            actor=actor if actor is not None else (self.user.login if self.user else "system"),
            action=action,
            target=target,
            outcome=outcome,
            details=details,
        )

    def _need_user(self) -> User:
        if self.user is None:
            raise Refusal("not_logged_in", "Log in first.")
        return self.user

    def _need_session(self, conn: sa.Connection) -> tuple[User, drawer.Session]:
        user = self._need_user()
        session = drawer.open_session_of_cashier(conn, user.login)
        if session is None or session.workstation != self.workstation:
            raise Refusal("no_open_drawer", f"{user.name} has no drawer open on this workstation.")
        return user, session

    def _authenticate(
        self, login: object, pin: object, purpose: str, min_role: str = "cashier"
    ) -> User:
        if not isinstance(login, str) or not isinstance(pin, str) or not login or not pin:
            raise Refusal("bad_credentials", "Give a user name and a PIN.")
        failure: Refusal | None = None
        with self.ledger.write() as conn:
            try:
                return auth.authenticate(
                    conn,
                    login,
                    pin,
                    now=self._now(),
                    workstation=self.workstation,
                    purpose=purpose,
                    min_role=min_role,
                )
            except Refusal as exc:
                failure = exc  # commit the counted failure, then refuse
        raise failure

    def _approver(self, login: object, pin: object, purpose: str, *, not_: set[str]) -> User:
        """A second person of role lead or above, who is none of ``not_``."""
        if isinstance(login, str) and login in not_:
            raise Refusal(
                "self_approval", "The approver must be a different person (dual control)."
            )
        return self._authenticate(login, pin, purpose, min_role="lead")

    # -- people ----------------------------------------------------------------------------

    def login(self, login: object, pin: object) -> User:
        user = self._authenticate(login, pin, "login")
        with self.ledger.write() as conn:
            if self.user is not None and self.user.login != user.login:
                self._audit(conn, "logout", self.user.login)
            self.user = user
            self._audit(conn, "login", user.login, {"role": user.role})
        self.events.publish("user_changed", user=user)
        return user

    def logout(self) -> None:
        user = self._need_user()
        with self.ledger.write() as conn:
            self._audit(conn, "logout", user.login)
        self.user = None
        self.events.publish("user_changed", user=None)

    # -- drawer ----------------------------------------------------------------------------

    def open_drawer(self, drawer_id: object, opening: Mapping[Money, int]) -> drawer.Session:
        user = self._need_user()
        name = text(drawer_id, "the drawer id", max_len=40)
        counts: dict[Money, int] = {}
        for denom, count in opening.items():
            if denom not in drawer.DENOMINATIONS:
                raise Refusal("bad_denomination", f"{denom} is not a denomination of the drawer.")
            counts[denom] = _check_count(count, f"the count of {denom}", low=0, high=100000)
        fund = Money(sum(d.cents * n for d, n in counts.items()))
        with self.ledger.write() as conn:
            if drawer.open_session_of_cashier(conn, user.login) is not None:
                raise Refusal("drawer_already_open", f"{user.name} already has a drawer open.")
            if drawer.open_session_of_drawer(conn, self.workstation, name) is not None:
                raise Refusal("drawer_in_use", f"Drawer {name} is already open.")
            n = next_number(conn, self.workstation, "session")
            sid = SessionId(f"{self.workstation}-S{n:06d}")
            now = self._now()
            conn.execute(
                sa.insert(drawer_sessions).values(
                    id=sid,
                    workstation=self.workstation,
                    drawer=name,
                    cashier=user.login,
                    business_date=now.astimezone().date().isoformat(),
                    opened_at=now.isoformat(),
                    opening_cents=fund.cents,
                    opening_counts=drawer.opening_counts_json(counts),
                )
            )
            self._audit(conn, "open_drawer", sid, {"drawer": name, "opening": str(fund)})
            session = drawer.get_session(conn, sid)
        if session is None:  # pragma: no cover - just written in the same transaction
            raise RuntimeError("the drawer session vanished")
        self.events.publish("drawer_opened", session=session)
        return session

    def current_session(self) -> drawer.Session | None:
        if self.user is None:
            return None
        with self.ledger.read() as conn:
            return drawer.open_session_of_cashier(conn, self.user.login)

    # -- open items ------------------------------------------------------------------------

    def _still_due(self, conn: sa.Connection, ref: str, amount_due: int, since_line: int) -> Money:
        paid = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(receipt_lines.c.amount_cents), 0)).where(
                receipt_lines.c.ref == ref,
                receipt_lines.c.id > since_line,
                ~sa.exists().where(voids.c.receipt_id == receipt_lines.c.receipt_id),
            )
        ).scalar()
        return Money(amount_due - int(paid or 0))

    def open_item(self, ref: str) -> OpenItemView | None:
        with self.ledger.read() as conn:
            row = conn.execute(sa.select(open_items).where(open_items.c.ref == ref)).first()
            if row is None:
                return None
            return OpenItemView(
                ref=row.ref,
                program=row.program,
                account=row.account,
                name=row.name,
                address=row.address,
                amount_due=Money(row.amount_due_cents),
                still_due=self._still_due(
                    conn, row.ref, row.amount_due_cents, row.paid_before_line
                ),
                due_date=row.due_date,
                revenue_code=row.revenue_code,
                status=row.status,
            )

    # -- sale ------------------------------------------------------------------------------

    def _code(self, conn: sa.Connection, code: str) -> sa.Row[Any]:
        row = conn.execute(sa.select(revenue_codes).where(revenue_codes.c.code == code)).first()
        if row is None:
            raise Refusal("unknown_code", f"There is no revenue code {code!r}.")
        return row

    def _resolve(self, conn: sa.Connection, item: ItemRequest, paying: dict[str, Money]) -> _Line:
        if (item.code is None) == (item.ref is None):
            raise Refusal("bad_item", "Each item needs either a revenue code or an open-item ref.")
        qty = _check_count(item.qty, "The quantity", low=1, high=MAX_QTY)
        if item.code is not None:
            code = self._code(conn, item.code)
            if code.fee_type == "open":
                if item.amount is None:
                    raise Refusal("amount_required", f"Key the amount for {code.description}.")
                unit = _positive(item.amount, f"The amount for {code.description}")
            else:
                if item.amount is not None:
                    raise Refusal(
                        "amount_not_allowed",
                        f"The fee for {code.description} is set at {Money(code.amount_cents)}; "
                        "do not key an amount.",
                    )
                unit = Money(code.amount_cents)
            return _Line(code.code, None, code.description, qty, unit * qty, GlSplit.parse(code.gl))
        ref = str(item.ref)
        if qty != 1:
            raise Refusal("bad_quantity", "A payment on an open item has no quantity.")
        row = conn.execute(sa.select(open_items).where(open_items.c.ref == ref)).first()
        if row is None:
            raise Refusal("unknown_ref", f"There is no open item {ref!r}.")
        if row.status == "hold":
            raise Refusal("item_on_hold", f"{ref} is on hold and cannot be paid at the counter.")
        code = self._code(conn, row.revenue_code)
        due = self._still_due(conn, ref, row.amount_due_cents, row.paid_before_line)
        due -= paying.get(ref, Money(0))
        if row.status == "paid" or not due.is_positive():
            raise Refusal("already_paid", f"{ref} is already paid in full.")
        amount = due if item.amount is None else _positive(item.amount, f"The payment on {ref}")
        if amount > due:
            raise Refusal("overpayment", f"{ref} has only {due} due; {amount} is more than that.")
        if amount < due and not code.partial_allowed:
            raise Refusal(
                "partial_not_allowed",
                f"{ref} must be paid in full ({due}); {code.description} takes no part payments.",
            )
        paying[ref] = paying.get(ref, Money(0)) + amount
        return _Line(code.code, ref, code.description, 1, amount, GlSplit.parse(code.gl))

    @staticmethod
    def _check_tender(t: TenderRequest) -> TenderRequest:
        if t.kind not in TENDER_KINDS:
            raise Refusal(
                "bad_tender", f"{t.kind!r} is not a tender (cash, check, money_order, card)."
            )
        _positive(t.amount, "A tender's amount")
        if t.kind in ("check", "money_order"):
            what = "the check number" if t.kind == "check" else "the money order number"
            return TenderRequest(t.kind, t.amount, number=text(t.number, what, max_len=40))
        if t.kind == "card":
            if not isinstance(t.last4, str) or len(t.last4) != 4 or not t.last4.isdigit():
                raise Refusal("bad_card", "Give exactly the last four digits of the card.")
            auth_code = text(t.auth, "the authorisation code", max_len=20)
            if not auth_code.isalnum() or not auth_code.isascii():
                raise Refusal("bad_card", "The authorisation code is letters and digits only.")
            return TenderRequest(t.kind, t.amount, auth=auth_code, last4=t.last4)
        return TenderRequest(t.kind, t.amount)

    def quote(self, items: Sequence[ItemRequest]) -> Money:
        """What the items come to, checked as a sale would check them; nothing is written."""
        with self.ledger.read() as conn, _amounts_in_range():
            paying: dict[str, Money] = {}
            return Money(sum(self._resolve(conn, i, paying).amount.cents for i in items))

    def sale(
        self,
        items: Sequence[ItemRequest],
        tender_list: Sequence[TenderRequest],
        payer: object = None,
    ) -> SaleResult:
        payer_name = text(payer, "the payer's name", required=False)
        if not items:
            raise Refusal("no_items", "Ring up at least one item.")
        if len(items) > MAX_LINES:
            raise Refusal("too_many_items", f"A receipt holds at most {MAX_LINES} lines.")
        if not tender_list:
            raise Refusal("no_tender", "Take at least one tender.")
        checked = [self._check_tender(t) for t in tender_list]
        with self.ledger.write() as conn, _amounts_in_range():
            user, session = self._need_session(conn)
            paying: dict[str, Money] = {}
            lines = [self._resolve(conn, item, paying) for item in items]
            total = Money(sum(line.amount.cents for line in lines))
            tendered = Money(sum(t.amount.cents for t in checked))
            non_cash = Money(sum(t.amount.cents for t in checked if t.kind != "cash"))
            if non_cash > total:
                raise Refusal(
                    "non_cash_over_total",
                    f"Checks, money orders and cards ({non_cash}) may not exceed the total "
                    f"({total}); change is given only from cash.",
                )
            if tendered < total:
                raise Refusal(
                    "tenders_short", f"The tenders ({tendered}) do not cover the total ({total})."
                )
            change = tendered - total
            receipt_no, receipt_id = self._write_receipt(
                conn, user, session, lines, checked, total, change, payer_name
            )
            job_id = self._queue_print(conn, receipt_no, receipt_id, "original")
            self._audit(
                conn,
                "sale",
                receipt_no,
                {
                    "session": session.id,
                    "total": str(total),
                    "change": str(change),
                    "tenders": {t.kind: str(t.amount) for t in checked},
                },
            )
        printed = self._print_job(job_id)
        if any(t.kind in ("cash", "check", "money_order") for t in checked):
            self.cash_drawer.open_drawer()
        self.events.publish("receipt_posted", receipt=receipt_no, total=total, change=change)
        return SaleResult(receipt_no, total, change, printed)

    def _write_receipt(
        self,
        conn: sa.Connection,
        user: User,
        session: drawer.Session,
        lines: list[_Line],
        checked: list[TenderRequest],
        total: Money,
        change: Money,
        payer: str,
    ) -> tuple[ReceiptNo, int]:
        seq = next_number(conn, self.workstation, "receipt")
        receipt_no = ReceiptNo(f"{self.workstation}-{seq:06d}")
        now = self._now()
        receipt_id = int(
            conn.execute(
                sa.insert(receipts)
                .values(
                    receipt_no=receipt_no,
                    workstation=self.workstation,
                    seq=seq,
                    session_id=session.id,
                    cashier=user.login,
                    payer=payer,
                    created_at=now.isoformat(),
                    business_date=session.business_date,
                    total_cents=total.cents,
                    change_cents=change.cents,
                )
                .returning(receipts.c.id)
            ).scalar_one()
        )
        conn.execute(
            sa.insert(receipt_lines),
            [
                {
                    "receipt_id": receipt_id,
                    "line_no": i,
                    "code": line.code,
                    "ref": line.ref,
                    "description": line.description,
                    "qty": line.qty,
                    "amount_cents": line.amount.cents,
                }
                for i, line in enumerate(lines, 1)
            ],
        )
        conn.execute(
            sa.insert(tenders),
            [
                {
                    "receipt_id": receipt_id,
                    "kind": t.kind,
                    "amount_cents": t.amount.cents,
                    "number": t.number,
                    "auth": t.auth,
                    "last4": t.last4,
                }
                for t in checked
            ],
        )
        entry: list[tuple[str, Money]] = []
        by_tender: dict[str, Money] = {}
        for t in checked:
            by_tender[t.kind] = by_tender.get(t.kind, Money(0)) + t.amount
        by_tender["cash"] = by_tender.get("cash", Money(0)) - change
        entry.extend((drawer_account(kind), amount) for kind, amount in by_tender.items())
        for line in lines:
            entry.extend(
                (acct, -share) for acct, share in line.split.allocate(line.amount, line.qty)
            )
        post_entry(
            conn,
            session_id=session.id,
            kind="sale",
            at=now.isoformat(),
            lines=entry,
            receipt_id=receipt_id,
        )
        return receipt_no, receipt_id

    # -- printing --------------------------------------------------------------------------

    def _queue_print(self, conn: sa.Connection, receipt_no: str, receipt_id: int, kind: str) -> int:
        view = load_receipt(conn, receipt_no)
        if view is None:  # pragma: no cover - written in the same transaction
            raise RuntimeError(f"receipt {receipt_no} vanished")
        mark = {"original": None, "reprint": "REPRINT", "void": "VOID"}[kind]
        content = render_receipt(
            view, city=self.config.city, address=self.config.address, mark=mark
        )
        return int(
            conn.execute(
                sa.insert(print_jobs)
                .values(
                    receipt_id=receipt_id,
                    kind=kind,
                    content=content,
                    created_at=self._now().isoformat(),
                    attempts=0,
                )
                .returning(print_jobs.c.id)
            ).scalar_one()
        )

    def _print_job(self, job_id: int) -> bool:
        """Send one queued job to the printer; mark it printed only if the printer took it."""
        with self.ledger.read() as conn:
            job = conn.execute(sa.select(print_jobs).where(print_jobs.c.id == job_id)).first()
        if job is None or job.printed_at is not None:
            return job is not None
        try:
            ok = self.printer.print_text(job.content)
        except Exception:  # a driver must not raise, but a sale never fails on a printer
            log.exception("printer failed on job %s", job_id)
            ok = False
        with self.ledger.write() as conn:
            values: dict[str, Any] = {"attempts": job.attempts + 1}
            if ok:
                values["printed_at"] = self._now().isoformat()
            conn.execute(sa.update(print_jobs).where(print_jobs.c.id == job_id).values(**values))
        self.events.publish("print_job", job=job_id, printed=ok)
        return ok

    def print_pending(self) -> tuple[int, int]:
        """Retry every job the printer has not taken, oldest first: (printed, still pending)."""
        with self.ledger.read() as conn:
            pending = list(
                conn.execute(
                    sa.select(print_jobs.c.id)
                    .where(print_jobs.c.printed_at.is_(None))
                    .order_by(print_jobs.c.id)
                ).scalars()
            )
        printed = 0
        for job_id in pending:
            if not self._print_job(job_id):
                break  # keep the order: nothing later prints before this one
            printed += 1
        return printed, len(pending) - printed

    def reprint(self, receipt_no: object) -> bool:
        self._need_user()
        number = text(receipt_no, "the receipt number", max_len=40)
        with self.ledger.write() as conn:
            row = conn.execute(
                sa.select(receipts.c.id).where(receipts.c.receipt_no == number)
            ).first()
            if row is None:
                raise Refusal("unknown_receipt", f"There is no receipt {number}.")
            job_id = self._queue_print(conn, number, row.id, "reprint")
            self._audit(conn, "reprint", number)
        return self._print_job(job_id)

    # -- corrections -----------------------------------------------------------------------

    def void(
        self, receipt_no: object, approver: object, approver_pin: object, reason: object
    ) -> tuple[ReceiptNo, Money, bool]:
        number = text(receipt_no, "the receipt number", max_len=40)
        why = text(reason, "the reason")
        with self.ledger.read() as conn:
            user, session = self._need_session(conn)
            self._voidable(conn, number, session)
        approver_user = self._approver(approver, approver_pin, "void", not_={user.login})
        with self.ledger.write() as conn:
            user, session = self._need_session(conn)
            receipt_id, total = self._voidable(conn, number, session)
            now = self._now().isoformat()
            conn.execute(
                sa.insert(voids).values(
                    receipt_id=receipt_id,
                    approver=approver_user.login,
                    reason=why,
                    voided_at=now,
                )
            )
            sale_postings = conn.execute(
                sa.select(postings.c.account, postings.c.amount_cents)
                .join(journal_entries, journal_entries.c.id == postings.c.entry_id)
                .where(journal_entries.c.receipt_id == receipt_id, journal_entries.c.kind == "sale")
                .order_by(postings.c.id)
            ).all()
            post_entry(
                conn,
                session_id=session.id,
                kind="void",
                at=now,
                lines=[(a, Money(-c)) for a, c in sale_postings],
                receipt_id=receipt_id,
            )
            job_id = self._queue_print(conn, number, receipt_id, "void")
            self._audit(
                conn,
                "void",
                number,
                {"approver": approver_user.login, "reason": why, "total": str(total)},
            )
        printed = self._print_job(job_id)
        self.events.publish("receipt_voided", receipt=number)
        return ReceiptNo(number), total, printed

    @staticmethod
    def _voidable(conn: sa.Connection, number: str, session: drawer.Session) -> tuple[int, Money]:
        row = conn.execute(
            sa.select(receipts.c.id, receipts.c.session_id, receipts.c.total_cents).where(
                receipts.c.receipt_no == number
            )
        ).first()
        if row is None:
            raise Refusal("unknown_receipt", f"There is no receipt {number}.")
        if row.session_id != session.id:
            raise Refusal(
                "not_in_session",
                f"{number} is not from your open drawer session; after close use a refund.",
            )
        if conn.execute(sa.select(voids.c.id).where(voids.c.receipt_id == row.id)).first():
            raise Refusal("already_voided", f"{number} is already void.")
        return int(row.id), Money(row.total_cents)

    # -- cash movements --------------------------------------------------------------------

    def _movement(
        self, kind: str, amount: Money, reason: str, gl: GlAccount | None
    ) -> drawer.Session:
        with self.ledger.write() as conn:
            _user, session = self._need_session(conn)
            if amount:
                available = drawer.expected_cash_in_drawer(conn, session)
                if amount > available:
                    raise Refusal(
                        "more_than_drawer",
                        f"The drawer should hold only {available} in cash; "
                        f"{amount} is more than that.",
                    )
            now = self._now().isoformat()
            conn.execute(
                sa.insert(drawer_movements).values(
                    session_id=session.id,
                    kind=kind,
                    amount_cents=amount.cents,
                    reason=reason,
                    gl=gl,
                    at=now,
                )
            )
            cash = drawer_account("cash")
            if kind == "drop":
                post_entry(
                    conn, session_id=session.id, kind=kind, at=now,
                    lines=[(SAFE_CASH, amount), (cash, -amount)],
                )  # fmt: skip
            elif kind == "paid_out" and gl is not None:
                post_entry(
                    conn, session_id=session.id, kind=kind, at=now,
                    lines=[(gl, amount), (cash, -amount)],
                )  # fmt: skip
            details: dict[str, str] = {"session": session.id, "reason": reason}
            if amount:
                details["amount"] = str(amount)
            if gl:
                details["gl"] = gl
            self._audit(conn, kind, session.id, details)
        self.cash_drawer.open_drawer()
        self.events.publish("drawer_movement", kind=kind, amount=amount)
        return session

    def drop(self, amount: Money) -> None:
        self._movement("drop", _positive(amount, "The drop"), "drop to safe", None)

    def paid_out(self, amount: Money, reason: object, gl: object) -> None:
        why = text(reason, "the reason")
        try:
            account = parse_gl_account(gl)
        except MoneyError as exc:
            raise Refusal("bad_gl", f"{exc}.") from None
        self._movement("paid_out", _positive(amount, "The paid-out"), why, account)

    def no_sale(self, reason: object) -> None:
        self._movement("no_sale", Money(0), text(reason, "the reason"), None)

    # -- close -----------------------------------------------------------------------------

    def close_drawer(self, count: BlindCount) -> CloseResult:
        with _amounts_in_range():
            return self._close_drawer(count)

    def _close_drawer(self, count: BlindCount) -> CloseResult:
        cash = Money(0)
        for denom, n in count.cash.items():
            if denom not in drawer.DENOMINATIONS:
                raise Refusal("bad_denomination", f"{denom} is not a denomination of the drawer.")
            cash += denom * _check_count(n, f"the count of {denom}", low=0, high=100000)
        counted = {"cash": cash, "card": count.card}
        if count.card.is_negative():
            raise Refusal("bad_amount", "The card batch total may not be negative.")
        for kind, items in (("check", count.checks), ("money_order", count.money_orders)):
            what = "check" if kind == "check" else "money order"
            for item in items:
                text(item.number, f"the {what} number", max_len=40)
                _positive(item.amount, f"A counted {what}")
            counted[kind] = Money(sum(i.amount.cents for i in items))
        with self.ledger.write() as conn:
            _user, session = self._need_session(conn)
            balances = drawer.drawer_balances(conn, session.id)
            expected = dict(balances)
            expected["cash"] = session.opening + balances["cash"]
            over_short = {k: counted[k] - expected[k] for k in TENDER_KINDS}
            tolerance = self.config.over_short_tolerance
            needs = any(over_short[k] for k in TENDER_KINDS if k != "cash") or (
                abs(over_short["cash"].cents) > tolerance.cents
            )
            now = self._now().isoformat()
            conn.execute(
                sa.insert(drawer_closes).values(
                    session_id=session.id,
                    closed_at=now,
                    counted=json.dumps(self._count_json(count), sort_keys=True),
                    needs_approval=needs,
                )
            )
            conn.execute(
                sa.insert(close_counts),
                [
                    {
                        "session_id": session.id,
                        "tender": k,
                        "expected_cents": expected[k].cents,
                        "counted_cents": counted[k].cents,
                    }
                    for k in TENDER_KINDS
                ],
            )
            if any(over_short.values()):
                account = self.config.over_short_account
                lines: list[tuple[str, Money]] = [
                    (drawer_account(k), over_short[k]) for k in TENDER_KINDS
                ]
                lines.append((account, -Money(sum(m.cents for m in over_short.values()))))
                post_entry(conn, session_id=session.id, kind="over_short", at=now, lines=lines)
            self._audit(
                conn,
                "close_drawer",
                session.id,
                {
                    "counted": {k: str(v) for k, v in counted.items()},
                    "over_short": {k: str(v) for k, v in over_short.items()},
                    "needs_approval": needs,
                },
            )
        self.events.publish("drawer_closed", session=session.id, needs_approval=needs)
        return CloseResult(session.id, over_short, needs)

    @staticmethod
    def _count_json(count: BlindCount) -> dict[str, Any]:
        return {
            "cash": {str(d): n for d, n in count.cash.items()},
            "checks": [{"number": c.number, "amount": str(c.amount)} for c in count.checks],
            "money_orders": [
                {"number": c.number, "amount": str(c.amount)} for c in count.money_orders
            ],
            "card": str(count.card),
        }

    def approve_close(
        self, session_id: object, approver: object, approver_pin: object, comment: object
    ) -> SessionId:
        note = text(comment, "the comment", max_len=500)
        with self.ledger.read() as conn:
            session = self._awaiting(conn, session_id)
        approver_user = self._approver(
            approver, approver_pin, "approve_close", not_={session.cashier}
        )
        with self.ledger.write() as conn:
            session = self._awaiting(conn, session.id)
            conn.execute(
                sa.insert(close_approvals).values(
                    session_id=session.id,
                    approver=approver_user.login,
                    comment=note,
                    approved_at=self._now().isoformat(),
                )
            )
            self._audit(
                conn,
                "approve_close",
                session.id,
                {"comment": note},
                actor=approver_user.login,
            )
        self.events.publish("close_approved", session=session.id)
        return session.id

    def _awaiting(self, conn: sa.Connection, session_id: object) -> drawer.Session:
        if session_id is None:
            waiting = [
                s
                for s in drawer.sessions(conn, drawer_sessions.c.workstation == self.workstation)
                if s.state == drawer.AWAITING_APPROVAL
            ]
            if not waiting:
                raise Refusal("nothing_to_approve", "No drawer close is awaiting approval.")
            closed_at = {
                r.session_id: r.closed_at
                for r in conn.execute(
                    sa.select(drawer_closes.c.session_id, drawer_closes.c.closed_at).where(
                        drawer_closes.c.session_id.in_([s.id for s in waiting])
                    )
                )
            }
            return max(waiting, key=lambda s: (closed_at[s.id], s.id))
        sid = text(session_id, "the session", max_len=40)
        session = drawer.get_session(conn, sid)
        if session is None or session.workstation != self.workstation:
            raise Refusal("unknown_session", f"There is no drawer session {sid} here.")
        if session.state != drawer.AWAITING_APPROVAL:
            raise Refusal("not_awaiting_approval", f"Session {sid} is not awaiting approval.")
        return session

    # -- end of day ------------------------------------------------------------------------

    def closeout(
        self, business_date: object, approver: object, approver_pin: object
    ) -> closeout.Closeout:
        day = self.business_date() if business_date is None else business_date
        if not isinstance(day, str) or not _is_iso_date(day):
            raise Refusal("bad_date", f"{day!r} is not a date like 2026-11-22.")
        with self.ledger.read() as conn:
            cashiers = closeout.check_ready(conn, self.workstation, day)
        approver_user = self._approver(approver, approver_pin, "closeout", not_=cashiers)
        with self.ledger.write() as conn:
            closeout.check_ready(conn, self.workstation, day)
            result = closeout.close_out(
                conn,
                workstation=self.workstation,
                business_date=day,
                approver=approver_user.login,
                over_short_account=self.config.over_short_account,
                now=self._now().isoformat(),
            )
            self._audit(
                conn,
                "closeout",
                result.batch,
                {"date": day, "receipts": result.receipts, "deposit": str(result.deposit_total)},
                actor=approver_user.login,
            )
        self.events.publish("closeout_done", batch=result.batch)
        return result

    # -- lookups and checks ----------------------------------------------------------------

    def receipts(self, business_date: str | None = None) -> list[ReceiptSummary]:
        with self.ledger.read() as conn:
            return list_receipts(conn, business_date)

    def verify_audit(self) -> audit.Verification:
        with self.ledger.read() as conn:
            return audit.verify(conn)

    def import_file(self, kind: str, path: Path) -> int:
        with self.ledger.write() as conn:
            records = imports.read_file(conn, kind, path)
            imports.write_rows(conn, kind, records)
            self._audit(conn, "import", kind, {"file": path.name, "rows": len(records)})
        self.events.publish("reference_data_changed", kind=kind)
        return len(records)

    def logged_in(self) -> Login | None:
        return None if self.user is None else self.user.login


def _is_iso_date(text_: str) -> bool:
    try:
        return len(text_) == 10 and date.fromisoformat(text_).isoformat() == text_
    except ValueError:
        return False
