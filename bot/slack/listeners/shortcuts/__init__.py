"""Message shortcuts: "Save as acrbot answer" (``save_answer``)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.shortcuts import save_answer


def register(app: App) -> None:
    save_answer.register(app)
