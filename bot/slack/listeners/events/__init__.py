"""Events: @mentions, help channels, follow-ups in threads, watched alert channels, the ask
reaction and direct messages.

Bolt runs the first listener whose matchers take an event, so the order of
the ``message`` listeners matters: alert channels, then help channels, then
thread replies, and direct messages last.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.events import (
    app_home_opened,
    app_mention,
    ask_reaction,
    capture_reaction,
    direct_message,
    followup,
    help_channel,
    watched_channel,
)


def register(app: App) -> None:
    app_mention.register(app)
    app_home_opened.register(app)
    capture_reaction.register(app)  # before ask_reaction: its matcher passes other reactions on
    ask_reaction.register(app)
    watched_channel.register(app)  # before the others: all take "message" events
    help_channel.register(app)
    followup.register(app)
    direct_message.register(app)
