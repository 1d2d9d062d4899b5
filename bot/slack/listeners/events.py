"""@mentions in channels (answered in a thread) and direct messages (answered in the DM).

Events are acknowledged at once; the answer is posted by a lazy listener
after the HTTP response has gone back to Slack.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services import Services
from bot.slack.questions import reply_to


def is_from_a_person(event: dict[str, Any]) -> bool:
    """Bots, edits and deletions are never answered: that is how bot loops start."""
    return not (event.get("bot_id") or event.get("subtype") or event.get("app_id"))


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App, services: Services) -> None:
    def answer_mention(event: dict[str, Any], client: WebClient) -> None:
        if not is_from_a_person(event):
            return
        reply = reply_to(services.library, event.get("text", ""), source="mention")
        thread = event.get("thread_ts") or event["ts"]
        client.chat_postMessage(channel=event["channel"], thread_ts=thread, **reply.as_kwargs())

    def answer_direct_message(event: dict[str, Any], client: WebClient) -> None:
        if event.get("channel_type") != "im" or not is_from_a_person(event):
            return  # channel chatter is only answered when acrbot is mentioned
        reply = reply_to(services.library, event.get("text", ""), source="dm")
        client.chat_postMessage(
            channel=event["channel"], thread_ts=event.get("thread_ts"), **reply.as_kwargs()
        )

    app.event("app_mention")(ack=acknowledge, lazy=[answer_mention])
    app.event("message")(ack=acknowledge, lazy=[answer_direct_message])
