"""The counter's words, defined once (issue 13, item 2): tender kinds, roles, fee types, item
statuses, what a scan found and what central made of a batch. Each is a ``StrEnum``, so its
members are the very strings the headless contract, the ledger and central store."""

from __future__ import annotations

from enum import StrEnum


class TenderKind(StrEnum):
    CASH = "cash"
    CHECK = "check"
    MONEY_ORDER = "money_order"
    CARD = "card"

    @property
    def label(self) -> str:
        """As a receipt names one tender ("Money order")."""
        return _TENDER_LABELS[self][0]

    @property
    def plural(self) -> str:
        """As a count names the tender's pile ("Money orders")."""
        return _TENDER_LABELS[self][1]


_TENDER_LABELS = {
    TenderKind.CASH: ("Cash", "Cash"),
    TenderKind.CHECK: ("Check", "Checks"),
    TenderKind.MONEY_ORDER: ("Money order", "Money orders"),
    TenderKind.CARD: ("Card", "Card"),
}


class Role(StrEnum):
    """Who a person is at the counter, lowest first (each may do what those below may)."""

    CASHIER = "cashier"
    LEAD = "lead"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class FeeType(StrEnum):
    FIXED = "fixed"
    PER_UNIT = "per_unit"
    OPEN = "open"


class ItemStatus(StrEnum):
    """An open item's status as a billing system imports it."""

    OPEN = "open"
    PAID = "paid"
    HOLD = "hold"
    APPEAL = "appeal"


class ScanKind(StrEnum):
    OPEN_ITEM = "open_item"
    REVENUE_CODE = "revenue_code"
    RECEIPT = "receipt"


class SyncOutcome(StrEnum):
    """What central made of one batch delivered to it."""

    SENT = "sent"
    ALREADY_THERE = "already_there"
    QUARANTINED = "quarantined"
