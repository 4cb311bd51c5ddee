"""Refusals: errors a person can cause, each with a stable code and a message for a person.

A refusal is raised before anything is written (or inside a transaction that then rolls
back), so a refused operation changes nothing.
"""

from __future__ import annotations


class Refusal(Exception):
    """An operation the rules do not allow; ``code`` is stable, ``message`` is for a person."""

    def __init__(self, code: str, message: str) -> None:
        from cashier_desk.text import mask_card_numbers

        # A message may quote what was typed: never show a card number back in full.
        message = mask_card_numbers(message)
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message
