"""Typed identifiers, so a receipt number is never passed where a session id is expected."""

from __future__ import annotations

from typing import NewType

from cashier_desk.money import GlAccount

ReceiptNo = NewType("ReceiptNo", str)
SessionId = NewType("SessionId", str)
BatchId = NewType("BatchId", str)
Login = NewType("Login", str)

__all__ = ["BatchId", "GlAccount", "Login", "ReceiptNo", "SessionId"]
