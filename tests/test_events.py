"""The event bus: typed events to the listeners of their class, and to listeners of all."""

from __future__ import annotations

import logging

import pytest

from cashier_desk.events import Alert, EventBus, PrintFinished, ReceiptPosted
from cashier_desk.ids import ReceiptNo
from cashier_desk.money import Money


def test_a_listener_hears_only_the_class_it_asked_for() -> None:
    bus = EventBus()
    prints: list[PrintFinished] = []
    everything: list[object] = []
    bus.subscribe(PrintFinished, prints.append)
    bus.subscribe_all(everything.append)
    sale = ReceiptPosted(ReceiptNo("W1-000001"), Money.parse("10.00"), Money(0))
    bus.publish(sale)
    bus.publish(PrintFinished(1, True))
    assert prints == [PrintFinished(1, True)]
    assert everything == [sale, PrintFinished(1, True)]
    bus.unsubscribe(PrintFinished, prints.append)
    bus.unsubscribe_all(everything.append)
    bus.publish(PrintFinished(2, False))
    assert len(prints) == 1 and len(everything) == 2


def test_a_failing_listener_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = EventBus()
    heard: list[Alert] = []

    def broken(_: Alert) -> None:
        raise RuntimeError("a listener's bug")

    bus.subscribe(Alert, broken)
    bus.subscribe(Alert, heard.append)
    with caplog.at_level(logging.ERROR):
        bus.publish(Alert("x", "look"))
    assert heard == [Alert("x", "look")]
    assert "a listener of Alert failed" in caplog.text
