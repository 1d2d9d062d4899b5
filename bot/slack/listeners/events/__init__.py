"""Events: @mentions in channels, watched alert channels and direct messages."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.events import app_mention, direct_message, watched_channel


def register(app: App) -> None:
    app_mention.register(app)
    watched_channel.register(app)  # before direct_message: both take "message" events
    direct_message.register(app)
