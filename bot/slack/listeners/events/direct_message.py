"""A direct message to acrbot: answered in the DM. Channel chatter is left alone."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.services import Services
from bot.slack.listeners.events.people import is_from_a_person
from bot.slack.middleware import services_of
from bot.slack.questions import reply_message
from bot.slack.replies import acknowledge
from bot.storage import StorageUnavailable


def answer_direct_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("channel_type") != "im" or not is_from_a_person(event):
        return  # channel chatter is only answered when acrbot is mentioned
    services = services_of(context)
    if not _first_delivery(services, event):
        return  # this message again, under another event ID: answered once
    reply = reply_message(
        services.library,
        event.get("text", ""),
        source="dm",
        asked=services.asked,
        user=str(event.get("user") or ""),
    )
    client.chat_postMessage(
        channel=event["channel"], thread_ts=event.get("thread_ts"), **reply.as_kwargs()
    )


def _first_delivery(services: Services, event: dict[str, Any]) -> bool:
    """One answer per message; with the store down, a question is answered, not dropped."""
    ts = event.get("ts")
    try:
        return not ts or services.threads.claim_reply(event["channel"], str(ts))
    except StorageUnavailable:
        return True


def register(app: App) -> None:
    app.event("message")(ack=acknowledge, lazy=[answer_direct_message])
