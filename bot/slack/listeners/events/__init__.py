"""Events: @mentions in channels and direct messages."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.events import app_mention, direct_message


def register(app: App) -> None:
    app_mention.register(app)
    direct_message.register(app)
