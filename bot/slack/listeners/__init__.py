"""Bolt listeners, one module per kind of request: each acks, calls the domain, replies."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack.listeners import actions, commands, events


def register(app: App, services: Services) -> None:
    events.register(app, services)
    commands.register(app, services)
    actions.register(app, services)  # last: it ends with the catch-all for unknown actions
