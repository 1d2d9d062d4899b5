"""Buttons: feedback, "did you mean", share (in channel, in thread), hand-offs, and the
diagnostics' request / Confirm / Cancel.

Every click is acknowledged at once; the work and the reply (through the
message's ``response_url``) happen in lazy listeners.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.actions import (
    capture_review,
    diag_cancel,
    diag_confirm,
    diag_request,
    feedback,
    handoff,
    share_answer,
    share_in_thread,
    show_entry,
    unknown_action,
)


def register(app: App) -> None:
    feedback.register(app)
    show_entry.register(app)
    share_answer.register(app)
    share_in_thread.register(app)
    handoff.register(app)
    diag_confirm.register(app)
    diag_cancel.register(app)
    diag_request.register(app)
    capture_review.register(app)
    unknown_action.register(app)  # last: the catch-all
