"""A lead sends a drawer close awaiting approval back for a recount — from the close screen
right after the blind count, or from the closeout screen (B on the session).  The cashier then
counts the drawer again; the first count is kept and the new one decides."""

from __future__ import annotations

from collections.abc import Callable

from cashier_desk.errors import Refusal
from cashier_desk.ids import SessionId
from cashier_desk.ui.context import UiContext
from cashier_desk.ui.qt import QWidget
from cashier_desk.ui.widgets.approver import ApproverDialog


def recount_dialog(
    ctx: UiContext,
    parent: QWidget,
    session_id: str,
    what: str,
    on_sent: Callable[[str, str], None],
    on_refused: Callable[[Refusal], None],
) -> ApproverDialog:
    """The lead's login, PIN and a comment; on Send back, ``reject_close`` runs off the GUI
    thread and ``on_sent`` gets the lead's login and comment.  The caller opens the dialog."""
    dialog = ApproverDialog(
        "Send back for recount",
        f"{what} A lead (not the cashier) sends the count back with a comment: the cashier "
        "counts the drawer again and the new count decides (the first count is kept).",
        reason_label="Comment",
        parent=parent,
        action="Send back",
    )
    dialog.setObjectName("recountDialog")

    def send() -> None:
        o = dialog.override()
        ctx.run(
            lambda: ctx.desk.reject_close(SessionId(session_id), o.login, o.pin, o.reason),
            lambda _result: on_sent(o.login, o.reason),
            on_refused,
        )

    dialog.accepted.connect(send)
    return dialog
