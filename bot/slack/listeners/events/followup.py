"""A reply in a thread acrbot answered, by the person who asked: a follow-up, no mention needed.

The thread's memory (:mod:`bot.helpdesk.threads`) says who asked and what;
the follow-up is read with it (:mod:`bot.knowledge.followups`), and the
reply says what it understood when the context changed the answer. After
``slack.followups.max_count`` follow-ups, or ``idle_minutes`` without one,
acrbot stops listening to the thread.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.helpdesk.threads import ANY_PERSON
from bot.knowledge.followups import read_followup
from bot.slack import block_limits
from bot.slack.help_replies import post_in_thread, post_privately
from bot.slack.listeners.events.people import is_from_a_person, is_top_level, mentions_me
from bot.slack.listeners.events.watched_channel import is_own
from bot.slack.middleware import services_of
from bot.slack.questions import clean
from bot.slack.replies import acknowledge
from bot.storage import StorageUnavailable

SHOWN_CONTEXT = 200


def is_a_thread_reply(event: dict[str, Any], context: BoltContext) -> bool:
    """The matcher: a person's reply in a channel thread, not addressed to acrbot."""
    if event.get("channel_type") == "im" or is_top_level(event):
        return False
    if not is_from_a_person(event):
        return False
    return not mentions_me(event, context) and not is_own(event, context)


def answer_followup(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
    channel, thread, user = event["channel"], event["thread_ts"], event["user"]
    text = clean(event.get("text", ""))
    if not any(c.isalnum() for c in text):
        return
    try:
        listening = services.threads.recall(channel, thread)
        if listening is None or listening.asker not in (user, ANY_PERSON):
            return  # not a thread acrbot listens to, or a colleague's reply (a read: cheap)
        if not services.threads.claim_reply(channel, event["ts"]):
            return  # this message again, under another event ID: answered once
        memory = services.threads.followup(channel, thread, user)
    except StorageUnavailable:
        return
    if memory is None:
        return  # not a thread acrbot is listening to, or not the asker's reply
    reading = read_followup(text, memory.context, services.library.ask)
    understood = understood_as(memory.context, text) if reading.context_changed else None
    where = services.settings.slack.help_channel(channel)
    if where is not None and where.mode == "private":
        post_privately(client, services, reading.result, channel=channel, thread=thread, asker=user)
        return
    listening = replace(memory, source="followup")  # the same asker (or anyone, for an alert)
    post_in_thread(
        client,
        services,
        reading.result,
        listening,
        question_ts=event["ts"],
        asker=user,
        understood=understood,
    )


def understood_as(context: str, followup: str) -> str:
    """The earlier question and the follow-up, as the reply shows them."""
    return f"{block_limits.clip(context, SHOWN_CONTEXT)} → {followup}"


def register(app: App) -> None:
    app.event("message", matchers=[is_a_thread_reply])(ack=acknowledge, lazy=[answer_followup])
