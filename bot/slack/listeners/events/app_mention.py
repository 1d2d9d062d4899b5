"""@acrbot in a channel: the answer goes in the message's thread (posted after the ack)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.listeners.events.people import is_from_a_person
from bot.slack.middleware import services_of
from bot.slack.questions import reply_message
from bot.slack.replies import acknowledge


def answer_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if not is_from_a_person(event):
        return
    reply = reply_message(services_of(context).library, event.get("text", ""), source="mention")
    thread = event.get("thread_ts") or event["ts"]
    client.chat_postMessage(channel=event["channel"], thread_ts=thread, **reply.as_kwargs())


def register(app: App) -> None:
    app.event("app_mention")(ack=acknowledge, lazy=[answer_mention])
