"""``reaction_added`` with ``knowledge.capture_reaction`` (e.g. :books:) by an approver.

A reaction carries no trigger to open a modal with, so acrbot DMs the
person one button that opens the same capture modal, pre-filled from the
message. Other reactions are left to the listeners after this one (the
matcher lets them through).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.capture import is_approver, message_at
from bot.slack.capture_blocks import offer_message
from bot.slack.capture_text import words
from bot.slack.from_mrkdwn import to_markdown
from bot.slack.middleware import services_of
from bot.slack.replies import acknowledge


def is_capture_reaction(event: dict[str, Any], context: BoltContext) -> bool:
    wanted = services_of(context).settings.knowledge.capture_reaction
    item = event.get("item") or {}
    return bool(wanted) and event.get("reaction") == wanted and item.get("type") == "message"


def offer_capture(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, user = services_of(context), str(event.get("user") or "")
    if not user or not is_approver(services, user):
        return  # only a permitted person's reaction starts a capture; others are ignored
    item = event["item"]
    channel, ts = str(item.get("channel") or ""), str(item.get("ts") or "")
    message = message_at(client, channel, ts)
    if message is None:
        client.chat_postMessage(channel=user, text=words("en", "gone"))
        return
    from bot.knowledge.language import detect

    language = detect(to_markdown(message.get("text", "")))
    client.chat_postMessage(channel=user, **offer_message(channel, ts, language).as_kwargs())


def register(app: App) -> None:
    app.event("reaction_added", matchers=[is_capture_reaction])(
        ack=acknowledge, lazy=[offer_capture]
    )
