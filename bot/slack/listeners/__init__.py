"""Bolt listeners, laid out as ``<kind>/<callback>.py``; each module has ``register(app)``.

Callbacks are module-level functions that ack, call the domain through the
``Services`` in Bolt's context (see ``bot/slack/middleware.py``), and reply.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, shortcuts, views


def register(app: App) -> None:
    commands.register(app)  # first: Bolt tries listeners in order, and /acr is the busiest
    events.register(app)
    shortcuts.register(app)
    views.register(app)
    actions.register(app)  # last: it ends with the catch-all for unknown actions
