"""The relay's wait after failures in a row: doubling from 2 s to 300 s, with at most 2 s of
jitter, and no deprecated tenacity argument (a warning today, an error in a later release)."""

from __future__ import annotations

import warnings

from cashier_desk.sync.relay import backoff


def test_the_wait_doubles_to_five_minutes_with_a_little_jitter() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wait = backoff()
        for failures, base in ((1, 2), (2, 4), (3, 8), (8, 256), (9, 300), (40, 300)):
            for _ in range(20):
                assert base <= wait(failures) <= base + 2, (failures, wait(failures))
