"""The tender panel of the sale screen: a function key per tender, quick cash, split tender.

F5 cash, F6 check (asks the number), F7 money order (asks the number), F8 card (asks the last
four digits and the authorisation code — never the full card number), F9 exact cash, and
Ctrl+1..Ctrl+5 for the next $5/$10/$20/$50/$100 at or above what is still due.  A tender key
opens a small form with the amount filled in with what is still due (selected, so typing
replaces it); Enter moves through the form and takes the tender, Esc drops it.  Several tenders
may be taken until the total is covered; Delete in the list removes one.

The panel only collects :class:`~cashier_desk.desk.TenderRequest` values and checks what a
person can get wrong at once; the Desk checks them all again when the sale is posted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from cashier_desk.desk import TenderRequest
from cashier_desk.money import Money
from cashier_desk.text import looks_like_card_number
from cashier_desk.ui.qt import (
    QEvent,
    QFormLayout,
    QFrame,
    QKeyEvent,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QObject,
    QRegularExpression,
    QRegularExpressionValidator,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from cashier_desk.ui.widgets.money import MoneyEdit


@dataclass(frozen=True)
class TenderKind:
    kind: str
    label: str
    key: str
    number_label: str | None = None  # check and money order ask for their number
    card: bool = False


KINDS: dict[str, TenderKind] = {
    "cash": TenderKind("cash", "Cash", "F5"),
    "check": TenderKind("check", "Check", "F6", number_label="Check number"),
    "money_order": TenderKind(
        "money_order", "Money order", "F7", number_label="Money order number"
    ),
    "card": TenderKind("card", "Card", "F8", card=True),
}

#: Ctrl+1..Ctrl+5: cash in the next round amount (in cents) at or above what is still due.
QUICK_CASH: tuple[tuple[str, int], ...] = (
    ("Ctrl+1", 500),
    ("Ctrl+2", 1000),
    ("Ctrl+3", 2000),
    ("Ctrl+4", 5000),
    ("Ctrl+5", 10000),
)

LAST4_TOO_LONG = "Key only the LAST FOUR digits of the card — never the full card number."


def round_up(amount: Money, step_cents: int) -> Money:
    """The smallest multiple of ``step_cents`` that is not less than ``amount``."""
    return Money(-(-amount.cents // step_cents) * step_cents)


def describe(tender: TenderRequest) -> str:
    label = KINDS[tender.kind].label
    if tender.kind == "card":
        return f"{label} ••••{tender.last4} auth {tender.auth}   {tender.amount}"
    if tender.number:
        return f"{label} #{tender.number}   {tender.amount}"
    return f"{label}   {tender.amount}"


class TenderPanel(QFrame):
    """Collects the tenders of one sale.  ``changed`` after every change; ``problem`` with a
    message for the person; ``entryClosed`` when the tender form closes (focus goes back)."""

    changed = Signal()
    problem = Signal(str)
    entryClosed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tenderPanel")
        self.setAccessibleName("Tenders")
        self.total = Money(0)
        # What the Desk makes the total when all of it is paid in cash (its quote with a cash
        # tender: with ``[policy] cash_rounding``, the Cash rounding line in); None: the total.
        self.cash_total: Money | None = None
        self.tenders: list[TenderRequest] = []
        self.pending: TenderKind | None = None

        layout = QVBoxLayout(self)
        heading = QLabel("Tenders")
        heading.setObjectName("tenderHeading")
        heading.setAccessibleName("Tenders")
        layout.addWidget(heading)
        self.keys = QLabel(
            "F5 Cash · F6 Check · F7 Money order · F8 Card\n"
            "F9 Exact cash · Ctrl+1..5 next $5/$10/$20/$50/$100\n"
            "F10 or Enter Finish · Delete removes a tender"
        )
        self.keys.setObjectName("tenderKeys")
        self.keys.setAccessibleName("Tender keys")
        self.keys.setWordWrap(True)
        layout.addWidget(self.keys)

        self.list = QListWidget()
        self.list.setObjectName("tenderList")
        self.list.setAccessibleName("Tenders taken")
        self.list.setWordWrap(True)  # a card's line wraps, its amount never out of sight
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.installEventFilter(self)
        layout.addWidget(self.list, 1)

        self.tendered_label = QLabel()
        self.tendered_label.setObjectName("tenderedTotal")
        self.tendered_label.setAccessibleName("Tendered")
        layout.addWidget(self.tendered_label)
        self.remaining_label = QLabel()
        self.remaining_label.setObjectName("remainingDue")
        self.remaining_label.setAccessibleName("Still due")
        self.remaining_label.setWordWrap(True)
        self.remaining_label.setStyleSheet("font-size: 30px; font-weight: bold;")
        layout.addWidget(self.remaining_label)

        self.entry = QFrame()
        self.entry.setObjectName("tenderEntry")
        self.entry.setAccessibleName("Tender being taken")
        form = QFormLayout(self.entry)
        self.entry_title = QLabel()
        self.entry_title.setObjectName("tenderEntryTitle")
        self.entry_title.setAccessibleName("Tender being taken")
        self.entry_title.setWordWrap(True)
        form.addRow(self.entry_title)
        self.amount = MoneyEdit("Tender amount")
        self.amount.setObjectName("tenderAmount")
        self.number = QLineEdit()
        self.number.setObjectName("tenderNumber")
        self.number.setAccessibleName("Check or money order number")
        self.number.setMaxLength(40)
        self.last4 = QLineEdit()
        self.last4.setObjectName("tenderLast4")
        self.last4.setAccessibleName("Last four digits of the card")
        self.last4.setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9]{0,4}"), self.last4)
        )
        self.auth = QLineEdit()
        self.auth.setObjectName("tenderAuth")
        self.auth.setAccessibleName("Card authorisation code")
        self.auth.setMaxLength(20)
        self.auth.setValidator(
            QRegularExpressionValidator(QRegularExpression("[A-Za-z0-9]*"), self.auth)
        )
        amount_label = self._label("Amount", "tenderAmountLabel")
        self.number_label = self._label("Number", "tenderNumberLabel")
        self.last4_label = self._label("Last four", "tenderLast4Label")
        self.auth_label = self._label("Authorisation", "tenderAuthLabel")
        form.addRow(amount_label, self.amount)
        form.addRow(self.number_label, self.number)
        form.addRow(self.last4_label, self.last4)
        form.addRow(self.auth_label, self.auth)
        layout.addWidget(self.entry)
        self.fields: tuple[QLineEdit, ...] = (self.amount, self.number, self.last4, self.auth)
        for field in self.fields:
            field.returnPressed.connect(lambda f=field: self._advance(f))
            field.installEventFilter(self)
        self.entry.hide()
        self._show_totals()

    @staticmethod
    def _label(text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setAccessibleName(text)
        return label

    # -- keys --------------------------------------------------------------------------------

    def install_shortcuts(self, scope: QWidget) -> list[QShortcut]:
        """The tender keys, live whenever the focus is anywhere inside ``scope``."""
        made: list[QShortcut] = []

        def add(key: str, slot: Callable[[], None]) -> None:
            shortcut = QShortcut(QKeySequence(key), scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            made.append(shortcut)

        for info in KINDS.values():
            add(info.key, partial(self.begin, info.kind))
        add("F9", self.exact_cash)
        for key, step in QUICK_CASH:
            add(key, partial(self.quick_cash, step))
        return made

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if watched is self.list and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_selected()
            return True
        if watched is self.last4 and self._last4_key(event):
            return True
        if watched in self.fields and event.key() == Qt.Key.Key_Escape:
            self.cancel_entry()
            return True
        return False

    def _last4_key(self, event: QKeyEvent) -> bool:
        """A fifth digit means a card number is being keyed: refused, and the field emptied,
        so it never holds more than four digits."""
        text = event.text()
        if (
            len(text) == 1
            and text.isdigit()
            and len(self.last4.text()) >= 4
            and not self.last4.hasSelectedText()
        ):
            self.last4.clear()
            self.problem.emit(LAST4_TOO_LONG)
            return True
        return False

    # -- the sums ----------------------------------------------------------------------------

    def tendered(self) -> Money:
        return Money(sum(t.amount.cents for t in self.tenders))

    def all_cash(self) -> bool:
        """Tenders were taken and every one is cash: the sale is rounded as cash."""
        return bool(self.tenders) and all(t.kind == "cash" for t in self.tenders)

    def due(self) -> Money:
        """The total the tenders must cover: the cash total once only cash was taken."""
        return self.cash_total if self.cash_total is not None and self.all_cash() else self.total

    def remaining(self) -> Money:
        """What is still due (negative when the tenders are more than the total)."""
        return self.due() - self.tendered()

    def cash_remaining(self) -> Money:
        """What is still due if the rest is paid in cash (F5, F9, Ctrl+1..5 start from it)."""
        if self.cash_total is not None and all(t.kind == "cash" for t in self.tenders):
            return self.cash_total - self.tendered()
        return self.remaining()

    def covered(self) -> bool:
        return self.total.is_positive() and not self.remaining().is_positive()

    def change(self) -> Money:
        return max(Money(0), -self.remaining())

    def requests(self) -> list[TenderRequest]:
        return list(self.tenders)

    def set_total(self, total: Money, cash_total: Money | None = None) -> None:
        self.total = total
        self.cash_total = cash_total if cash_total != total else None
        self._show_totals()

    def _show_totals(self) -> None:
        self.tendered_label.setText(f"Tendered {self.tendered()}")
        if not self.total.is_positive():
            self.remaining_label.setText("Nothing due yet")
        elif self.covered():
            self.remaining_label.setText(
                f"Covered — change {self.change()}. Enter or F10 finishes the sale."
            )
        else:
            self.remaining_label.setText(f"Still due {self.remaining()}")

    # -- taking tenders ----------------------------------------------------------------------

    def _can_take(self) -> bool:
        if not self.isEnabled():
            return False
        if not self.total.is_positive():
            self.problem.emit("Ring up an item first.")
            return False
        if self.covered():
            self.problem.emit("The tenders already cover the total; press Enter or F10 to finish.")
            return False
        return True

    def begin(self, kind: str, amount: Money | None = None) -> None:
        """Open the form for a tender of ``kind``; cash with an amount given is taken at once."""
        if not self._can_take():
            return
        info = KINDS[kind]
        if kind == "cash" and amount is not None:
            self.close_entry(focus=False)
            self.add(TenderRequest("cash", amount))
            self.entryClosed.emit()
            return
        self.pending = info
        self.entry_title.setText(f"{info.label} ({info.key}) — Enter takes it, Esc drops it")
        if amount is None:
            amount = self.cash_remaining() if kind == "cash" else self.remaining()
        self.amount.set_money(amount)
        for field in (self.number, self.last4, self.auth):
            field.clear()
        numbered = info.number_label is not None
        self.number_label.setText(info.number_label or "Number")
        self.number_label.setAccessibleName(info.number_label or "Number")
        self.number.setAccessibleName(info.number_label or "Number")
        for widget, shown in (
            (self.number_label, numbered),
            (self.number, numbered),
            (self.last4_label, info.card),
            (self.last4, info.card),
            (self.auth_label, info.card),
            (self.auth, info.card),
        ):
            widget.setVisible(shown)
        self.entry.show()
        self.amount.setFocus()
        self.amount.selectAll()

    def _visible_fields(self) -> list[QLineEdit]:
        return [f for f in self.fields if not f.isHidden()]

    def _advance(self, field: QLineEdit) -> None:
        """Enter in a field of the form: checked, then on to the next field or taken."""
        fields = self._visible_fields()
        if field not in fields or not self._field_ok(field):
            return
        at = fields.index(field)
        if at + 1 < len(fields):
            fields[at + 1].setFocus()
            fields[at + 1].selectAll()
        else:
            self.take_pending()

    def _room_for_non_cash(self) -> Money:
        """The most a check, money order or card may still be for (no change from them)."""
        return self.total - Money(sum(t.amount.cents for t in self.tenders if t.kind != "cash"))

    def _no_change_from(self, kind: str) -> str:
        return (
            f"A {KINDS[kind].label.lower()} may be for at most {self._room_for_non_cash()}: "
            "change is given only from cash."
        )

    def _field_problem(self, field: QLineEdit) -> str | None:
        info = self.pending
        if info is None:
            return None
        if field is self.amount:
            amount = self.amount.money()
            if amount is None or not amount.is_positive():
                return self.amount.problem() or "Key the amount of the tender (more than 0.00)."
            if info.kind != "cash" and amount > self._room_for_non_cash():
                return self._no_change_from(info.kind)
        elif field is self.number:
            number = self.number.text().strip()
            if not number:
                return f"Key the {(info.number_label or 'number').lower()}."
            if looks_like_card_number(number):
                self.number.clear()
                return "That looks like a card number; card numbers are never kept."
        elif field is self.last4:
            last4 = self.last4.text().strip()
            if len(last4) != 4 or not last4.isdigit():
                return "Key exactly the last four digits of the card."
        elif field is self.auth and not self.auth.text().strip():
            return "Key the authorisation code from the card terminal."
        return None

    def _field_ok(self, field: QLineEdit) -> bool:
        problem = self._field_problem(field)
        if problem is not None:
            self._refuse(field, problem)
            return False
        return True

    def take_pending(self) -> None:
        """Take the tender in the form when every field of it is right."""
        info = self.pending
        amount = self.amount.money()
        if info is None or amount is None:
            return
        if not all(self._field_ok(field) for field in self._visible_fields()):
            return
        tender = TenderRequest(
            info.kind,
            amount,
            number=self.number.text().strip() if info.number_label else None,
            auth=self.auth.text().strip() if info.card else None,
            last4=self.last4.text().strip() if info.card else None,
        )
        if self.add(tender):
            self.close_entry()

    def _refuse(self, field: QLineEdit, message: str) -> None:
        self.problem.emit(message)
        field.setFocus()
        field.selectAll()

    def add(self, tender: TenderRequest) -> bool:
        """Take a tender; refuse what the Desk would refuse anyway (no change from non-cash)."""
        if not self._can_take():
            return False
        if tender.kind != "cash" and tender.amount > self._room_for_non_cash():
            self.problem.emit(self._no_change_from(tender.kind))
            return False
        self.tenders.append(tender)
        self.list.addItem(describe(tender))
        self.list.setCurrentRow(self.list.count() - 1)  # Delete in the list removes it
        self._show_totals()
        self.changed.emit()
        return True

    def exact_cash(self) -> None:
        if self._can_take():
            self.close_entry(focus=False)
            self.add(TenderRequest("cash", self.cash_remaining()))
            self.entryClosed.emit()

    def quick_cash(self, step_cents: int) -> None:
        if self._can_take():
            self.close_entry(focus=False)
            self.add(TenderRequest("cash", round_up(self.cash_remaining(), step_cents)))
            self.entryClosed.emit()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.tenders):
            del self.tenders[row]
            self.list.takeItem(row)
            self._show_totals()
            self.changed.emit()

    def cancel_entry(self) -> None:
        self.close_entry()

    def close_entry(self, *, focus: bool = True) -> None:
        was_open = self.pending is not None
        self.pending = None
        for field in self.fields:
            field.clear()
        self.entry.hide()
        if was_open and focus:
            self.entryClosed.emit()

    def clear(self) -> None:
        """Forget every tender (next customer)."""
        self.close_entry(focus=False)
        self.tenders.clear()
        self.list.clear()
        self.total = Money(0)
        self.cash_total = None
        self._show_totals()
        self.changed.emit()
