"""Modal submissions: the capture modal (``save_answer``)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.views import save_answer


def register(app: App) -> None:
    save_answer.register(app)
