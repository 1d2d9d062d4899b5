"""``app_home_opened`` on the Home tab: publish this person's Home (after the ack)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.home import publish_home
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge


def show_home(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    publish_home(client, services_of(context), str(event["user"]))


def register(app: App) -> None:
    app.event("app_home_opened")(ack=acknowledge, lazy=[show_home])
