"""Test doubles of the devices: a printer that keeps its jobs in memory and a drawer that
counts its pulses. They stand in for the real devices (python-escpos over the simulators) where
a test is about the counter, not the device; they are not part of the program."""

from __future__ import annotations

from cashier_desk.paper import ReceiptDoc


class MemoryPrinter:
    """A printer that keeps jobs in memory; ``online`` can be switched off to test faults."""

    def __init__(self, columns: int = 42) -> None:
        self.jobs: list[str] = []
        self.columns = columns
        self.online = True

    def print_receipt(self, doc: ReceiptDoc) -> bool:
        if not self.online:
            return False
        self.jobs.append(doc.as_text())
        return True


class CountingDrawer:
    """A drawer that only counts its pulses."""

    def __init__(self) -> None:
        self.opened = 0

    def open_drawer(self) -> bool:
        self.opened += 1
        return True

    def is_open(self) -> bool | None:
        return False
