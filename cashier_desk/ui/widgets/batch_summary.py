"""The batch of a closeout as the lead's screen shows it: receipts and voids, each tender's
expected, counted and over/short (the four always whole), the GL distribution, the deposit and
the papers saved."""

from __future__ import annotations

from cashier_desk.devices.receipt import TENDER_NAMES
from cashier_desk.ledger.closeout import Closeout
from cashier_desk.reports.deposit import DEPOSIT_NAMES
from cashier_desk.ui.fit import ALL_ROWS
from cashier_desk.ui.qt import QFormLayout, QGroupBox, QHBoxLayout, Qt, QVBoxLayout, QWidget
from cashier_desk.ui.widgets.tables import fill, read_only_table, wrapped_label


class BatchSummary(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Batch", parent)
        self.setObjectName("closeoutSummary")
        self.setAccessibleName("Closeout batch summary")
        grid = QVBoxLayout(self)
        heading = QHBoxLayout()
        self.batch = wrapped_label("No closeout yet today.", "closeoutBatch", "Batch")
        heading.addWidget(self.batch, 1)
        self.counts = wrapped_label("", "closeoutCounts", "Receipts and voids")
        self.counts.setWordWrap(False)
        heading.addWidget(self.counts)
        grid.addLayout(heading)
        tables = QHBoxLayout()
        self.tenders = read_only_table(
            "closeoutTenders", "Tenders", ("Tender", "Expected", "Counted", "Over/short")
        )
        self.gl = read_only_table("closeoutGl", "GL distribution", ("GL account", "Amount"))
        # The four tenders always show whole; the GL list scrolls beside them.
        self.tenders.setProperty(ALL_ROWS, True)
        rows = 4 * self.tenders.verticalHeader().defaultSectionSize()
        header = self.tenders.horizontalHeader().sizeHint().height()
        self.tenders.setMinimumHeight(rows + header + 2 * self.tenders.frameWidth())
        tables.addWidget(self.tenders, 3)
        tables.addWidget(self.gl, 2)
        grid.addLayout(tables)
        deposit = QFormLayout()
        self.deposit_detail = wrapped_label("", "depositDetail", "Deposit by kind")
        self.deposit_total = wrapped_label("", "depositTotal", "Deposit total")
        deposit.addRow("Deposit", self.deposit_detail)
        deposit.addRow("Deposit total", self.deposit_total)
        grid.addLayout(deposit)
        self.files = wrapped_label("", "closeoutFiles", "Saved closeout papers")
        self.files.setProperty("small", True)
        self.files.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        grid.addWidget(self.files)

    def clear(self, message: str) -> None:
        self.batch.setText(message)
        for label in (self.counts, self.deposit_detail, self.deposit_total, self.files):
            label.setText("")
        fill(self.tenders, [])
        fill(self.gl, [])

    def show_result(self, result: Closeout) -> None:
        self.batch.setText(f"Batch {result.batch} — business date {result.business_date}")
        self.counts.setText(f"Receipts: {result.receipts}    Voids: {result.voids}")
        fill(
            self.tenders,
            [
                (
                    TENDER_NAMES.get(kind, kind),
                    str(t.expected),
                    str(t.counted),
                    str(t.over_short),
                )
                for kind, t in result.tenders.items()
            ],
        )
        fill(self.gl, [(account, str(amount)) for account, amount in sorted(result.gl.items())])
        by_kind = "    ".join(
            f"{name}: {result.deposit.get(key)}"
            for key, name in DEPOSIT_NAMES.items()
            if key in result.deposit
        )
        made_of = result.detail
        if made_of is not None:
            by_kind += (
                f"\nCurrency {made_of.currency}, coin {made_of.coin}, "
                f"less change funds {made_of.funds_kept}, safe drops {made_of.drops}; "
                f"{len(made_of.checks)} check(s), {len(made_of.money_orders)} money order(s) "
                "itemised on the deposit slip"
            )
        self.deposit_detail.setText(by_kind)
        self.deposit_total.setText(str(result.deposit_total))
        self.files.setText("")
